"""Planning a wave: select, allocate, batch and route, and the figures of what it would do."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property

from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.ports.waves import PoolLine, PoolOrder, StockRow
from toteflow.central.services.waves.common import (
    Clock,
    Spec,
    WavePolicy,
    in_layout,
    site_layout,
    stock_candidate,
    utc_now,
)
from toteflow.central.services.waves.selection import Selection, select_orders
from toteflow.contracts import waves as wv
from toteflow.domain.allocation import (
    Allocation,
    Demand,
    Reservation,
    Shortage,
    ShortagePolicy,
    allocate,
)
from toteflow.domain.batching import CartLimits, Router, route_all
from toteflow.domain.layout import Layout
from toteflow.domain.task_plan import OrderLoad, PickLine, PlannedTask, plan_tasks

_ACTION: dict[ShortagePolicy, wv.ShortageAction] = {
    ShortagePolicy.PARTIAL: "backorder",
    ShortagePolicy.WAIT: "order_waits",
    ShortagePolicy.CANCEL_LINE: "line_cancelled",
}


@dataclass
class Plan:
    """What a release would do: the orders it takes and leaves, reservations and tasks."""

    orders: dict[int, PoolOrder]
    lines: dict[int, PoolLine]
    stock: dict[int, StockRow]
    allocation: Allocation
    released: list[int]
    left: list[int]
    cancelled: list[int]
    reservations: list[Reservation]  # of the released orders; PickLine.key indexes this
    tasks: list[PlannedTask]
    cutoff_at: datetime | None
    waiting: int = 0  # received orders in the pool
    matched: int = 0  # those the filters took (before the locks, which may take fewer)
    left_out: list[wv.LeftOut] = field(default_factory=list)

    @cached_property
    def left_ids(self) -> frozenset[int]:
        return frozenset(self.left)


class WavePlanner:
    """What a wave would release now: no unit of work of its own, it plans inside the caller's.

    Preview and release share it, so what a preview shows is what a release does.
    """

    def __init__(
        self,
        layout: Callable[[], Layout],
        policy: WavePolicy | None = None,
        clock: Clock = utc_now,
        router: Router = route_all,
    ) -> None:
        self._layout = layout
        self.policy = policy or WavePolicy()
        self.clock = clock
        self.router = router

    def layout(self) -> Layout:
        return site_layout(self._layout)

    def select(self, uow: UnitOfWork, filters: wv.WaveFilters) -> Selection:
        """The orders these filters take now (the layout is read only for a zone filter)."""
        return select_orders(uow, filters, self.clock().astimezone(), self.layout)

    def plan(
        self,
        uow: UnitOfWork,
        spec: Spec,
        *,
        lock: bool,
        meanwhile: Callable[[Plan], None] | None = None,
    ) -> Plan:
        """Select, allocate, batch and route; `meanwhile` gets the plan without its tasks
        and runs while they are planned (on a thread: batching is pure computation)."""
        layout = self.layout()
        now = self.clock().astimezone()
        selection = select_orders(uow, spec.filters, now, lambda: layout)
        chosen = selection.chosen
        if lock:
            # In id order, so two releases lock shared orders in the same order; an order a
            # concurrent release took meanwhile is no longer received and drops out here.
            still = uow.wave_pool.lock_orders(sorted(o.id for o in chosen))
            chosen = [o for o in chosen if o.id in still]
        orders = {o.id: o for o in chosen}
        lines = uow.wave_pool.lines(list(orders))
        rank_of = {o.id: n for n, o in enumerate(chosen)}
        lines.sort(key=lambda ln: (rank_of[ln.order_id], ln.line_no))
        stock = {
            row.id: row
            for row in uow.wave_pool.stock(sorted({ln.product_id for ln in lines}), lock=lock)
            if in_layout(row, layout)
        }
        demands = [
            Demand(ln.id, ln.order_id, ln.product_id, ln.quantity - ln.allocated, ln.expiry_tracked)
            for ln in lines
            if ln.quantity > ln.allocated
        ]
        allocation = allocate(
            demands,
            (stock_candidate(row) for row in stock.values()),
            policy=self.policy.shortage_policy,
            today=now.date(),
        )
        reserved_orders = {r.order_id for r in allocation.reservations}
        released = [o.id for o in chosen if o.id in reserved_orders]
        nothing = [o.id for o in chosen if o.id not in reserved_orders]
        cancel = self.policy.shortage_policy == ShortagePolicy.CANCEL_LINE
        cancelled = [i for i in nothing if cancel and i not in allocation.waiting_orders]
        left = [i for i in nothing if i not in cancelled]
        reservations = [r for r in allocation.reservations if r.order_id in reserved_orders]
        by_line = {ln.id: ln for ln in lines}
        picks, loads = [], {}
        for key, r in enumerate(reservations):
            row = stock[r.stock_id]
            picks.append(PickLine(key, r.order_id, (row.aisle, row.bay), row.location, row.zone))
        volume: dict[int, float] = defaultdict(float)
        weight: dict[int, float] = defaultdict(float)
        for r in reservations:
            volume[r.order_id] += r.quantity * by_line[r.line_id].volume_l
            weight[r.order_id] += r.quantity * by_line[r.line_id].weight_kg
        for order_id in released:
            order = orders[order_id]
            # Carts never mix ship-by dates: an urgent order must not ride on tomorrow's cart.
            loads[order_id] = OrderLoad(
                order_id, volume[order_id], weight[order_id], order.ship_by.isoformat(), order_id
            )
        limits = CartLimits(spec.cart.slots, spec.cart.volume_l, spec.cart.weight_kg)
        plan = Plan(
            orders=orders,
            lines=by_line,
            stock=stock,
            allocation=allocation,
            released=released,
            left=left,
            cancelled=cancelled,
            reservations=reservations,
            tasks=[],
            cutoff_at=selection.cutoff_at,
            waiting=selection.waiting,
            matched=len(selection.chosen),
            left_out=selection.left_out,
        )

        def planned() -> Plan:
            tasks = plan_tasks(spec.strategy, picks, loads, layout, limits, router=self.router)
            return replace(plan, tasks=tasks)

        if meanwhile is None:
            return planned()
        if not picks:
            meanwhile(plan)
            return planned()
        with ThreadPoolExecutor(1, thread_name_prefix="wave-plan") as batching:
            done = batching.submit(planned)
            meanwhile(plan)
            return done.result()

    def figures(self, plan: Plan, spec: Spec) -> wv.WavePreview:
        zones: dict[str | None, list[int]] = {}
        for r in plan.reservations:
            load = zones.setdefault(plan.stock[r.stock_id].zone, [0, 0])
            load[0] += 1
            load[1] += r.quantity
        distance = sum(task.distance_m for task in plan.tasks)
        picks = sum(len(task.lines) for task in plan.tasks)
        walking = distance / self.policy.walking_speed_m_s
        picking = picks * self.policy.seconds_per_pick
        shortages = [
            wv.Shortage(
                order_reference=plan.orders[s.order_id].reference,
                line_no=plan.lines[s.line_id].line_no,
                sku=plan.lines[s.line_id].sku,
                wanted=s.wanted,
                missing=s.missing,
                action=shortage_action(plan, s),
            )
            for s in plan.allocation.shortages
        ]
        return wv.WavePreview(
            orders=len(plan.released),
            lines=len({r.line_id for r in plan.reservations}),
            units=sum(r.quantity for r in plan.reservations),
            zones=[
                wv.ZoneLoad(zone=zone, lines=load[0], units=load[1])
                for zone, load in sorted(zones.items(), key=lambda z: (z[0] is None, z[0] or ""))
            ],
            shortages=shortages,
            short_units=sum(s.missing for s in shortages),
            orders_left=[plan.orders[i].reference for i in plan.left],
            orders_cancelled=[plan.orders[i].reference for i in plan.cancelled],
            tasks=len(plan.tasks),
            carts=sum(1 for task in plan.tasks if task.kind == "cart"),
            totes=len(plan.released),
            distance_m=round(distance, 1),
            walking_seconds=round(walking, 1),
            picking_seconds=round(picking, 1),
            pick_seconds=round(walking + picking, 1),
            cutoff_at=plan.cutoff_at,
            shortage_policy=self.policy.shortage_policy.value,
            waiting=plan.waiting,
            matched=plan.matched,
            left_out=plan.left_out,
        )


def shortage_action(plan: Plan, shortage: Shortage) -> wv.ShortageAction:
    # An order nothing could be reserved for stays in the pool whatever the policy says.
    return "order_waits" if shortage.order_id in plan.left_ids else _ACTION[shortage.policy]
