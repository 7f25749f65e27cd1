"""Replenishment's pure rules: limits, how much a face needs, which source and how much of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from toteflow.domain.replenishment import (
    FaceLimit,
    LimitRefused,
    Source,
    check_limit,
    choose_source,
    default_limit,
    quantity_from,
    units_needed,
)

TODAY = date(2026, 12, 7)
FACE = "01-001-1"


def source(
    stock_id: int,
    *,
    kind: str = "reserve",
    free: int = 50,
    received: int = 10,
    expiry: int | None = None,
    plate: str | None = None,
    case: int = 1,
    location: str | None = None,
) -> Source:
    return Source(
        stock_id,
        location or f"01-{stock_id:03d}-3",
        kind,
        TODAY - timedelta(days=received),
        None if expiry is None else TODAY + timedelta(days=expiry),
        free,
        plate,
        case,
    )


@pytest.mark.parametrize(
    ("limit", "capacity", "field"),
    [
        (FaceLimit(5, 4), None, "minimum"),
        (FaceLimit(-1, 4), None, "minimum"),
        (FaceLimit(0, 0), None, "maximum"),
        (FaceLimit(1, 31), 30, "maximum"),
    ],
)
def test_a_limit_that_makes_no_sense_names_its_field(
    limit: FaceLimit, capacity: int | None, field: str
) -> None:
    with pytest.raises(LimitRefused) as refused:
        check_limit(limit, capacity)
    assert refused.value.field == field


def test_limits_within_reason_pass_and_defaults_follow_capacity() -> None:
    check_limit(FaceLimit(0, 30), 30)
    check_limit(FaceLimit(30, 30), None)
    assert default_limit(40, 25) == FaceLimit(10, 40)
    assert default_limit(None, 25) is None


def test_a_face_below_minimum_is_brought_to_its_maximum_counting_what_is_coming() -> None:
    limit = FaceLimit(10, 40)
    assert units_needed(9, 0, limit) == 31
    assert units_needed(10, 0, limit) == 0
    # Already on its way: counted before another is made.
    assert units_needed(3, 20, limit) == 0
    assert units_needed(3, 5, limit) == 32


def test_reserve_comes_before_another_face_and_fifo_among_reserve() -> None:
    sources = [
        source(1, kind="pick_face", received=90, location="02-001-1"),
        source(2, received=5),
        source(3, received=30),
    ]
    choice = choose_source(sources, 20, fefo=False, today=TODAY, face=FACE)
    assert choice is not None
    assert choice.source.stock_id == 3


def test_fefo_for_expiry_tracked_and_expired_stock_is_never_sent() -> None:
    sources = [
        source(1, expiry=-1, received=90),  # expired
        source(2, expiry=100, received=60),
        source(3, expiry=20, received=1),
    ]
    choice = choose_source(sources, 20, fefo=True, today=TODAY, face=FACE)
    assert choice is not None
    assert choice.source.stock_id == 3


def test_whole_plates_first_among_equals_and_a_whole_plate_moves_whole() -> None:
    sources = [source(1, free=60), source(2, free=24, plate="LP00000002")]
    choice = choose_source(sources, 30, fefo=False, today=TODAY, face=FACE)
    assert choice is not None
    assert (choice.source.stock_id, choice.quantity, choice.whole_plate) == (2, 24, True)
    # A plate bigger than the need is taken from, not whole.
    bigger = choose_source(
        [source(2, free=60, plate="LP2")], 30, fefo=False, today=TODAY, face=FACE
    )
    assert bigger is not None
    assert (bigger.quantity, bigger.whole_plate) == (30, False)


def test_whole_cases_where_the_source_holds_cases() -> None:
    assert quantity_from(source(1, free=100, case=12), 30) == 24
    assert quantity_from(source(1, free=100, case=12), 5) == 5
    assert quantity_from(source(1, free=7, case=12), 30) == 7


def test_never_the_face_itself_nor_a_source_found_empty() -> None:
    sources = [source(1, location=FACE, kind="pick_face"), source(2)]
    choice = choose_source(sources, 10, fefo=False, today=TODAY, face=FACE, skip=[2])
    assert choice is None
