"""Cycle-count rules with plain data: classes and schedules, books from moves, decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from toteflow.domain.cycle_counts import (
    Decision,
    Position,
    Schedule,
    Thresholds,
    location_class,
    units_off,
    value_off,
    variances,
)
from toteflow.domain.ledger import DatedDelta, book_at

NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_location_is_counted_as_often_as_its_fastest_product() -> None:
    assert location_class(["C", "A", "B"]) == "A"
    assert location_class([]) == "C"
    assert location_class(["?"]) == "C"
    schedule = Schedule()
    assert schedule.is_due("A", None, NOON)
    assert not schedule.is_due("A", NOON - timedelta(days=29), NOON)
    assert schedule.is_due("A", NOON - timedelta(days=30), NOON)
    assert not schedule.is_due("B", NOON - timedelta(days=90), NOON)
    assert schedule.is_due("C", NOON - timedelta(days=365), NOON)


def test_the_book_at_a_moment_leaves_out_only_the_moves_made_after_it() -> None:
    moves = [
        DatedDelta(-1, NOON - timedelta(minutes=5)),  # before: already in the quantity now
        DatedDelta(-2, NOON + timedelta(minutes=5)),  # after: not in the book at noon
        DatedDelta(+4, NOON),  # at the moment itself: in it
    ]
    assert book_at(10, moves, NOON) == 12


def test_variances_take_every_position_either_side_knows() -> None:
    a, b, c = Position(1), Position(1, "L1", date(2027, 1, 31)), Position(2)
    found = variances({a: 5, c: 2}, {a: 5, b: 3, Position(3): 0})
    assert [(v.position, v.counted, v.book, v.delta) for v in found] == [
        (a, 5, 5, 0),
        (b, 0, 3, -3),
        (c, 2, 0, 2),
    ]
    assert units_off(found) == 5
    # The same lot with and without an expiry date (old stock rows): both kept, in order.
    dated = Position(1, "", date(2027, 1, 31))
    assert [v.position for v in variances({a: 1}, {dated: 1})] == [a, dated]
    assert value_off(found, {1: 2.0, 2: 10.0}) == 26.0


def test_thresholds_in_units_and_value_decide_what_becomes_of_a_count() -> None:
    rules = Thresholds(recount_units=2, approval_units=10)
    assert rules.decide(0, is_recount=False) == Decision.ACCURATE
    assert rules.decide(2, is_recount=False) == Decision.ADJUST
    assert rules.decide(3, is_recount=False) == Decision.RECOUNT
    assert rules.decide(30, is_recount=False) == Decision.RECOUNT  # always recounted first
    assert rules.decide(10, is_recount=True) == Decision.ADJUST
    assert rules.decide(11, is_recount=True) == Decision.APPROVAL
    valued = Thresholds(recount_units=2, approval_units=10, recount_value=50, approval_value=500)
    assert valued.decide(1, is_recount=False, value_off=40) == Decision.ADJUST
    assert valued.decide(1, is_recount=False, value_off=60) == Decision.RECOUNT
    assert valued.decide(1, is_recount=True, value_off=600) == Decision.APPROVAL
    assert valued.decide(1, is_recount=True, value_off=400) == Decision.ADJUST
