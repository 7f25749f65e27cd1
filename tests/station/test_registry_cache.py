"""The station's copy of the container registry: filled by the feed, it decides set-up offline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.station.conftest import keep_task, make_task
from toteflow.contracts import sync
from toteflow.domain.errors import ServiceError
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.sync import apply_changes
from toteflow.station.services.tote_arrivals import ToteArrivals
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

AT = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


def feed(uow: SqlStationUnitOfWorkFactory, seq: int, *records: dict[str, Any]) -> None:
    change = sync.Change(
        seq=seq,
        kind="containers.updated",
        entity="container",
        entity_id="",
        payload={"containers": list(records)},
    )
    with uow() as unit:
        outcome = apply_changes(
            unit, sync.ChangesPage(changes=[change], cursor=seq, more=False), AT
        )
        unit.commit()
    assert outcome.skipped == []


def free(kind: str, code: str) -> dict[str, Any]:
    return {"kind": kind, "code": code}


def pending(uow: SqlStationUnitOfWorkFactory) -> list[str]:
    with uow() as unit:
        return [event.type for event in unit.outbox.after(0, 100)]


def test_set_up_refuses_unregistered_and_busy_totes_from_the_cached_registry(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions
) -> None:
    keep_task(registered, make_task(10, reference="SO-100030"))
    feed(
        registered,
        1,
        free("tote", "T000001"),
        {
            "kind": "tote",
            "code": "T000014",
            "state": "travelling",
            "task_id": 3,
            "slot": 1,
            "order_reference": "SO-100013",
            "destination": "pack",
            "units": 1,
        },
    )
    with pytest.raises(ServiceError, match="tote T999999 is not registered"):
        floor.assign_tote(7, 10, 1, "T999999")
    with pytest.raises(ServiceError) as busy:
        floor.assign_tote(7, 10, 1, "T000014")
    assert str(busy.value) == (
        "tote T000014 holds order SO-100013 (1 unit), waiting at packing: take an empty tote"
    )
    assert pending(registered) == []
    floor.assign_tote(7, 10, 1, "T000001")
    assert pending(registered) == ["tote.assigned"]
    with registered() as unit:
        held = unit.containers.get("tote", "T000001")
    assert held is not None
    assert (held.state.value, held.task_id, held.order_reference) == ("in_task", 10, "SO-100030")


def test_a_tote_closed_here_is_refused_for_the_next_order_before_the_server_hears_of_it(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions
) -> None:
    keep_task(registered, make_task(10, reference="SO-1", status="in_progress"))
    keep_task(registered, make_task(11, reference="SO-2"))
    feed(registered, 1, free("tote", "T000001"))
    floor.assign_tote(7, 10, 1, "T000001")
    floor.confirm_pick(7, 1001, 4, tote="T000001")
    floor.close_tote(7, 10, 1, "T000001")
    with pytest.raises(ServiceError, match=r"holds order SO-1 \(4 units\), waiting at packing"):
        floor.assign_tote(7, 11, 1, "T000001")
    # The server's word, when it comes, replaces the station's own: packed, free again.
    feed(registered, 2, free("tote", "T000001"))
    floor.assign_tote(7, 11, 1, "T000001")


def test_a_cart_is_taken_once_for_its_task_and_free_again_when_the_task_is_done(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions
) -> None:
    keep_task(registered, make_task(10, status="in_progress"))
    keep_task(registered, make_task(11, reference="SO-2"))
    feed(registered, 1, free("cart", "C0001"), free("tote", "T000001"))
    with pytest.raises(ServiceError, match="cart C0002 is not registered"):
        floor.assign_cart(7, 10, "C0002")
    assert floor.assign_cart(7, 10, "C0001") is not None
    assert floor.assign_cart(7, 10, "C0001") is None  # scanned again: nothing new to tell
    with pytest.raises(ServiceError, match="cart C0001 is in task 10: take another cart"):
        floor.assign_cart(7, 11, "C0001")
    floor.assign_tote(7, 10, 1, "T000001")
    floor.short_pick(7, 1001)
    floor.complete_task(7, 10)
    assert floor.assign_cart(7, 11, "C0001") is not None
    floor.assign_tote(7, 11, 1, "T000001")  # never closed (nothing in it): free again
    assert pending(registered) == [
        "cart.assigned",
        "tote.assigned",
        "pick.shorted",
        "task.completed",
        "cart.assigned",
        "tote.assigned",
    ]


def test_a_station_that_never_heard_of_a_registry_takes_any_tote(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    keep_task(registered, make_task(10))
    floor.assign_tote(7, 10, 1, "T999999")
    assert view.free_totes(5) == []


def test_a_pack_station_tells_of_a_tote_opened_and_emptied_but_not_one_still_in_a_task(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions
) -> None:
    keep_task(registered, make_task(10, reference="SO-1", status="in_progress"))
    feed(
        registered,
        1,
        free("tote", "T000002"),
        {"kind": "tote", "code": "T000003", "state": "travelling", "order_reference": "SO-9"},
    )
    arrivals = ToteArrivals(floor)
    arrivals.arrived(7, "T000003")
    with registered() as unit:
        held = unit.containers.get("tote", "T000003")
    assert held is not None
    assert held.state.value == "at_packing"
    arrivals.emptied(7, "T000003")
    floor.assign_tote(7, 10, 1, "T000002")
    with pytest.raises(ServiceError, match="it is freed when that task is finished"):
        arrivals.emptied(7, "T000002")
    assert pending(registered) == ["tote.arrived", "tote.emptied", "tote.assigned"]
    assert view_free(registered) == ["T000003"]


def view_free(uow: SqlStationUnitOfWorkFactory) -> list[str]:
    return StationView(uow).free_totes(10)
