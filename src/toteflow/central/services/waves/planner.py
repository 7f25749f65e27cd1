"""Planning a wave: select, allocate, batch and route, and the figures of what it would do."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property

from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.ports.waves import PoolLine, PoolOrder, PoolQuery, StockRow
from toteflow.central.services.waves.common import (
    Clock,
    Spec,
    WavePolicy,
    in_layout,
    site_layout,
    stock_candidate,
    utc_now,
)
from toteflow.contracts import waves as wv
from toteflow.domain.allocation import (
    Allocation,
    Demand,
    Reservation,
    Shortage,
    ShortagePolicy,
    allocate,
    rank,
    usable,
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
        filters = spec.filters
        ship_by, cutoff_at = _ship_by(filters, now)
        candidates = uow.wave_pool.pool(
            PoolQuery(
                carrier=filters.carrier,
                service=filters.service,
                ship_by=ship_by,
                priorities=tuple(filters.priorities) if filters.priorities else None,
            )
        )
        chosen = [o for o in candidates if _fits_profile(o, filters.profile)]
        if filters.zones:
            chosen = self._in_zones(uow, chosen, set(filters.zones), layout, now.date())
        chosen = _limited(chosen, filters.max_orders, filters.max_lines)
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
            cutoff_at=cutoff_at,
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

    def _in_zones(
        self,
        uow: UnitOfWork,
        orders: list[PoolOrder],
        zones: set[str],
        layout: Layout,
        today: date,
    ) -> list[PoolOrder]:
        """Orders whose every line would be picked in these zones (where allocation looks first)."""
        lines = uow.wave_pool.lines([o.id for o in orders])
        fefo = {ln.product_id: ln.expiry_tracked for ln in lines}
        first: dict[int, StockRow] = {}
        for row in uow.wave_pool.stock(sorted(fefo), lock=False):
            candidate = stock_candidate(row)
            if not in_layout(row, layout) or not usable(candidate, today):
                continue
            best = first.get(row.product_id)
            key = rank(candidate, fefo=fefo[row.product_id])
            if best is None or key < rank(stock_candidate(best), fefo=fefo[row.product_id]):
                first[row.product_id] = row
        inside: dict[int, bool] = {}
        for ln in lines:
            where = first.get(ln.product_id)
            ok = where is not None and where.zone in zones
            inside[ln.order_id] = inside.get(ln.order_id, True) and ok
        return [o for o in orders if inside.get(o.id, False)]

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
        )


def _ship_by(filters: wv.WaveFilters, now: datetime) -> tuple[date | None, datetime | None]:
    """The latest ship-by date the wave takes, and the cut-off it is picked for."""
    dates = [filters.ship_by] if filters.ship_by else []
    cutoff_at = None
    if filters.cutoff is not None:
        hour, minute = (int(part) for part in filters.cutoff.split(":"))
        today = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo)
        # Once today's pick-up has gone, the next one is tomorrow's: so are the orders for it.
        cutoff_at = today if now < today else today + timedelta(days=1)
        dates.append(cutoff_at.date())
    return (min(dates) if dates else None), cutoff_at


def _fits_profile(order: PoolOrder, profile: str | None) -> bool:
    if profile == "single_unit":
        return order.lines == 1 and order.units == 1
    if profile == "single_line":
        return order.lines == 1
    if profile == "multi_line":
        return order.lines >= 2
    return True


def _limited(
    orders: list[PoolOrder], max_orders: int | None, max_lines: int | None
) -> list[PoolOrder]:
    """The most urgent orders up to the limits; stops at the first order that would not fit."""
    out: list[PoolOrder] = []
    lines = 0
    for order in orders:
        if max_orders is not None and len(out) >= max_orders:
            break
        if max_lines is not None and lines + order.lines > max_lines:
            break
        out.append(order)
        lines += order.lines
    return out


def shortage_action(plan: Plan, shortage: Shortage) -> wv.ShortageAction:
    # An order nothing could be reserved for stays in the pool whatever the policy says.
    return "order_waits" if shortage.order_id in plan.left_ids else _ACTION[shortage.policy]
