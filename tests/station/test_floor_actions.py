"""Floor actions: the local change and its outbox event commit together, numbered without gaps."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.station.conftest import keep_task, make_task
from toteflow.contracts.catalogue import ProductUnit
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.gs1 import with_check_digit
from toteflow.domain.roles import Role
from toteflow.domain.scan import interpret
from toteflow.station.services.events import FloorActions, StationView, record
from toteflow.station.services.login import Person
from toteflow.station.services.picker import PickWalk
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory


def _outbox(uow: SqlStationUnitOfWorkFactory) -> list[Any]:
    with uow() as unit:
        return unit.outbox.after(0, 1000)


def test_a_pick_changes_the_line_and_writes_its_event_together(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    keep_task(registered, make_task(quantity=4))
    floor.start_task(7, 10)
    event = floor.confirm_pick(7, 1001, 3, tote="T000001")
    assert event.seq == 2
    assert event.type == "pick.confirmed"
    assert event.payload == {
        "task_line_id": 1001,
        "task_id": 10,
        "quantity": 3,
        "location": "01-001-1",
        "lot": "",
        "expiry": None,
        "tote": "T000001",
    }
    task = view.task(10)
    assert task is not None
    assert (task.status, task.lines[0].picked, task.lines[0].status) == ("in_progress", 3, "open")
    assert [(e.seq, e.type, e.state) for e in _outbox(registered)] == [
        (1, "task.started", "pending"),
        (2, "pick.confirmed", "pending"),
    ]


def test_refused_actions_leave_no_event_no_change_and_no_gap(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    keep_task(registered, make_task(quantity=2))
    floor.start_task(7, 10)
    with pytest.raises(Refused, match="only 2 left to pick here, not 3"):
        floor.confirm_pick(7, 1001, 3)
    with pytest.raises(NotFound):
        floor.confirm_pick(7, 999, 1)
    with pytest.raises(Refused, match="still open"):
        floor.complete_task(7, 10)
    floor.confirm_pick(7, 1001, 2)
    floor.complete_task(7, 10)
    with pytest.raises(Refused, match="done"):
        floor.confirm_pick(7, 1001, 1)
    seqs = [e.seq for e in _outbox(registered)]
    assert seqs == [1, 2, 3]
    assert view.sync_state().next_seq == 4
    task = view.task(10)
    assert task is not None
    assert (task.status, task.lines[0].picked, task.lines[0].status) == ("done", 2, "picked")


def test_a_rolled_back_action_leaves_neither_its_event_nor_its_change(
    registered: SqlStationUnitOfWorkFactory, view: StationView
) -> None:
    keep_task(registered, make_task(quantity=4))

    def change(unit: Any) -> None:
        unit.tasks.set_line(1001, picked=4, shorted=0, status="picked")

    def die_before_commit() -> None:
        with registered() as unit:
            record(unit, 7, "pick.confirmed", {"task_line_id": 1001, "quantity": 4}, change)
            raise RuntimeError("the process dies before commit")

    with pytest.raises(RuntimeError):
        die_before_commit()
    assert _outbox(registered) == []
    task = view.task(10)
    assert task is not None
    assert task.lines[0].picked == 0
    assert view.sync_state().next_seq == 1
    # The next action takes number 1: nothing was skipped.
    with registered() as unit:
        assert record(unit, 7, "task.started", {"task_id": 10}).seq == 1
        unit.commit()


def test_a_malformed_event_never_enters_the_outbox(registered: SqlStationUnitOfWorkFactory) -> None:
    with registered() as unit, pytest.raises(ValueError, match="not valid"):
        record(unit, 7, "Not A Type", {})
    assert _outbox(registered) == []


def test_many_actions_are_numbered_one_to_n(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions
) -> None:
    keep_task(registered, make_task(lines=5, quantity=10))
    floor.start_task(7, 10)
    for n in range(1, 6):
        for _ in range(3):
            floor.confirm_pick(7, 1000 + n, 2)
    events = _outbox(registered)
    assert [e.seq for e in events] == list(range(1, 17))
    assert len({e.id for e in events}) == 16
    assert all(e.id.version == 4 for e in events)


def test_short_undo_totes_and_task_moves(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    keep_task(registered, make_task(lines=2, quantity=5))
    floor.start_task(7, 10)
    floor.assign_tote(7, 10, 1, "T000001")
    pick = floor.confirm_pick(7, 1001, 2)
    short = floor.short_pick(7, 1001, "empty")
    assert short.payload["missing"] == 3
    assert short.payload["found"] == 2
    undo = floor.undo_pick(7, pick.id)
    assert undo.payload == {
        "task_line_id": 1001,
        "task_id": 10,
        "quantity": 2,
        "undoes": str(pick.id),
        "location": "01-001-1",
    }
    with pytest.raises(Refused, match="already undone"):
        floor.undo_pick(7, pick.id)
    with pytest.raises(NotFound):
        floor.undo_pick(7, uuid.uuid4())
    floor.pause_task(7, 10)
    with pytest.raises(Refused, match="paused cannot be completed"):
        floor.complete_task(7, 10)
    floor.start_task(7, 10)
    floor.confirm_pick(7, 1002, 5)
    with pytest.raises(Refused, match="open"):
        floor.complete_task(7, 10)  # line 1 reopened by the undo: 2 units still to pick
    floor.confirm_pick(7, 1001, 2)
    with pytest.raises(Refused, match="holds tote T000001"):
        floor.close_tote(7, 10, 1, "T000002")
    floor.close_tote(7, 10, 1, "T000001")
    with pytest.raises(Refused, match="closed"):
        floor.assign_tote(7, 10, 1, "T000003")
    floor.complete_task(7, 10)
    task = view.task(10)
    assert task is not None
    assert task.status == "done"
    assert [(line.picked, line.shorted, line.status) for line in task.lines] == [
        (2, 3, "short"),
        (5, 0, "picked"),
    ]
    assert task.containers[0].status == "closed"
    types = [e.type for e in _outbox(registered)]
    assert types == [
        "task.started",
        "tote.assigned",
        "pick.confirmed",
        "pick.shorted",
        "pick.undone",
        "task.paused",
        "task.started",
        "pick.confirmed",
        "pick.confirmed",
        "tote.closed",
        "task.completed",
    ]


def test_every_action_wakes_the_sync_worker(registered: SqlStationUnitOfWorkFactory) -> None:
    woken: list[int] = []
    floor = FloorActions(registered, on_recorded=lambda: woken.append(1))
    keep_task(registered, make_task())
    floor.start_task(7, 10)
    with pytest.raises(Refused):
        floor.confirm_pick(7, 1001, 99)
    assert woken == [1]  # the refused one recorded nothing, so woke nothing


def test_a_confirming_scan_costs_one_read_and_three_writes(
    engine: Engine, registered: SqlStationUnitOfWorkFactory, floor: FloorActions
) -> None:
    keep_task(registered, make_task(quantity=4))
    floor.start_task(7, 10)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement.split()[0].upper())

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        floor.confirm_pick(7, 1001, 1, tote="T000001")
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    # The line with its task's status, then the line, the sequence number and the event.
    assert statements == ["BEGIN", "SELECT", "UPDATE", "UPDATE", "INSERT"]


def test_the_walks_confirming_scan_costs_the_pick_and_nothing_more(
    engine: Engine, registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    task = make_task(lines=2, quantity=1)
    # Items with barcodes that the scan formats read (GTINs), so that each scan is a real one.
    lines = [
        line.model_copy(
            update={
                "units": [
                    ProductUnit(
                        uom="EA",
                        units=1,
                        barcode=with_check_digit(f"4000000000{line.stop_no:02d}"),
                        barcode_kind="gtin13",
                    )
                ]
            }
        )
        for line in task.lines
    ]
    keep_task(registered, task.model_copy(update={"lines": lines}))
    walk = PickWalk(Person(7, "Picker", "B00007", Role.PICKER, "session"), 10, floor, view)
    walk.start()

    def scan() -> None:
        raw = walk.expected_scan()
        assert raw is not None
        assert walk.scan(interpret(raw)).ok

    for _ in ("tote", "location", "item"):
        scan()
    assert walk.phase == "put"
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement.split()[0].upper())

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        scan()
        # What the next-stop screen reads then comes from the task held in memory.
        stop = walk.stop()
        walk.progress()
        walk.prompt()
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    # The pick's own statements only: the walk neither re-reads the task nor its notices.
    assert statements == ["BEGIN", "SELECT", "UPDATE", "UPDATE", "INSERT"]
    assert stop is not None
    assert (stop.number, stop.location, walk.phase) == (2, "01-002-1", "location")
