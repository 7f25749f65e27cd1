"""Pick-and-pass planning: an order's zone tasks are chained, the tote goes on, then to packing."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from tests.unit.test_batching import TWO, pick_lines
from toteflow.domain.batching import CartLimits
from toteflow.domain.layout import Zone
from toteflow.domain.task_plan import OrderLoad, PickLine, plan_tasks
from toteflow.domain.zone_pass import (
    PACK,
    chain,
    destination_words,
    is_packing,
    next_zone,
    to_zone,
)


def test_each_orders_zone_tasks_pass_the_tote_on_in_zone_order_then_to_packing() -> None:
    lines, loads = pick_lines(random.Random("zones"), 40)
    tasks = plan_tasks("zone", lines, loads, TWO, CartLimits(6))
    per_order: dict[int, list[int]] = {}
    for n, task in enumerate(tasks):
        per_order.setdefault(task.orders[0], []).append(n)
    several = 0
    for indexes in per_order.values():
        zones = [tasks[n].zone for n in indexes]
        # Walked from the depot: A (aisles 1-5), B, C, D, as their first aisles go.
        assert zones == sorted(zones, key=lambda z: z or "")
        assert [tasks[n].after for n in indexes] == [None, *indexes[:-1]]
        assert [tasks[n].destination for n in indexes] == [
            *(to_zone(z) for z in zones[1:]),
            PACK,
        ]
        several += len(indexes) > 1
    assert several  # the random orders include multi-zone ones


def test_zones_pass_in_aisle_order_whatever_their_names() -> None:
    layout = replace(TWO, zones=(Zone("NORTH", 11, 20), Zone("SOUTH", 1, 10)))
    lines = [
        PickLine(1, 7, (15, 3), "15-003-1", "NORTH"),
        PickLine(2, 7, (2, 3), "02-003-1", "SOUTH"),
    ]
    tasks = plan_tasks("zone", lines, {7: OrderLoad(7)}, layout, CartLimits(6))
    assert [(t.zone, t.destination, t.after) for t in tasks] == [
        ("SOUTH", "zone:NORTH", None),
        ("NORTH", "pack", 0),
    ]


@pytest.mark.parametrize("strategy", ["discrete", "cart"])
def test_other_strategies_send_every_tote_to_packing(strategy: str) -> None:
    lines, loads = pick_lines(random.Random(strategy), 20)
    tasks = plan_tasks(strategy, lines, loads, TWO, CartLimits(6))  # type: ignore[arg-type]
    assert {(task.destination, task.after) for task in tasks} == {(PACK, None)}


def test_destinations_in_words() -> None:
    assert chain(["A", "B", "C"]) == ["zone:B", "zone:C", "pack"]
    assert chain(["A"]) == ["pack"]
    assert chain([]) == []
    assert destination_words("zone:B") == "zone B"
    assert destination_words("pack") == destination_words("") == "the pack stations"
    assert destination_words("consolidation") == "consolidation"
    assert destination_words(to_zone(None)) == "the aisles outside the zones"
    assert next_zone("zone:C") == "C"
    assert next_zone("pack") is None
    assert [is_packing(d) for d in ("", "pack", "zone:B")] == [True, True, False]
