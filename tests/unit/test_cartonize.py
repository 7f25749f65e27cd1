"""Cartonization: every item fits its box in 3D and by weight; brute force finds nothing cheaper."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toteflow.domain.cartonize import (
    Box,
    CartonizeError,
    Item,
    cartonize,
    fits_alone,
    orientations,
    pack_into,
)
from toteflow.shared.shipping_files import load_boxes

CATALOGUE = load_boxes(Path(__file__).resolve().parents[2] / "config" / "boxes.toml")

boxes_st = st.lists(
    st.builds(
        Box,
        code=st.sampled_from(["A", "B", "C", "D", "E"]),
        name=st.just("box"),
        length_mm=st.integers(50, 600),
        width_mm=st.integers(50, 600),
        height_mm=st.integers(50, 600),
        max_weight_g=st.integers(500, 30_000),
        tare_g=st.integers(0, 800),
        cost_cents=st.integers(10, 500),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda b: b.code,
)
items_st = st.lists(
    st.builds(
        Item,
        sku=st.sampled_from(["S1", "S2", "S3", "S4"]),
        length_mm=st.integers(20, 450),
        width_mm=st.integers(20, 450),
        height_mm=st.integers(20, 450),
        weight_g=st.integers(1, 8000),
        upright=st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=items_st, boxes=boxes_st)
def test_every_item_fits_its_box_by_dimensions_and_weight(
    items: list[Item], boxes: list[Box]
) -> None:
    result = cartonize(items, boxes)
    packed = [p.item for b in result.boxes for p in b.placements]
    assert sorted(packed + list(result.unpackable), key=repr) == sorted(items, key=repr)
    for packed_box in result.boxes:
        box = packed_box.box
        assert packed_box.contents_weight_g <= box.max_weight_g
        assert packed_box.gross_weight_g == packed_box.contents_weight_g + box.tare_g
        for p in packed_box.placements:
            assert (p.dx, p.dy, p.dz) in orientations(p.item)
            if p.item.upright:
                assert p.dz == p.item.height_mm
            assert p.x >= 0
            assert p.x + p.dx <= box.length_mm
            assert p.y >= 0
            assert p.y + p.dy <= box.width_mm
            assert p.z >= 0
            assert p.z + p.dz <= box.height_mm
        for a, b in itertools.combinations(packed_box.placements, 2):
            assert not a.overlaps(b)
    for item in result.unpackable:
        assert not any(fits_alone(item, box) for box in boxes)


def brute_force_cost(items: Sequence[Item], boxes: Sequence[Box]) -> int:
    """The cheapest total over every assignment of items to labelled boxes of every type."""
    n = len(items)
    best: int | None = None
    # Each item gets a group number; canonical labelling (a new group is the next number)
    # enumerates every set partition exactly once.
    for labels in itertools.product(range(n), repeat=n):
        if any(labels[i] > max(labels[:i], default=-1) + 1 for i in range(n)):
            continue
        groups = [[items[i] for i in range(n) if labels[i] == g] for g in range(max(labels) + 1)]
        total = 0
        for group in groups:
            costs = [b.cost_cents for b in boxes if pack_into(b, group) is not None]
            if not costs:
                break
            total += min(costs)
        else:
            best = total if best is None else min(best, total)
    assert best is not None
    return best


small_items = st.lists(
    st.builds(
        Item,
        sku=st.sampled_from(["S1", "S2", "S3"]),
        length_mm=st.integers(40, 400),
        width_mm=st.integers(40, 300),
        height_mm=st.integers(40, 300),
        weight_g=st.integers(50, 9000),
        upright=st.booleans(),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=small_items)
def test_no_cheaper_box_set_exists_for_small_orders(items: list[Item]) -> None:
    result = cartonize(items, CATALOGUE)
    packable = [i for i in items if i not in result.unpackable]
    if not packable:
        return
    assert result.cost_cents == brute_force_cost(packable, CATALOGUE)


@settings(max_examples=200, deadline=None)
@given(
    item=st.builds(
        Item,
        sku=st.just("S"),
        length_mm=st.integers(10, 700),
        width_mm=st.integers(10, 700),
        height_mm=st.integers(10, 700),
        weight_g=st.integers(1, 40_000),
        upright=st.booleans(),
    )
)
def test_one_item_goes_in_the_cheapest_box_that_takes_it_turned_some_allowed_way(
    item: Item,
) -> None:
    # Independent of the packer: an item fits a box iff one allowed turn fits each side.
    turns = (
        [
            (item.length_mm, item.width_mm, item.height_mm),
            (item.width_mm, item.length_mm, item.height_mm),
        ]
        if item.upright
        else list(itertools.permutations((item.length_mm, item.width_mm, item.height_mm)))
    )
    able = [
        b
        for b in CATALOGUE
        if item.weight_g <= b.max_weight_g
        and any(a <= b.length_mm and w <= b.width_mm and h <= b.height_mm for a, w, h in turns)
    ]
    result = cartonize([item], CATALOGUE)
    if not able:
        assert result.unpackable == (item,)
        assert not result.boxes
    else:
        assert result.cost_cents == min(b.cost_cents for b in able)


def test_upright_items_keep_their_height_vertical() -> None:
    tall = Item("OIL", 60, 60, 280, 900, upright=True)
    # Lying down it would fit the small box (300 long), standing it needs a taller one.
    result = cartonize([tall], CATALOGUE)
    assert result.boxes[0].box.height_mm >= 280
    lying = cartonize([Item("OIL", 60, 60, 280, 900)], CATALOGUE)
    assert lying.cost_cents < result.cost_cents


def test_too_heavy_for_one_box_splits_into_several_with_their_items() -> None:
    bricks = [Item("BRICK", 200, 100, 60, 6000) for _ in range(8)]
    result = cartonize(bricks, CATALOGUE)
    assert len(result.boxes) > 1
    assert sum(sum(b.counts().values()) for b in result.boxes) == 8
    assert all(b.contents_weight_g <= b.box.max_weight_g for b in result.boxes)


def test_large_orders_use_the_greedy_path_and_still_fit() -> None:
    items = [Item(f"S{i % 5}", 90 + i % 7 * 20, 80, 60 + i % 3 * 30, 300) for i in range(40)]
    result = cartonize(items, CATALOGUE)
    assert sum(len(b.placements) for b in result.boxes) == 40
    for packed in result.boxes:
        for a, b in itertools.combinations(packed.placements, 2):
            assert not a.overlaps(b)


def test_an_item_that_fits_no_box_is_reported_not_dropped() -> None:
    result = cartonize(
        [Item("SOFA", 2000, 900, 800, 40_000), Item("MUG", 100, 100, 100, 300)], CATALOGUE
    )
    assert [i.sku for i in result.unpackable] == ["SOFA"]
    assert "SOFA" in result.reasons[0]
    # The mug is 100 mm tall: the 80 mm mailer cannot take it, the small box can.
    assert [b.box.code for b in result.boxes] == ["BOX-S"]


def test_unmeasured_items_and_empty_catalogues_are_refused() -> None:
    with pytest.raises(CartonizeError, match="no dimensions"):
        cartonize([Item("X", 0, 10, 10, 5)], CATALOGUE)
    with pytest.raises(CartonizeError, match="empty"):
        cartonize([Item("X", 10, 10, 10, 5)], [])
