"""Waves: build, preview, release in one transaction, hold, cancel, follow; re-allocate shorts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any, TypeVar

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.ports.waves import (
    LineInfo,
    NewLine,
    NewTask,
    PoolLine,
    PoolOrder,
    PoolQuery,
    StockRow,
    WaveOrder,
    WaveRow,
)
from toteflow.contracts import tasks as tk
from toteflow.contracts import waves as wv
from toteflow.contracts.common import Page
from toteflow.domain import orders as rules
from toteflow.domain.actor import Actor
from toteflow.domain.allocation import (
    Allocation,
    Demand,
    Reservation,
    Shortage,
    ShortagePolicy,
    StockCandidate,
    allocate,
    rank,
    usable,
)
from toteflow.domain.batching import CartLimits, Router, route_all, tour
from toteflow.domain.errors import Conflict, NotFound, Refused, ServiceError
from toteflow.domain.floor_batch import FloorBatch
from toteflow.domain.layout import Layout
from toteflow.domain.orders import OrderStatus
from toteflow.domain.roles import Permission, allows
from toteflow.domain.task_plan import OrderLoad, PickLine, PlannedTask, plan_tasks
from toteflow.domain.tasks import WORKABLE, FloorRefusal, TaskStatus, move_task

T = TypeVar("T")

# A release that loses a deadlock or serialization race to another transaction (PostgreSQL
# aborts one of the two) is simply run again, from a fresh read.
ATTEMPTS = 4
_ACTION: dict[ShortagePolicy, wv.ShortageAction] = {
    ShortagePolicy.PARTIAL: "backorder",
    ShortagePolicy.WAIT: "order_waits",
    ShortagePolicy.CANCEL_LINE: "line_cancelled",
}
_ACTION_TEXT = {
    "backorder": "released without them (backorder)",
    "order_waits": "the order waits in the pool",
    "line_cancelled": "cut from the order",
}


@dataclass(frozen=True)
class WavePolicy:
    """Site settings for waves (config [waves])."""

    shortage_policy: ShortagePolicy = ShortagePolicy.PARTIAL
    strategy: wv.Strategy = "cart"
    cart: wv.CartSpec = field(
        default_factory=lambda: wv.CartSpec(slots=8, volume_l=400.0, weight_kg=150.0)
    )
    walking_speed_m_s: float = 1.0
    seconds_per_pick: float = 10.0


@dataclass(frozen=True)
class _Spec:
    filters: wv.WaveFilters
    strategy: wv.Strategy
    cart: wv.CartSpec
    template: str | None

    def stored(self, figures: dict[str, int] | None = None) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "filters": self.filters.model_dump(mode="json", exclude_none=True),
            "cart": self.cart.model_dump(mode="json"),
            "template": self.template,
        }
        if figures is not None:
            spec["figures"] = figures
        return spec


@dataclass
class _Plan:
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


class WaveService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        layout: Callable[[], Layout],
        templates: Sequence[wv.WaveTemplate] = (),
        policy: WavePolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        router: Router = route_all,
    ) -> None:
        self.uow = uow
        self._layout = layout
        self._templates = {t.name: t for t in templates}
        self.policy = policy or WavePolicy()
        self.clock = clock
        self.router = router

    def layout(self) -> Layout:
        try:
            return self._layout()
        except ValueError as exc:  # LayoutError: the configured file is missing or invalid
            raise Refused(f"the warehouse layout cannot be used: {exc}") from None

    # reading ----------------------------------------------------------------------------

    def templates(self, actor: Actor) -> list[wv.WaveTemplate]:
        actor.require(Permission.READ_ORDERS)
        return list(self._templates.values())

    def pool(self, actor: Actor) -> list[wv.PoolGroup]:
        """Received orders waiting for a wave, by carrier, service and ship-by date."""
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            return uow.waves.pool_groups()

    def get(self, actor: Actor, wave_id: int) -> wv.Wave:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            return _wave(_existing(uow, wave_id))

    def find(self, actor: Actor, status: str | None, offset: int, limit: int) -> Page[wv.Wave]:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            rows, total = uow.waves.find(status, offset, limit)
        return Page(items=[_wave(r) for r in rows], total=total, offset=offset, limit=limit)

    # building ---------------------------------------------------------------------------

    def create(self, actor: Actor, body: wv.WaveCreate) -> wv.Wave:
        """A planned wave: its filters are applied when it is previewed and released."""
        actor.require(Permission.MANAGE_WAVES)
        spec = self._spec(body)
        with self.uow() as uow:
            name = body.name or self._new_name(uow, spec.template)
            if uow.waves.name_taken(name):
                raise Conflict(f"a wave named {name} already exists")
            wave_id = uow.waves.add(name, spec.strategy, spec.stored(), actor.user_id)
            uow.audit.record(actor, "wave.created", "wave", name, spec.stored())
            uow.commit()
            return _wave(_existing(uow, wave_id))

    def preview_spec(self, actor: Actor, body: wv.WaveCreate) -> wv.WavePreview:
        """What a wave with these filters would release now; nothing is stored."""
        actor.require(Permission.MANAGE_WAVES)
        spec = self._spec(body)
        with self.uow() as uow:
            return self._figures(self._plan(uow, spec, lock=False), spec)

    def preview(self, actor: Actor, wave_id: int) -> wv.WavePreview:
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            row = _existing(uow, wave_id)
            if row.status != "planned":
                raise Refused(
                    f"wave {row.name} is {_say(row.status)}: only a planned wave is previewed"
                )
            spec = _stored_spec(row)
            return self._figures(self._plan(uow, spec, lock=False), spec)

    def _spec(self, body: wv.WaveCreate) -> _Spec:
        template = None
        if body.template is not None:
            template = self._templates.get(body.template)
            if template is None:
                known = ", ".join(sorted(self._templates)) or "none are configured"
                raise NotFound(f"no wave template {body.template} (known: {known})")
        filters = template.filters if template else wv.WaveFilters()
        if body.filters is not None:
            filters = filters.model_copy(update=body.filters.model_dump(exclude_unset=True))
        strategy = body.strategy or (template.strategy if template else None)
        cart = body.cart or (template.cart if template else None)
        return _Spec(
            filters=filters,
            strategy=strategy or self.policy.strategy,
            cart=cart or self.policy.cart,
            template=template.name if template else None,
        )

    def _new_name(self, uow: UnitOfWork, template: str | None) -> str:
        base = f"{template or 'wave'}-{self.clock().astimezone():%Y%m%d-%H%M%S}"
        name, n = base, 1
        while uow.waves.name_taken(name):
            n += 1
            name = f"{base}-{n}"
        return name

    # release ----------------------------------------------------------------------------

    def release(self, actor: Actor, wave_id: int) -> wv.WaveRelease:
        """Allocate, batch, route and create the tasks, all in one transaction."""
        actor.require(Permission.MANAGE_WAVES)
        return self._retrying(lambda uow: self._release(uow, actor, wave_id))

    def _release(self, uow: UnitOfWork, actor: Actor, wave_id: int) -> wv.WaveRelease:
        row = _existing(uow, wave_id, lock=True)
        if row.status != "planned":
            raise Refused(f"wave {row.name} is {_say(row.status)}: only a planned wave is released")
        spec = _stored_spec(row)
        # The reservations are written while the carts are batched and routed (pure work,
        # on a thread and in worker processes): the database works while Python does.
        plan = self._plan(uow, spec, lock=True, meanwhile=lambda p: self._reserve(uow, row, p))
        now = self.clock()
        if self.policy.shortage_policy == ShortagePolicy.CANCEL_LINE:
            uow.waves.cut_lines(_cuts(plan))
        task_ids = uow.waves.add_tasks(wave_id, _new_tasks(plan))
        uow.exceptions.open_many(_shortage_rows(plan, row, actor, now))
        figures = self._figures(plan, spec)
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
        uow.waves.audit_orders(
            actor,
            "order.released",
            [plan.orders[i].reference for i in plan.released],
            {"from": "received", "to": "released", "wave": row.name},
        )
        uow.waves.audit_orders(
            actor,
            "order.cancelled",
            [plan.orders[i].reference for i in plan.cancelled],
            {"from": "received", "to": "cancelled", "wave": row.name, "reason": "short"},
        )
        uow.commit()
        return wv.WaveRelease(
            wave=_wave(_existing(uow, wave_id)), result=figures, task_ids=task_ids
        )

    def _reserve(self, uow: UnitOfWork, row: WaveRow, plan: _Plan) -> None:
        """The release's writes that need only the allocation, not the tasks."""
        if not plan.released and not plan.cancelled:
            matched = len(plan.orders)
            raise Refused(
                f"wave {row.name} has nothing to release: "
                + (
                    f"none of the {matched} matching orders could be reserved"
                    if matched
                    else "no received order matches its filters"
                )
            )
        reserved = plan.reservations
        uow.waves.reserve(_units(reserved, lambda r: r.stock_id))
        uow.waves.add_allocated(_units(reserved, lambda r: r.line_id))
        # Every order here was locked while received, so the state machine's path is the
        # same for all: received -> allocated -> released, written as one update.
        allocated = rules.advance(OrderStatus.RECEIVED, OrderStatus.ALLOCATED).status
        released = rules.advance(allocated, OrderStatus.RELEASED).status
        uow.waves.set_order_status(plan.released, released.value, expect=("received",))
        if plan.cancelled:
            rules.cancel(OrderStatus.RECEIVED)
            uow.waves.set_order_status(
                plan.cancelled,
                "cancelled",
                expect=("received",),
                reason="nothing could be reserved (shortage policy cancel_line)",
            )

    def _retrying(self, work: Callable[[UnitOfWork], T]) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            uow = self.uow()
            try:
                with uow:
                    return work(uow)
            except ServiceError:
                raise
            except Exception as exc:
                if attempt == ATTEMPTS or not uow.waves.retryable(exc):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _plan(
        self,
        uow: UnitOfWork,
        spec: _Spec,
        *,
        lock: bool,
        meanwhile: Callable[[_Plan], None] | None = None,
    ) -> _Plan:
        """Select, allocate, batch and route; `meanwhile` gets the plan without its tasks
        and runs while they are planned (on a thread: batching is pure computation)."""
        layout = self.layout()
        now = self.clock().astimezone()
        filters = spec.filters
        ship_by, cutoff_at = _ship_by(filters, now)
        candidates = uow.waves.pool(
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
            still = uow.waves.lock_orders(sorted(o.id for o in chosen))
            chosen = [o for o in chosen if o.id in still]
        orders = {o.id: o for o in chosen}
        lines = uow.waves.lines(list(orders))
        rank_of = {o.id: n for n, o in enumerate(chosen)}
        lines.sort(key=lambda ln: (rank_of[ln.order_id], ln.line_no))
        stock = {
            row.id: row
            for row in uow.waves.stock(sorted({ln.product_id for ln in lines}), lock=lock)
            if _in_layout(row, layout)
        }
        demands = [
            Demand(ln.id, ln.order_id, ln.product_id, ln.quantity - ln.allocated, ln.expiry_tracked)
            for ln in lines
            if ln.quantity > ln.allocated
        ]
        allocation = allocate(
            demands,
            (_candidate(row) for row in stock.values()),
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
        plan = _Plan(
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

        def planned() -> _Plan:
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
        lines = uow.waves.lines([o.id for o in orders])
        fefo = {ln.product_id: ln.expiry_tracked for ln in lines}
        first: dict[int, StockRow] = {}
        for row in uow.waves.stock(sorted(fefo), lock=False):
            candidate = _candidate(row)
            if not _in_layout(row, layout) or not usable(candidate, today):
                continue
            best = first.get(row.product_id)
            key = rank(candidate, fefo=fefo[row.product_id])
            if best is None or key < rank(_candidate(best), fefo=fefo[row.product_id]):
                first[row.product_id] = row
        inside: dict[int, bool] = {}
        for ln in lines:
            where = first.get(ln.product_id)
            ok = where is not None and where.zone in zones
            inside[ln.order_id] = inside.get(ln.order_id, True) and ok
        return [o for o in orders if inside.get(o.id, False)]

    def _figures(self, plan: _Plan, spec: _Spec) -> wv.WavePreview:
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
                action=_action(plan, s),
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

    # cancel, hold, resume ---------------------------------------------------------------

    def cancel(self, actor: Actor, wave_id: int, reason: str) -> wv.WaveCancelled:
        """Stop a wave: orders not yet picked go back to the pool, their stock is freed.

        Orders already being picked keep their lines (the goods are in totes) and finish.
        """
        actor.require(Permission.MANAGE_WAVES)
        return self._retrying(lambda uow: self._cancel(uow, actor, wave_id, reason))

    def _cancel(self, uow: UnitOfWork, actor: Actor, wave_id: int, reason: str) -> wv.WaveCancelled:
        row = _existing(uow, wave_id, lock=True)
        if row.status not in ("planned", "released", "on_hold"):
            raise Refused(f"wave {row.name} is {_say(row.status)}: it cannot be cancelled")
        returned: list[str] = []
        kept: list[str] = []
        cancelled_tasks = 0
        if row.status != "planned":
            orders = uow.waves.wave_orders(wave_id, lock=True)
            back = [o for o in orders if _returnable(o)]
            kept = [o.reference for o in orders if not _returnable(o)]
            before = {t.id: t for t in uow.waves.wave_tasks(wave_id)}
            uow.waves.free_orders_work([o.id for o in back])
            # Back along the state machine: released -> allocated -> received. An order on
            # hold stays on hold, to come back received when its hold is released.
            unallocated = rules.advance(OrderStatus.RELEASED, OrderStatus.ALLOCATED).status
            received = rules.advance(unallocated, OrderStatus.RECEIVED).status
            uow.waves.set_order_status(
                [o.id for o in back if o.status == OrderStatus.RELEASED],
                received.value,
                expect=("released",),
            )
            uow.waves.set_order_status(
                [o.id for o in back if o.status == OrderStatus.ON_HOLD],
                "on_hold",
                expect=("on_hold",),
                held_from=received.value,
            )
            for task in uow.waves.settle_tasks(wave_id):
                cancelled_tasks += 1
                if task.station_id is not None:
                    uow.feed.add_change(
                        "task.cancelled",
                        "task",
                        str(task.id),
                        {"task_id": task.id, "reason": f"wave {row.name} cancelled: {reason}"},
                        station_id=task.station_id,
                    )
                before.pop(task.id, None)
            # Tasks that go on without some of their lines: their stations are sent the task
            # again, and mark those lines cancelled.
            for task in before.values():
                if task.station_id is not None and task.status in WORKABLE:
                    _announce(uow, task.id, task.station_id)
            returned = [o.reference for o in back]
            for reference in returned:
                uow.audit.record(
                    actor, "order.returned_to_pool", "order", reference, {"wave": row.name}
                )
        uow.waves.update(wave_id, status="cancelled")
        uow.audit.record(
            actor,
            "wave.cancelled",
            "wave",
            row.name,
            {"reason": reason, "returned": len(returned), "kept": len(kept)},
        )
        uow.commit()
        return wv.WaveCancelled(
            wave=_wave(_existing(uow, wave_id)),
            orders_returned=returned,
            orders_kept=kept,
            tasks_cancelled=cancelled_tasks,
        )

    def hold(self, actor: Actor, wave_id: int, reason: str) -> wv.Wave:
        """No more of the wave's tasks are handed out; tasks already in hand carry on."""
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            row = _existing(uow, wave_id, lock=True)
            if row.status != "released":
                raise Refused(
                    f"wave {row.name} is {_say(row.status)}: only a released wave is held"
                )
            # Paused with no one on it: next-task hand-out takes only ready tasks.
            held = uow.waves.set_wave_tasks(wave_id, "paused", where="ready", unassigned=True)
            uow.waves.update(wave_id, status="on_hold")
            uow.audit.record(
                actor, "wave.held", "wave", row.name, {"reason": reason, "tasks": held}
            )
            uow.commit()
            return _wave(_existing(uow, wave_id))

    def resume(self, actor: Actor, wave_id: int) -> wv.Wave:
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            row = _existing(uow, wave_id, lock=True)
            if row.status != "on_hold":
                raise Refused(f"wave {row.name} is {_say(row.status)}, not on hold")
            freed = uow.waves.set_wave_tasks(wave_id, "ready", where="paused", unassigned=True)
            uow.waves.update(wave_id, status="released")
            uow.audit.record(actor, "wave.resumed", "wave", row.name, {"tasks": freed})
            uow.commit()
            return _wave(_existing(uow, wave_id))

    # progress ---------------------------------------------------------------------------

    def progress(self, actor: Actor, wave_id: int, *, open_tasks: bool = True) -> wv.WaveProgress:
        """Lines done per wave, zone and picker, and lines per hour; the open tasks if asked."""
        actor.require(Permission.READ_ORDERS)
        now = self.clock()
        with self.uow() as uow:
            row = _existing(uow, wave_id)
            activity = uow.waves.activity(wave_id, row.released_at, task_lines=open_tasks)
        zones: dict[str | None, list[int]] = {}
        pickers: dict[int, int] = defaultdict(int)
        lines = done = short = units = picked = 0
        for r in activity.rows:
            if r.status == "cancelled":
                continue
            finished = r.status in ("picked", "short")
            zone = zones.setdefault(r.zone, [0, 0, 0, 0])
            zone[0] += r.lines
            zone[1] += r.lines if finished else 0
            zone[2] += r.units
            zone[3] += r.picked
            lines += r.lines
            done += r.lines if finished else 0
            short += r.lines if r.status == "short" else 0
            units += r.units
            picked += r.picked
            if r.user_id is not None and finished:
                pickers[r.user_id] += r.lines
        tasks_of: dict[int, list[datetime]] = defaultdict(list)
        for task in activity.tasks:
            if task.user_id is not None:
                tasks_of[task.user_id].append(task.assigned_at or now)
        people = []
        for user_id in sorted(set(tasks_of) | set(pickers)):
            started = min(tasks_of.get(user_id) or [now])
            last = activity.last_event.get(user_id) or now
            people.append(
                wv.PickerProgress(
                    user_id=user_id,
                    name=activity.names.get(user_id, f"user {user_id}"),
                    tasks=len(tasks_of.get(user_id, [])),
                    lines_done=pickers.get(user_id, 0),
                    lines_per_hour=_per_hour(pickers.get(user_id, 0), started, last),
                )
            )
        unfinished = [t for t in activity.tasks if t.status not in ("done", "cancelled")]
        released_at = row.released_at or now
        return wv.WaveProgress(
            wave=_wave(row),
            tasks=len(activity.tasks),
            tasks_done=sum(1 for t in activity.tasks if t.status == "done"),
            lines=lines,
            lines_done=done,
            lines_short=short,
            units=units,
            units_picked=picked,
            percent_done=round(100 * done / lines, 1) if lines else 0.0,
            lines_per_hour=_per_hour(done, released_at, activity.last_event.get(None) or now),
            finished=row.status == "done"
            or (row.status in ("released", "on_hold") and not unfinished and done == lines),
            zones=[
                wv.ZoneProgress(zone=z, lines=v[0], lines_done=v[1], units=v[2], units_picked=v[3])
                for z, v in sorted(zones.items(), key=lambda z: (z[0] is None, z[0] or ""))
            ],
            pickers=people,
            open_tasks=[
                wv.TaskProgress(
                    id=t.id,
                    kind=t.kind,
                    zone=t.zone,
                    status=t.status,
                    user_id=t.user_id,
                    name=activity.names.get(t.user_id) if t.user_id is not None else None,
                    lines=t.lines,
                    lines_done=t.lines_done,
                )
                for t in (unfinished if open_tasks else [])
            ],
        )

    # exceptions -------------------------------------------------------------------------

    def exceptions(
        self, actor: Actor, status: str | None, kind: str | None, offset: int, limit: int
    ) -> Page[wv.FloorException]:
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            return uow.waves.exceptions(status, kind, offset, limit)

    def resolve(
        self, actor: Actor, exception_id: int, body: wv.ExceptionResolve
    ) -> wv.ExceptionResolved:
        actor.require(Permission.MANAGE_WAVES)
        return self._retrying(lambda uow: self._resolve(uow, actor, exception_id, body))

    def _resolve(
        self, uow: UnitOfWork, actor: Actor, exception_id: int, body: wv.ExceptionResolve
    ) -> wv.ExceptionResolved:
        found = uow.waves.exception(exception_id, lock=True)
        if found is None:
            raise NotFound(f"no floor exception {exception_id}")
        if found.status != "open":
            raise Refused(f"floor exception {exception_id} is already resolved")
        now = self.clock()
        got, task_id = 0, None
        note = body.note
        if body.action == "close":
            resolution = note or "closed"
            uow.waves.resolve_exception(
                exception_id, user_id=actor.user_id, at=now, resolution=resolution
            )
        else:
            line, missing, exclude, wave_id = self._shortfall(uow, found)
            if body.action == "reallocate":
                if line.order_status not in ("released", "picking"):
                    raise Refused(
                        f"order {line.reference} is {_say(line.order_status)}: only a released "
                        "order's lines are re-allocated (a received order goes in a wave)"
                    )
                got, task_id = self._reallocate(uow, actor, line, missing, exclude, wave_id, None)
                left = missing - got
                resolution = f"{got} re-allocated" + (f", {left} still missing" if left else "")
                uow.waves.resolve_exception(
                    exception_id,
                    user_id=actor.user_id,
                    at=now,
                    resolution=(f"{resolution}: {note}" if note else resolution)[:300],
                    detail={**found.detail, "missing": left},
                    still_open=left > 0,
                )
            else:
                keep = max(line.allocated, line.picked, line.quantity - missing)
                uow.waves.cut_lines({line.id: keep})
                resolution = f"{line.quantity - keep} of {line.sku} cut from order {line.reference}"
                uow.waves.resolve_exception(
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
        resolved = uow.waves.exception(exception_id, lock=False)
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
            origin = uow.waves.task_line_origin(found.task_line_id)
            if origin is not None:
                order_line_id, wave_id = origin.order_line_id, origin.wave_id
                exclude = frozenset({origin.location_id})
        missing = detail.get("missing")
        if not isinstance(order_line_id, int) or not isinstance(missing, int) or missing < 1:
            raise Refused(
                f"floor exception {found.id} ({found.kind}) names no missing units of an order "
                "line: it can only be closed"
            )
        line = uow.waves.line_info(order_line_id)
        if line is None:
            raise Refused(f"the order line of floor exception {found.id} no longer exists")
        return line, min(missing, line.quantity - line.picked), exclude, wave_id

    # re-allocation ----------------------------------------------------------------------

    def reallocate_shorts(self, uow: UnitOfWork, batch: FloorBatch) -> dict[int, int]:
        """Re-allocate the units a batch of floor events reported short; units per task line.

        Called inside the push transaction before its writes: the new lines are in place when
        the orders' progress is worked out, so an order stays "picking" rather than "picked".
        """
        covered: dict[int, int] = defaultdict(int)
        system = Actor(None, None, None, "server")
        for note in batch.shorts:
            state = batch.lines.get(note.task_line_id)
            if state is None or state.order_status not in ("released", "picking"):
                continue
            origin = uow.waves.task_line_origin(note.task_line_id)
            line = uow.waves.line_info(state.order_line_id)
            if origin is None or line is None:
                continue
            status = batch.tasks.get(state.task_id, state.task_status)
            target = (state.task_id, origin.slot) if status in WORKABLE else None
            got, _ = self._reallocate(
                uow,
                system,
                line,
                note.missing,
                frozenset({origin.location_id}),
                origin.wave_id,
                target,
                batch=batch,
            )
            covered[note.task_line_id] += got
        return dict(covered)

    def _reallocate(
        self,
        uow: UnitOfWork,
        actor: Actor,
        line: LineInfo,
        missing: int,
        exclude: frozenset[int],
        wave_id: int | None,
        target: tuple[int, int] | None,
        *,
        batch: FloorBatch | None = None,
    ) -> tuple[int, int | None]:
        """Reserve missing units of a line elsewhere; into the target task's slot, or a new task.

        Inside a push, the line's `allocated` goes up through the batch: its short has taken
        the units off in a delta not yet written, and writing ours first would overshoot.
        """
        if missing < 1:
            return 0, None
        layout = self.layout()
        rows = {
            row.id: row
            for row in uow.waves.stock([line.product_id], lock=True, exclude_locations=exclude)
            if _in_layout(row, layout)
        }
        found = allocate(
            [Demand(line.id, line.order_id, line.product_id, missing, line.expiry_tracked)],
            (_candidate(row) for row in rows.values()),
            today=self.clock().astimezone().date(),
        )
        if not found.reservations:
            return 0, None
        got = sum(r.quantity for r in found.reservations)
        uow.waves.reserve(found.by_stock())
        if batch is not None:
            batch.order_line_deltas[line.id][1] += got
        else:
            uow.waves.add_allocated({line.id: got})
        slot = target[1] if target else 1
        new = [
            NewLine(line.id, rows[r.stock_id], line.product_id, r.quantity, slot)
            for r in found.reservations
        ]
        if target is not None:
            task_id = target[0]
            new.sort(key=lambda n: n.stock.location)
            uow.waves.append_lines(task_id, new)
            task = uow.waves.task(task_id, lock=False)
            if task is not None and task.station_id is not None:
                _announce(uow, task_id, task.station_id)
        else:
            walked = tour(layout, ((n.stock.aisle, n.stock.bay) for n in new))
            place = {stop: i for i, stop in enumerate(walked.stops)}
            new.sort(key=lambda n: (place[(n.stock.aisle, n.stock.bay)], n.stock.location))
            (task_id,) = uow.waves.add_tasks(
                wave_id,
                [
                    NewTask(
                        "discrete",
                        None,
                        line.priority,
                        walked.distance_m,
                        (line.order_id,),
                        tuple(new),
                    )
                ],
            )
        uow.audit.record(
            actor,
            "order_line.reallocated",
            "order",
            line.reference,
            {"line_no": line.line_no, "sku": line.sku, "units": got, "task_id": task_id},
        )
        return got, task_id

    # tasks ------------------------------------------------------------------------------

    def unassign(self, actor: Actor, task_id: int, reason: str) -> tk.Task:
        """Take a task back from its picker: it goes back to the queue (or waits, if held)."""
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            task = uow.waves.task(task_id, lock=True)
            if task is None:
                raise NotFound(f"no task {task_id}")
            if task.user_id is None:
                raise Refused(f"task {task_id} is not assigned to anyone")
            _move(task.status, TaskStatus.READY, task_id)
            held = task.wave_id is not None and _wave_status(uow, task.wave_id) == "on_hold"
            uow.waves.set_task(task_id, "paused" if held else "ready", None, None, None)
            if task.station_id is not None:
                uow.feed.add_change(
                    "task.unassigned",
                    "task",
                    str(task_id),
                    {"task_id": task_id, "reason": reason},
                    station_id=task.station_id,
                )
            uow.audit.record(
                actor,
                "task.unassigned",
                "task",
                str(task_id),
                {"from": task.user_id, "reason": reason},
            )
            uow.commit()
            found = uow.tasks.get(task_id)
        assert found is not None
        return found

    def reassign(self, actor: Actor, task_id: int, user_id: int, reason: str) -> tk.Task:
        """Give a task to another person, at the station they are logged in at."""
        actor.require(Permission.MANAGE_WAVES)
        now = self.clock()
        with self.uow() as uow:
            task = uow.waves.task(task_id, lock=True)
            if task is None:
                raise NotFound(f"no task {task_id}")
            person = uow.people.get_user(user_id)
            if person is None:
                raise NotFound(f"no user {user_id}")
            if not person.active or not allows(person.role, Permission.PICK):
                raise Refused(f"{person.name} cannot take pick tasks")
            station_id = uow.waves.user_station(user_id, now)
            if station_id is None:
                raise Refused(f"{person.name} is not logged in at any station")
            if task.status != TaskStatus.READY:
                _move(task.status, TaskStatus.READY, task_id)
            if task.status == TaskStatus.PAUSED and task.user_id is None:
                raise Refused(f"task {task_id} waits for its wave to be resumed")
            _move(TaskStatus.READY, TaskStatus.ASSIGNED, task_id)
            uow.waves.set_task(task_id, "assigned", user_id, station_id, now)
            if task.station_id is not None:
                uow.feed.add_change(
                    "task.unassigned",
                    "task",
                    str(task_id),
                    {"task_id": task_id, "reason": reason or f"given to {person.name}"},
                    station_id=task.station_id,
                )
            found = _announce(uow, task_id, station_id)
            uow.audit.record(
                actor,
                "task.reassigned",
                "task",
                str(task_id),
                {"from": task.user_id, "to": user_id, "station_id": station_id, "reason": reason},
            )
            uow.commit()
        return found


# ---------------------------------------------------------------------------------------------


def _existing(uow: UnitOfWork, wave_id: int, *, lock: bool = False) -> WaveRow:
    row = uow.waves.get(wave_id, lock=lock)
    if row is None:
        raise NotFound(f"no wave {wave_id}")
    return row


def _wave_status(uow: UnitOfWork, wave_id: int) -> str | None:
    row = uow.waves.get(wave_id)
    return row.status if row else None


def _stored_spec(row: WaveRow) -> _Spec:
    return _Spec(
        filters=wv.WaveFilters.model_validate(row.spec.get("filters", {})),
        strategy=row.strategy,  # type: ignore[arg-type]
        cart=wv.CartSpec.model_validate(row.spec["cart"]),
        template=row.spec.get("template"),
    )


def _wave(row: WaveRow) -> wv.Wave:
    spec = _stored_spec(row)
    figures = row.spec.get("figures", {})
    return wv.Wave(
        id=row.id,
        name=row.name,
        status=row.status,
        strategy=spec.strategy,
        template=spec.template,
        filters=spec.filters,
        cart=spec.cart,
        created_by=row.created_by,
        created_at=row.created_at,
        released_at=row.released_at,
        orders=figures.get("orders", 0),
        lines=figures.get("lines", 0),
        tasks=figures.get("tasks", 0),
    )


def _say(status: str) -> str:
    return status.replace("_", " ")


def _move(current: str, target: TaskStatus, task_id: int) -> None:
    try:
        move_task(TaskStatus(current), target)
    except FloorRefusal as refusal:
        raise Refused(f"task {task_id}: {refusal}") from None


def _announce(uow: UnitOfWork, task_id: int, station_id: int) -> tk.Task:
    """Send the task as it now stands to the station that holds it (stations upsert it)."""
    task = uow.tasks.get(task_id)
    assert task is not None
    uow.feed.add_change(
        "task.assigned", "task", str(task_id), task.model_dump(mode="json"), station_id=station_id
    )
    return task


def _returnable(order: WaveOrder) -> bool:
    """An order of a cancelled wave goes back to the pool while nothing of it is picked."""
    return order.status == OrderStatus.RELEASED or (
        order.status == OrderStatus.ON_HOLD and order.held_from == OrderStatus.RELEASED
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


def _in_layout(row: StockRow, layout: Layout) -> bool:
    # Stock somewhere the layout does not have cannot be routed to: it is not offered.
    return 1 <= row.aisle <= layout.aisles and 1 <= row.bay <= layout.bays_per_aisle


def _candidate(row: StockRow) -> StockCandidate:
    return StockCandidate(
        stock_id=row.id,
        product_id=row.product_id,
        kind=row.kind,
        received_on=row.received_on,
        expiry=row.expiry,
        free=row.free,
        location=row.location,
    )


def _units(
    reservations: Iterable[Reservation], key: Callable[[Reservation], int]
) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for r in reservations:
        totals[key(r)] += r.quantity
    return dict(totals)


def _cuts(plan: _Plan) -> dict[int, int]:
    """Under cancel_line: each short line of a released order shortened to what was reserved."""
    released = set(plan.released)
    reserved = _units(plan.reservations, lambda r: r.line_id)
    return {
        s.line_id: plan.lines[s.line_id].allocated + reserved.get(s.line_id, 0)
        for s in plan.allocation.shortages
        if s.order_id in released
    }


def _new_tasks(plan: _Plan) -> list[NewTask]:
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
            )
        )
    return out


def _shortage_rows(plan: _Plan, wave: WaveRow, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for s in plan.allocation.shortages:
        order, line = plan.orders[s.order_id], plan.lines[s.line_id]
        if s.order_id in plan.cancelled:
            action = "order_cancelled"
            text = f"order {order.reference} cancelled: nothing of it could be reserved"
        else:
            action = _action(plan, s)
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


def _action(plan: _Plan, shortage: Shortage) -> wv.ShortageAction:
    # An order nothing could be reserved for stays in the pool whatever the policy says.
    return "order_waits" if shortage.order_id in plan.left_ids else _ACTION[shortage.policy]


def _per_hour(lines: int, start: datetime, end: datetime) -> float:
    # At least a minute: the first line of a shift would otherwise read as thousands an hour.
    seconds = max((end - start).total_seconds(), 60.0)
    return round(lines * 3600 / seconds, 1) if lines else 0.0
