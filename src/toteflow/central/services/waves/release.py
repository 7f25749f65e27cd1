"""Releasing a wave in one transaction: allocation, batching and routing, writing the tasks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.ports.waves import NewLine, NewTask, WaveRow
from toteflow.central.services.waves.common import existing, retrying, say, stored_spec, wave_view
from toteflow.central.services.waves.planner import Plan, WavePlanner, shortage_action
from toteflow.contracts import waves as wv
from toteflow.domain import orders as rules
from toteflow.domain.actor import Actor
from toteflow.domain.allocation import Reservation, ShortagePolicy
from toteflow.domain.errors import Refused
from toteflow.domain.orders import OrderStatus
from toteflow.domain.roles import Permission

# Replenishes the faces a release's demand cannot cover, before their first picks: given the
# wave, the products it asked for and, per face (location, product), its first task's
# (priority, id). Runs in the release's transaction.
ReleaseHook = Callable[[UnitOfWork, int, set[int], dict[tuple[int, int], tuple[int, int]]], None]

_ACTION_TEXT = {
    "backorder": "released without them (backorder)",
    "order_waits": "the order waits in the pool",
    "line_cancelled": "cut from the order",
}


class WaveReleaseService:
    """A planned wave released: stock reserved, carts batched and routed, tasks written."""

    def __init__(
        self, uow: UnitOfWorkFactory, planner: WavePlanner, after_release: ReleaseHook | None = None
    ) -> None:
        self.uow = uow
        self.planner = planner
        self.after_release = after_release

    def release(self, actor: Actor, wave_id: int) -> wv.WaveRelease:
        """Allocate, batch, route and create the tasks, all in one transaction."""
        actor.require(Permission.MANAGE_WAVES)
        return retrying(self.uow, lambda uow: self._release(uow, actor, wave_id))

    def _release(self, uow: UnitOfWork, actor: Actor, wave_id: int) -> wv.WaveRelease:
        row = existing(uow, wave_id, lock=True)
        if row.status != "planned":
            raise Refused(f"wave {row.name} is {say(row.status)}: only a planned wave is released")
        spec = stored_spec(row)
        # The reservations are written while the carts are batched and routed (pure work,
        # on a thread and in worker processes): the database works while Python does.
        plan = self.planner.plan(
            uow, spec, lock=True, meanwhile=lambda p: self._reserve(uow, row, p)
        )
        now = self.planner.clock()
        if self.planner.policy.shortage_policy == ShortagePolicy.CANCEL_LINE:
            uow.wave_pool.cut_lines(_cuts(plan))
        new_tasks = _new_tasks(plan)
        task_ids = uow.wave_tasks.add_tasks(wave_id, new_tasks)
        if self.after_release is not None:
            products = {plan.lines[r.line_id].product_id for r in plan.reservations}
            products |= {s.product_id for s in plan.allocation.shortages}
            self.after_release(uow, wave_id, products, _first_tasks(new_tasks, task_ids))
        uow.exceptions.open_many(_shortage_rows(plan, row, actor, now))
        figures = self.planner.figures(plan, spec)
        counts = {"orders": figures.orders, "lines": figures.lines, "tasks": figures.tasks}
        uow.waves.update(wave_id, status="released", spec=spec.stored(counts), released_at=now)
        uow.audit.record(
            actor,
            "wave.released",
            "wave",
            row.name,
            {**counts, "units": figures.units, "short_units": figures.short_units},
        )
        # One audit row per order, written in bulk: a wave changes thousands at once.
        uow.wave_pool.audit_orders(
            actor,
            "order.released",
            [plan.orders[i].reference for i in plan.released],
            {"from": "received", "to": "released", "wave": row.name},
        )
        uow.wave_pool.audit_orders(
            actor,
            "order.cancelled",
            [plan.orders[i].reference for i in plan.cancelled],
            {"from": "received", "to": "cancelled", "wave": row.name, "reason": "short"},
        )
        uow.commit()
        return wv.WaveRelease(
            wave=wave_view(existing(uow, wave_id)), result=figures, task_ids=task_ids
        )

    def _reserve(self, uow: UnitOfWork, row: WaveRow, plan: Plan) -> None:
        """The release's writes that need only the allocation, not the tasks."""
        if not plan.released and not plan.cancelled:
            matched = len(plan.orders)
            raise Refused(
                f"wave {row.name} has nothing to release: "
                + (
                    f"none of the {matched} matching orders could be reserved"
                    if matched
                    else "no received order matches its filters"
                    + "".join(f", {o.words} leaves out {o.orders}" for o in plan.left_out)
                )
            )
        reserved = plan.reservations
        uow.wave_pool.reserve(_units(reserved, lambda r: r.stock_id))
        uow.wave_pool.add_allocated(_units(reserved, lambda r: r.line_id))
        # Every order here was locked while received, so the state machine's path is the
        # same for all: received -> allocated -> released, written as one update.
        allocated = rules.advance(OrderStatus.RECEIVED, OrderStatus.ALLOCATED).status
        released = rules.advance(allocated, OrderStatus.RELEASED).status
        uow.wave_pool.set_order_status(plan.released, released.value, expect=("received",))
        if plan.cancelled:
            rules.cancel(OrderStatus.RECEIVED)
            uow.wave_pool.set_order_status(
                plan.cancelled,
                "cancelled",
                expect=("received",),
                reason="nothing could be reserved (shortage policy cancel_line)",
            )


def _units(
    reservations: Iterable[Reservation], key: Callable[[Reservation], int]
) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for r in reservations:
        totals[key(r)] += r.quantity
    return dict(totals)


def _first_tasks(
    tasks: list[NewTask], task_ids: list[int]
) -> dict[tuple[int, int], tuple[int, int]]:
    """Per face and product, the first task (by hand-out order: priority, id) picking there."""
    first: dict[tuple[int, int], tuple[int, int]] = {}
    for task, task_id in zip(tasks, task_ids, strict=True):
        for line in task.lines:
            key = (line.stock.location_id, line.product_id)
            if line.stock.kind == "pick_face" and (task.priority, task_id) < first.get(
                key, (task.priority + 1, task_id + 1)
            ):
                first[key] = (task.priority, task_id)
    return first


def _cuts(plan: Plan) -> dict[int, int]:
    """Under cancel_line: each short line of a released order shortened to what was reserved."""
    released = set(plan.released)
    reserved = _units(plan.reservations, lambda r: r.line_id)
    return {
        s.line_id: plan.lines[s.line_id].allocated + reserved.get(s.line_id, 0)
        for s in plan.allocation.shortages
        if s.order_id in released
    }


def _new_tasks(plan: Plan) -> list[NewTask]:
    out = []
    for task in plan.tasks:
        lines = []
        for key, slot in task.lines:
            r = plan.reservations[key]
            lines.append(NewLine(r.line_id, plan.stock[r.stock_id], r.product_id, r.quantity, slot))
        out.append(
            NewTask(
                kind=task.kind,
                zone=task.zone,
                priority=min(plan.orders[o].priority for o in task.orders),
                distance_m=round(task.distance_m, 2),
                orders=task.orders,
                lines=tuple(lines),
                destination=task.destination,
                after=task.after,
            )
        )
    return out


def _shortage_rows(plan: Plan, wave: WaveRow, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for s in plan.allocation.shortages:
        order, line = plan.orders[s.order_id], plan.lines[s.line_id]
        if s.order_id in plan.cancelled:
            action = "order_cancelled"
            text = f"order {order.reference} cancelled: nothing of it could be reserved"
        else:
            action = shortage_action(plan, s)
            text = (
                f"{s.missing} of {line.sku} short for order {order.reference} line "
                f"{line.line_no}: {_ACTION_TEXT[action]}"
            )
        row: dict[str, Any] = {
            "kind": "shortage",
            "reason": text[:300],
            "user_id": actor.user_id,
            "station_id": actor.station_id,
            "order_id": s.order_id,
            "detail": {
                "wave_id": wave.id,
                "wave": wave.name,
                "order_line_id": s.line_id,
                "line_no": line.line_no,
                "sku": line.sku,
                "wanted": s.wanted,
                "missing": s.missing,
                "action": action,
            },
        }
        if action in ("line_cancelled", "order_cancelled"):
            # Nothing is left to decide: the site's policy already did it. Kept for the record.
            row.update(
                status="resolved",
                resolved_at=now,
                resolved_by=actor.user_id,
                resolution="shortage policy cancel_line",
            )
        rows.append(row)
    return rows
