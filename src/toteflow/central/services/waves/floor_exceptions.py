"""The floor exceptions supervisors resolve: close, re-allocate the missing units, or cut them."""

from __future__ import annotations

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.ports.waves import LineInfo
from toteflow.central.services.waves.common import Clock, retrying, say, utc_now
from toteflow.central.services.waves.reallocation import ReallocationService
from toteflow.contracts import waves as wv
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.roles import Permission


class FloorExceptionService:
    """The exception queue: short picks, shortages at release, refused station events."""

    def __init__(
        self, uow: UnitOfWorkFactory, reallocation: ReallocationService, clock: Clock = utc_now
    ) -> None:
        self.uow = uow
        self.reallocation = reallocation
        self.clock = clock

    def find(
        self, actor: Actor, status: str | None, kind: str | None, offset: int, limit: int
    ) -> Page[wv.FloorException]:
        """Exceptions of a status and kind (either or both may be None: any), newest first."""
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            return uow.wave_exceptions.exceptions(status, kind, offset, limit)

    def resolve(
        self, actor: Actor, exception_id: int, body: wv.ExceptionResolve
    ) -> wv.ExceptionResolved:
        actor.require(Permission.MANAGE_WAVES)
        return retrying(self.uow, lambda uow: self._resolve(uow, actor, exception_id, body))

    def _resolve(
        self, uow: UnitOfWork, actor: Actor, exception_id: int, body: wv.ExceptionResolve
    ) -> wv.ExceptionResolved:
        found = uow.wave_exceptions.exception(exception_id, lock=True)
        if found is None:
            raise NotFound(f"no floor exception {exception_id}")
        if found.status != "open":
            raise Refused(f"floor exception {exception_id} is already resolved")
        now = self.clock()
        got, task_id = 0, None
        note = body.note
        if body.action == "close":
            resolution = note or "closed"
            uow.wave_exceptions.resolve_exception(
                exception_id, user_id=actor.user_id, at=now, resolution=resolution
            )
        else:
            line, missing, exclude, wave_id = self._shortfall(uow, found)
            if body.action == "reallocate":
                if line.order_status not in ("released", "picking"):
                    raise Refused(
                        f"order {line.reference} is {say(line.order_status)}: only a released "
                        "order's lines are re-allocated (a received order goes in a wave)"
                    )
                got, task_id = self.reallocation.reallocate(
                    uow, actor, line, missing, exclude, wave_id, None
                )
                left = missing - got
                resolution = f"{got} re-allocated" + (f", {left} still missing" if left else "")
                uow.wave_exceptions.resolve_exception(
                    exception_id,
                    user_id=actor.user_id,
                    at=now,
                    resolution=(f"{resolution}: {note}" if note else resolution)[:300],
                    detail={**found.detail, "missing": left},
                    still_open=left > 0,
                )
            else:
                keep = max(line.allocated, line.picked, line.quantity - missing)
                uow.wave_pool.cut_lines({line.id: keep})
                resolution = f"{line.quantity - keep} of {line.sku} cut from order {line.reference}"
                uow.wave_exceptions.resolve_exception(
                    exception_id,
                    user_id=actor.user_id,
                    at=now,
                    resolution=(f"{resolution}: {note}" if note else resolution)[:300],
                )
        uow.audit.record(
            actor,
            "exception.resolved",
            "floor_exception",
            str(exception_id),
            {"action": body.action, "note": note, "reallocated": got},
        )
        uow.commit()
        resolved = uow.wave_exceptions.exception(exception_id, lock=False)
        assert resolved is not None
        return wv.ExceptionResolved(exception=resolved, reallocated=got, task_id=task_id)

    def _shortfall(
        self, uow: UnitOfWork, found: wv.FloorException
    ) -> tuple[LineInfo, int, frozenset[int], int | None]:
        """The order line an exception is short on, units missing, locations to avoid, wave."""
        detail = found.detail
        exclude: frozenset[int] = frozenset()
        wave_id = detail.get("wave_id") if isinstance(detail.get("wave_id"), int) else None
        order_line_id = detail.get("order_line_id")
        if found.task_line_id is not None:
            origin = uow.wave_tasks.task_line_origin(found.task_line_id)
            if origin is not None:
                order_line_id, wave_id = origin.order_line_id, origin.wave_id
                exclude = frozenset({origin.location_id})
        missing = detail.get("missing")
        if not isinstance(order_line_id, int) or not isinstance(missing, int) or missing < 1:
            raise Refused(
                f"floor exception {found.id} ({found.kind}) names no missing units of an order "
                "line: it can only be closed"
            )
        line = uow.wave_pool.line_info(order_line_id)
        if line is None:
            raise Refused(f"the order line of floor exception {found.id} no longer exists")
        return line, min(missing, line.quantity - line.picked), exclude, wave_id
