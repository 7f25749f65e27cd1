"""Refused events at the station: a refused pick is put back once, as an event; others seen to."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.station.conftest import keep_task, make_task
from toteflow.domain.scan import interpret
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.refusals import RefusalDesk
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def refused(registered: SqlStationUnitOfWorkFactory, floor: FloorActions) -> None:
    """A pick of 3 and the task's start, both refused by the server."""
    keep_task(registered, make_task(quantity=4))
    started = floor.start_task(7, 10)
    pick = floor.confirm_pick(7, 1001, 3, tote="T000001")
    with registered() as uow:
        uow.exceptions.open_for_event(pick, "order SO-1 was cancelled: put the 3 units back", AT)
        uow.exceptions.open_for_event(started, "the task is cancelled", AT)
        uow.commit()


def test_a_refused_pick_is_put_back_once_as_an_event_in_the_outbox(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    refused(registered, floor)
    desk = RefusalDesk(7, floor, view)
    pick, start = desk.open()
    assert (pick.units, pick.sku, pick.taken_from, pick.tote, pick.order_reference) == (
        3,
        "SKU-10-1",
        "01-001-1",
        "T000001",
        "SO-1",
    )
    assert start.units == 0
    waiting = view.events_waiting()
    # Not a shelf's label: refused, nothing recorded.
    answer = desk.put_back(pick.id, interpret("T000001"))
    assert not answer.ok
    assert "scan the label of the shelf" in answer.detail
    # Nothing to put back for the refused task start: F2 is the way.
    assert not desk.put_back(start.id, interpret("01-009-1")).ok
    assert view.events_waiting() == waiting
    assert desk.put_back(pick.id, interpret("01-009-1")).ok
    assert view.events_waiting() == waiting + 1
    with registered() as uow:
        event = uow.outbox.after(0, 100)[-1]
    [resolved] = [x for x in view.exceptions(open_only=False) if x.id == pick.id]
    assert resolved.resolution == "put 3 back at 01-009-1"
    assert (event.type, event.payload) == (
        "stock.put_back",
        {
            "refused_event": resolved.event_id,
            "task_line_id": 1001,
            "quantity": 3,
            "location": "01-009-1",
            "taken_from": "01-001-1",
        },
    )
    # Resolved in the same transaction: a second put-back is refused and records nothing.
    again = desk.put_back(pick.id, interpret("01-009-1"))
    assert (again.ok, again.detail) == (False, "this one is resolved already")
    assert view.events_waiting() == waiting + 1
    assert [r.id for r in desk.open()] == [start.id]


def test_a_refusal_with_nothing_to_put_back_is_seen_to(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    refused(registered, floor)
    desk = RefusalDesk(7, floor, view)
    pick, start = desk.open()
    # The units of a refused pick are not waved away: they must go back on a shelf.
    assert not desk.seen_to(pick.id).ok
    assert desk.seen_to(start.id).ok
    assert [r.id for r in desk.open()] == [pick.id]
    assert desk.count() == 1
    [done] = [x for x in view.exceptions(open_only=False) if x.id == start.id]
    assert (done.resolved, done.resolved_by, done.resolution) == (
        True,
        7,
        "seen to at the station",
    )
