"""Batching and pick tasks: exact tours, cart limits kept, never worse than FCFS batching."""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toteflow.domain import batching
from toteflow.domain.batching import (
    BatchOrder,
    CartLimits,
    batch_orders,
    estimate,
    fcfs_batches,
    savings_batches,
    total_distance,
    tour,
    zone_layout,
)
from toteflow.domain.layout import Layout, LocationCode
from toteflow.domain.route_network import tour_length
from toteflow.domain.routing import route
from toteflow.domain.task_plan import OrderLoad, PickLine, plan_tasks
from toteflow.shared.layout_file import load_layout

ROOT = Path(__file__).resolve().parents[2]
TWO = load_layout(ROOT / "config" / "warehouse.toml")
ONE = load_layout(ROOT / "tests" / "layouts" / "one_block.toml")
THREE = load_layout(ROOT / "tests" / "layouts" / "three_blocks.toml")


def random_orders(
    layout: Layout, rng: random.Random, count: int, *, max_lines: int = 6, groups: int = 1
) -> list[BatchOrder]:
    orders = []
    for n in range(count):
        stops = tuple(
            (rng.randint(1, layout.aisles), rng.randint(1, layout.bays_per_aisle))
            for _ in range(rng.randint(1, max_lines))
        )
        orders.append(
            BatchOrder(
                order_id=1000 + n,
                stops=stops,
                volume_l=rng.uniform(1, 60),
                weight_kg=rng.uniform(0.5, 20),
                group=f"g{rng.randrange(groups)}",
                seq=n,
            )
        )
    return orders


def exact(layout: Layout, stops: list[tuple[int, int]]) -> float:
    return route(layout, [LocationCode(a, b, 1) for a, b in stops]).distance_m


@pytest.mark.parametrize("layout", [ONE, TWO, THREE], ids=["one", "two", "three"])
def test_tours_are_as_short_as_the_exact_router(layout: Layout) -> None:
    rng = random.Random(f"tours {layout.blocks}")
    for _ in range(60):
        stops = [
            (rng.randint(1, layout.aisles), rng.randint(1, layout.bays_per_aisle))
            for _ in range(rng.randint(1, 9))
        ]
        found = tour(layout, stops)
        assert found.distance_m == pytest.approx(exact(layout, stops))
        assert sorted(found.stops) == sorted(set(stops))


def test_a_zone_tour_starts_at_the_front_of_the_zone() -> None:
    zone_c = zone_layout(TWO, "C")  # aisles 11-15
    assert zone_c.depot_aisle == 11
    assert tour(zone_c, [(11, 1)]).distance_m == pytest.approx(2 * 0.75)
    assert tour(TWO, [(11, 1)]).distance_m == pytest.approx(2 * (10 * 4.0 + 0.75))
    assert zone_layout(TWO, None) is TWO


def test_the_estimate_tracks_the_exact_tour() -> None:
    rng = random.Random("estimate")
    ratios = []
    for _ in range(200):
        stops = [(rng.randint(1, 20), rng.randint(1, 40)) for _ in range(rng.randint(5, 30))]
        ratios.append(estimate(TWO, stops) / exact(TWO, stops))
    mean = sum(ratios) / len(ratios)
    assert 0.85 < mean < 1.15
    assert max(ratios) < 1.6
    assert min(ratios) > 0.6


def check_carts(orders: list[BatchOrder], batches: list[list[int]], limits: CartLimits) -> None:
    by_id = {o.order_id: o for o in orders}
    placed = Counter(i for batch in batches for i in batch)
    assert placed == Counter(list(by_id)), "every order on exactly one cart"
    for batch in batches:
        assert 1 <= len(batch) <= limits.slots
        assert len({by_id[i].group for i in batch}) == 1, "a cart never mixes groups"
        if len(batch) > 1:
            assert sum(by_id[i].volume_l for i in batch) <= limits.volume_l + 1e-6
            assert sum(by_id[i].weight_kg for i in batch) <= limits.weight_kg + 1e-6


@pytest.mark.parametrize("slots", [1, 2, 5, 8, 12])
def test_carts_keep_their_limits(slots: int) -> None:
    rng = random.Random(f"limits {slots}")
    orders = random_orders(TWO, rng, 300, groups=3)
    limits = CartLimits(slots, volume_l=150, weight_kg=60)
    check_carts(orders, savings_batches(orders, limits, TWO), limits)
    check_carts(orders, fcfs_batches(orders, limits), limits)
    carts = batch_orders(orders, limits, TWO)
    check_carts(orders, [list(c.orders) for c in carts], limits)


def test_an_order_too_big_for_any_cart_rides_alone() -> None:
    big = BatchOrder(1, ((3, 4),), volume_l=900, weight_kg=1)
    small = [BatchOrder(n, ((3, 5),), volume_l=1, weight_kg=1) for n in range(2, 6)]
    carts = batch_orders([big, *small], CartLimits(8, volume_l=400, weight_kg=100), TWO)
    assert (1,) in [c.orders for c in carts]
    assert sorted(i for c in carts for i in c.orders) == [1, 2, 3, 4, 5]


orders_strategy = st.lists(
    st.tuples(
        st.lists(st.tuples(st.integers(1, 20), st.integers(1, 40)), min_size=1, max_size=6),
        st.floats(0, 120),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(raw=orders_strategy, slots=st.integers(1, 8), volume=st.sampled_from([math.inf, 200.0]))
def test_never_worse_than_first_come_first_served(
    raw: list[tuple[list[tuple[int, int]], float]], slots: int, volume: float
) -> None:
    orders = [
        BatchOrder(n, tuple(stops), volume_l=v, seq=n) for n, (stops, v) in enumerate(raw, start=1)
    ]
    limits = CartLimits(slots, volume_l=volume)
    ours = batch_orders(orders, limits, TWO)
    baseline = batch_orders(orders, limits, TWO, method="fcfs")
    assert total_distance(ours) <= total_distance(baseline) + 1e-6
    check_carts(orders, [list(c.orders) for c in ours], limits)
    for cart in ours:
        stops = [s for i in cart.orders for s in orders[i - 1].stops]
        assert cart.tour.distance_m == pytest.approx(exact(TWO, stops))


@pytest.mark.parametrize("layout", [ONE, TWO, THREE], ids=["one", "two", "three"])
def test_savings_walk_clearly_less_than_first_come_first_served(layout: Layout) -> None:
    rng = random.Random(f"saving {layout.blocks}")
    orders = random_orders(layout, rng, 600)
    limits = CartLimits(8)
    ours = total_distance(batch_orders(orders, limits, layout))
    baseline = total_distance(batch_orders(orders, limits, layout, method="fcfs"))
    # Clarke-Wright in the literature saves some 12-16% against first-come-first-served.
    assert ours < 0.88 * baseline


def test_large_groups_are_scored_in_a_window_not_pair_by_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 4,000-order group: each order scored against its neighbours only, not all pairs."""
    rng = random.Random("window")
    orders = random_orders(TWO, rng, 4000, max_lines=3)
    scored: list[tuple[float, int, int]] = []
    original = batching._savings

    def spy(layout: Layout, shapes: list[batching.Footprint], window: int) -> Any:
        found = original(layout, shapes, window)
        scored.extend(found)
        return found

    monkeypatch.setattr(batching, "_savings", spy)
    batches = savings_batches(orders, CartLimits(8), TWO)
    check_carts(orders, batches, CartLimits(8))
    window = batching.WINDOW_CARTS * 8
    assert all(0 < y - x <= window for _, x, y in scored)
    assert len(scored) < len(orders) * (len(orders) - 1) // 2 / 10


def test_small_groups_are_scored_on_every_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    orders = random_orders(TWO, random.Random("all pairs"), 300)
    windows: list[int] = []
    original = batching._savings

    def spy(layout: Layout, shapes: list[batching.Footprint], window: int) -> Any:
        windows.append(window)
        return original(layout, shapes, window)

    monkeypatch.setattr(batching, "_savings", spy)
    savings_batches(orders, CartLimits(8), TWO)
    assert windows == [300]


def pick_lines(rng: random.Random, orders: int) -> tuple[list[PickLine], dict[int, OrderLoad]]:
    lines, loads, key = [], {}, 0
    for order_id in range(1, orders + 1):
        loads[order_id] = OrderLoad(order_id, volume_l=5, weight_kg=1, seq=order_id)
        for _ in range(rng.randint(1, 5)):
            aisle, bay, level = rng.randint(1, 20), rng.randint(1, 40), rng.randint(1, 3)
            zone = TWO.zone_of(aisle).name
            code = LocationCode(aisle, bay, level).format()
            lines.append(PickLine(key, order_id, (aisle, bay), code, zone))
            key += 1
    return lines, loads


def walked_in_order(layout: Layout, task_lines: list[PickLine]) -> bool:
    stops = [line.stop for line in task_lines]
    distinct = list(dict.fromkeys(stops))
    # Each stop is visited once, in one run: the lines at one stop are consecutive.
    return len(distinct) == len(set(stops)) and tour(layout, distinct).distance_m == pytest.approx(
        sum_path(layout, distinct)
    )


def sum_path(layout: Layout, stops: list[tuple[int, int]]) -> float:
    return tour_length(layout, [LocationCode(a, b, 1) for a, b in stops])


@pytest.mark.parametrize("strategy", ["discrete", "cart", "zone"])
def test_tasks_cover_every_line_once_in_route_order(strategy: str) -> None:
    rng = random.Random(strategy)
    lines, loads = pick_lines(rng, 60)
    by_key = {line.key: line for line in lines}
    tasks = plan_tasks(strategy, lines, loads, TWO, CartLimits(6))  # type: ignore[arg-type]
    assert sorted(k for task in tasks for k, _ in task.lines) == sorted(by_key)
    for task in tasks:
        task_lines = [by_key[k] for k, _ in task.lines]
        # Slots: each order in its own slot, each line into its order's slot.
        assert [task.orders[slot - 1] for _, slot in task.lines] == [
            ln.order_id for ln in task_lines
        ]
        layout = zone_layout(TWO, task.zone) if strategy == "zone" else TWO
        assert walked_in_order(layout, task_lines)
        assert task.distance_m == pytest.approx(
            tour(layout, [ln.stop for ln in task_lines]).distance_m
        )
        if strategy == "discrete":
            assert len(task.orders) == 1
            assert task.zone is None
        if strategy == "cart":
            assert 1 <= len(task.orders) <= 6
        if strategy == "zone":
            assert len(task.orders) == 1
            assert {ln.zone for ln in task_lines} == {task.zone}
    if strategy == "zone":
        pairs = Counter((task.orders[0], task.zone) for task in tasks)
        assert max(pairs.values()) == 1


def test_an_unknown_strategy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown pick strategy"):
        plan_tasks("wave", [], {}, TWO, CartLimits())  # type: ignore[arg-type]
