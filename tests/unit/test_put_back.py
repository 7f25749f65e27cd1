"""The put-back rule: a refused pick's units move once, a cancelled pick's are only added."""

from __future__ import annotations

import pytest

from toteflow.domain.put_back import PutBack, RefusedPick, StockMove, plan
from toteflow.domain.tasks import FloorRefusal


def refused(*, off_the_books: bool, put_back_by: str = "") -> RefusedPick:
    return RefusedPick(
        exception_id=1,
        event_type="pick.confirmed",
        task_line_id=7,
        quantity=3,
        put_back_by=put_back_by,
        source_location="01-001-1",
        source_quantity=10 if not off_the_books else 0,
        source_reserved=8 if not off_the_books else 0,
        off_the_books=off_the_books,
    )


def put(location: str, quantity: int = 3) -> PutBack:
    return PutBack("", 7, quantity, location, exception_id=1)


def test_a_refused_pick_moves_from_its_shelf_within_what_is_free() -> None:
    assert plan(put("01-001-1"), refused(off_the_books=False), target_exists=True) == (
        StockMove(0, 0)
    )
    assert plan(put("01-002-1"), refused(off_the_books=False), target_exists=True) == (
        StockMove(2, 3)
    )


def test_a_cancelled_pick_is_only_added_where_it_is_put_even_its_own_shelf() -> None:
    for where in ("01-001-1", "01-002-1"):
        assert plan(put(where), refused(off_the_books=True), target_exists=True) == (
            StockMove(0, 3)
        )


@pytest.mark.parametrize(
    ("move", "found", "exists", "reason"),
    [
        (put("01-002-1"), refused(off_the_books=True, put_back_by="e-1"), True, "already"),
        (put("01-002-1", 2), refused(off_the_books=True), True, "the cancelled pick held 3"),
        (put("09-099-9"), refused(off_the_books=True), False, "there is no location"),
    ],
)
def test_a_cancelled_pick_is_refused_having_changed_nothing(
    move: PutBack, found: RefusedPick, exists: bool, reason: str
) -> None:
    with pytest.raises(FloorRefusal, match=reason):
        plan(move, found, target_exists=exists)
