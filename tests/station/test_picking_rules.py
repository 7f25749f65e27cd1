"""The station's picking rules, on plain data."""

from __future__ import annotations

import pytest

from toteflow.domain import picking
from toteflow.domain.picking import LineProgress, PickRefused


def line(quantity: int = 5, picked: int = 0, shorted: int = 0, **kw: str) -> LineProgress:
    status = kw.get("status", picking.line_status(quantity, picked, shorted))
    return LineProgress(
        quantity, picked, shorted, status, "05-017-2", kw.get("task_status", "in_progress")
    )


def test_a_pick_counts_up_and_finishes_the_line() -> None:
    assert picking.confirm(line(), 3) == line(picked=3)
    assert picking.confirm(line(picked=3), 2).status == "picked"


@pytest.mark.parametrize(
    ("start", "quantity", "message"),
    [
        (line(picked=4), 2, "only 1 left to pick here, not 2: put 1 unit back at 05-017-2"),
        (line(), 0, "at least one unit"),
        (line(status="cancelled"), 1, "this line was cancelled: put the units back at 05-017-2"),
        (line(task_status="done"), 1, "the task is done"),
        (line(task_status="cancelled"), 1, "the task is cancelled"),
    ],
)
def test_a_pick_that_cannot_be(start: LineProgress, quantity: int, message: str) -> None:
    with pytest.raises(PickRefused, match=message):
        picking.confirm(start, quantity)


def test_a_paused_or_not_yet_started_task_can_still_be_picked() -> None:
    # The units are in the tote already; the server accepts the same.
    assert picking.confirm(line(task_status="paused"), 1).picked == 1
    assert picking.confirm(line(task_status="assigned"), 1).picked == 1


def test_a_short_reports_everything_still_open() -> None:
    after, missing = picking.short(line(picked=2), "damaged")
    assert (missing, after.shorted, after.status) == (3, 3, "short")
    with pytest.raises(PickRefused, match="nothing to short"):
        picking.short(line(picked=5), "empty")
    with pytest.raises(PickRefused, match="not 'lost'"):
        picking.short(line(), "lost")


def test_an_undo_reopens_the_line() -> None:
    assert picking.undo(line(picked=5), 2) == line(picked=3)
    with pytest.raises(PickRefused, match="only 1 picked"):
        picking.undo(line(picked=1), 2)


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        ("assigned", "in_progress", "in_progress"),
        ("in_progress", "paused", "paused"),
        ("paused", "in_progress", "in_progress"),
        ("in_progress", "done", "done"),
        ("in_progress", "in_progress", "in_progress"),
    ],
)
def test_task_moves(current: str, target: str, expected: str) -> None:
    assert picking.move_task(current, target) == expected


@pytest.mark.parametrize(
    ("current", "target", "open_lines", "message"),
    [
        ("paused", "done", 0, "a task that is paused cannot be completed"),
        ("done", "in_progress", 0, "a task that is done cannot be started"),
        ("cancelled", "paused", 0, "a task that is cancelled cannot be paused"),
        ("in_progress", "done", 2, "2 lines still open: pick or short them first"),
        ("in_progress", "done", 1, "1 line still open: pick or short it first"),
    ],
)
def test_task_moves_refused(current: str, target: str, open_lines: int, message: str) -> None:
    with pytest.raises(PickRefused, match=message):
        picking.move_task(current, target, open_lines=open_lines)


def test_totes() -> None:
    picking.assign_tote("open", None, "T1", None)
    picking.assign_tote("open", "T1", "T1", None)  # the same tote scanned again
    with pytest.raises(PickRefused, match="already holds tote T1"):
        picking.assign_tote("open", "T1", "T2", None)
    with pytest.raises(PickRefused, match="already in slot 3"):
        picking.assign_tote("open", None, "T2", 3)
    with pytest.raises(PickRefused, match="closed"):
        picking.assign_tote("closed", "T1", "T1", None)
    picking.close_tote("open", "T1", "T1")
    with pytest.raises(PickRefused, match="scan a tote first"):
        picking.close_tote("open", None, "T1")
    with pytest.raises(PickRefused, match="already closed"):
        picking.close_tote("closed", "T1", "T1")
