"""Replenishment use cases: face limits by API, the open list, the sweep, a supervisor's request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from toteflow.central.ports.replenishment import LimitRow, ReplenRow
from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.replenishment.triggers import Made, ReplenPolicy, replenish, view
from toteflow.contracts import replenishment as rp
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.replenishment import FaceLimit, Trigger, check_limit
from toteflow.domain.roles import Permission


class ReplenishmentService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: ReplenPolicy | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.uow = uow
        self.policy = policy or ReplenPolicy()
        self.today = today

    def set_limit(
        self, actor: Actor, location: str, sku: str, body: rp.FaceLimitIn
    ) -> rp.FaceLimit:
        """Store a face's min/max; LimitRefused (naming the field) when min/max make no sense,
        NotFound for an unknown location or SKU, Refused for a location that is no pick face."""
        actor.require(Permission.ADJUST_STOCK)
        with self.uow() as uow:
            location_id, product_id = set_limit_in(
                uow, actor, location, sku, FaceLimit(body.minimum, body.maximum)
            )
            stored = uow.replenishment.limit_of(location_id, product_id)
            uow.commit()
        if stored is None:
            raise NotFound(f"no min/max for {sku} at {location}")
        return _limit(stored)

    def limit(self, actor: Actor, location: str, sku: str) -> rp.FaceLimit:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            location_id, product_id = _face_and_product(uow, location, sku)
            row = uow.replenishment.limit_of(location_id, product_id)
        if row is None:
            raise NotFound(f"no min/max for {sku} at {location}")
        return _limit(row)

    def limits(self, actor: Actor, offset: int, limit: int) -> Page[rp.FaceLimit]:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            rows, total = uow.replenishment.limits(offset, limit)
        return Page(items=[_limit(r) for r in rows], total=total, offset=offset, limit=limit)

    def open(self, actor: Actor, offset: int, limit: int) -> Page[rp.Replenishment]:
        """Open replenishments, a wave's in the order of the tasks waiting for them first."""
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            rows, total = uow.replenishment.open_list(offset, limit)
        return Page(items=[replen_view(r) for r in rows], total=total, offset=offset, limit=limit)

    def get(self, actor: Actor, replen_id: int) -> rp.Replenishment:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            row = uow.replenishment.get(replen_id)
        if row is None:
            raise NotFound(f"no replenishment {replen_id}")
        return replen_view(row)

    def sweep(self, actor: Actor) -> rp.SweepResult:
        """Every face below its minimum without an open replenishment gets one now."""
        actor.require(Permission.ADJUST_STOCK)
        with self.uow() as uow:
            made = replenish(
                uow,
                uow.replenishment.faces_with_limits(),
                Trigger.SCHEDULE,
                self.policy,
                self.today(),
                actor=actor,
            )
            uow.commit()
        return _sweep(made)

    def request(self, actor: Actor, location: str, sku: str) -> rp.SweepResult:
        """A supervisor asks for one face now (still only when it is below minimum)."""
        actor.require(Permission.ADJUST_STOCK)
        with self.uow() as uow:
            face = _face_and_product(uow, location, sku)
            made = replenish(uow, [face], Trigger.REQUEST, self.policy, self.today(), actor=actor)
            uow.commit()
        return _sweep(made)


def set_limit_in(
    uow: UnitOfWork, actor: Actor, location: str, sku: str, limit: FaceLimit
) -> tuple[int, int]:
    """A limit stored in the caller's transaction (the API and the CSV import share it)."""
    face = uow.replenishment.face(location)
    if face is None:
        raise NotFound(f"no location {location}")
    if face.kind != "pick_face":
        raise Refused(f"{location} is a {face.kind}, not a pick face: only faces have min/max")
    product_id = uow.replenishment.product_id(sku)
    if product_id is None:
        raise NotFound(f"no product with SKU {sku}")
    check_limit(limit, face.capacity, face=location)
    created = uow.replenishment.set_limit(face.id, product_id, limit)
    uow.audit.record(
        actor,
        "face_limit.set",
        "location",
        location,
        {"sku": sku, "minimum": limit.minimum, "maximum": limit.maximum, "new": created},
    )
    return face.id, product_id


def _face_and_product(uow: UnitOfWork, location: str, sku: str) -> tuple[int, int]:
    face = uow.replenishment.face(location)
    if face is None:
        raise NotFound(f"no location {location}")
    product_id = uow.replenishment.product_id(sku)
    if product_id is None:
        raise NotFound(f"no product with SKU {sku}")
    return face.id, product_id


def _limit(row: LimitRow) -> rp.FaceLimit:
    return rp.FaceLimit(
        location=row.location,
        sku=row.sku,
        minimum=row.minimum,
        maximum=row.maximum,
        updated_at=row.updated_at,
    )


def replen_view(row: ReplenRow) -> rp.Replenishment:
    return rp.Replenishment.model_validate(view(row))


def _sweep(made: Made) -> rp.SweepResult:
    return rp.SweepResult(
        checked=made.checked,
        below_minimum=made.below,
        created=made.created,
        without_source=made.without_source,
    )
