"""Pick tasks for a wave: its reserved lines into tasks per strategy, each routed exactly.

discrete: one task per order; cart: orders batched onto carts (`batching.batch_orders`);
zone: one task per order and zone, each zone walked from its own front; an order's zone tasks
form a chain (pick-and-pass): each names the next zone as its tote's destination and waits for
the one before it, and the last sends the tote to packing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from toteflow.domain.batching import (
    STRATEGIES,
    BatchOrder,
    CartLimits,
    Method,
    Router,
    Stop,
    Strategy,
    Tour,
    batch_orders,
    route_all,
    zone_layout,
)
from toteflow.domain.layout import Layout
from toteflow.domain.zone_pass import PACK, chain


class PickLine(NamedTuple):
    """One reservation to pick: the caller's handle for it, its order, where and in which zone."""

    key: int
    order_id: int
    stop: Stop
    location: str  # the location code: lines at one stop are taken in code order (by level)
    zone: str | None


@dataclass(frozen=True)
class OrderLoad:
    """An order's size, batching group and arrival, for cart limits and the baseline."""

    order_id: int
    volume_l: float = 0.0
    weight_kg: float = 0.0
    group: str = ""
    seq: int = 0


@dataclass(frozen=True)
class PlannedTask:
    """A task to create: its kind, its zone, the order in each slot, its lines in route order."""

    kind: Strategy
    zone: str | None
    orders: tuple[int, ...]  # slot n holds orders[n - 1]
    lines: tuple[tuple[int, int], ...]  # (line key, slot), in the order the picker walks
    distance_m: float
    # Where the slot's tote goes when the task is done: packing, or the order's next zone.
    destination: str = PACK
    # The index (in the plan) of the order's zone task before this one, which it waits for.
    after: int | None = None


def plan_tasks(
    strategy: Strategy,
    lines: Sequence[PickLine],
    loads: Mapping[int, OrderLoad],
    layout: Layout,
    limits: CartLimits,
    *,
    method: Method = "savings",
    router: Router = route_all,
) -> list[PlannedTask]:
    """Pick tasks for a wave's reserved lines under one strategy.

    discrete: one task per order (one tote). cart: orders batched onto carts, one route per
    cart. zone: one task per order and zone, routed from the front of the zone's first aisle;
    the tote passes from zone to zone, then to packing.
    """
    by_order: dict[int, list[PickLine]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
    tasks: list[PlannedTask] = []
    if strategy == "cart":
        batch = [
            BatchOrder(
                order_id,
                tuple(line.stop for line in order_lines),
                loads[order_id].volume_l,
                loads[order_id].weight_kg,
                loads[order_id].group,
                loads[order_id].seq,
            )
            for order_id, order_lines in by_order.items()
        ]
        for cart in batch_orders(batch, limits, layout, method=method, router=router):
            tasks.append(_task("cart", None, cart.orders, by_order, cart.tour))
    elif strategy == "discrete":
        orders = list(by_order)
        tours = router(layout, [[line.stop for line in by_order[o]] for o in orders])
        for order_id, walked in zip(orders, tours, strict=True):
            tasks.append(_task("discrete", None, (order_id,), by_order, walked))
    elif strategy == "zone":
        # Each zone is walked from its own front: one batch of routes per zone.
        per_zone: dict[str | None, list[tuple[int, list[PickLine]]]] = {}
        for order_id, order_lines in by_order.items():
            zones: dict[str | None, list[PickLine]] = {}
            for line in order_lines:
                zones.setdefault(line.zone, []).append(line)
            for zone, zone_lines in zones.items():
                per_zone.setdefault(zone, []).append((order_id, zone_lines))
        # Zones in walking order from the depot (by first aisle): the tote passes A, B, C.
        order = _zone_order(layout)
        for zone in sorted(per_zone, key=order):
            work = per_zone[zone]
            tours = router(zone_layout(layout, zone), [[ln.stop for ln in z] for _, z in work])
            for (order_id, zone_lines), walked in zip(work, tours, strict=True):
                tasks.append(_task("zone", zone, (order_id,), {order_id: zone_lines}, walked))
        tasks = _pass_on(tasks, order)
    else:
        raise ValueError(f"unknown pick strategy {strategy!r}; choose from {', '.join(STRATEGIES)}")
    return tasks


def _zone_order(layout: Layout) -> Callable[[str | None], tuple[bool, int, str]]:
    first_aisle = {zone.name: zone.first_aisle for zone in layout.zones}

    def key(zone: str | None) -> tuple[bool, int, str]:
        # Aisles outside every zone come last.
        return (zone is None, first_aisle.get(zone or "", 0), zone or "")

    return key


def _pass_on(
    tasks: list[PlannedTask], order: Callable[[str | None], tuple[bool, int, str]]
) -> list[PlannedTask]:
    """Chain each order's zone tasks in zone order: the tote passes on, then to packing."""
    per_order: dict[int, list[int]] = {}
    for n, task in enumerate(tasks):
        per_order.setdefault(task.orders[0], []).append(n)
    out = list(tasks)
    for indexes in per_order.values():
        indexes.sort(key=lambda n: order(tasks[n].zone))
        destinations = chain([tasks[n].zone for n in indexes])
        for k, n in enumerate(indexes):
            out[n] = replace(
                tasks[n], destination=destinations[k], after=indexes[k - 1] if k else None
            )
    return out


def _task(
    kind: Strategy,
    zone: str | None,
    orders: tuple[int, ...],
    by_order: Mapping[int, list[PickLine]],
    walked: Tour,
) -> PlannedTask:
    place = {stop: n for n, stop in enumerate(walked.stops)}
    slot_of = {order_id: slot for slot, order_id in enumerate(orders, start=1)}
    lines = [line for order_id in orders for line in by_order[order_id]]
    lines.sort(key=lambda ln: (place[ln.stop], ln.location, slot_of[ln.order_id], ln.key))
    return PlannedTask(
        kind,
        zone,
        orders,
        tuple((line.key, slot_of[line.order_id]) for line in lines),
        walked.distance_m,
    )
