"""A zone task walked at the station: the arriving tote taken or replaced, a full tote."""

from __future__ import annotations

from tests.station.conftest import keep_task, make_task
from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.tasks import Task, TaskContainer
from toteflow.domain.gs1 import with_check_digit
from toteflow.domain.roles import Role
from toteflow.domain.scan import interpret
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.login import Person
from toteflow.station.services.picker import PickWalk
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory


def zone_task(*, arriving: str | None, destination: str = "zone:C") -> Task:
    """Zone B's task of order SO-1: two stops of 2 units; the tote that zone A sent on."""
    task = make_task(lines=2, quantity=2)
    lines = [
        line.model_copy(
            update={
                "zone": "B",
                "units": [
                    ProductUnit(
                        uom="EA",
                        units=1,
                        barcode=with_check_digit(f"4000000000{line.stop_no:02d}"),
                        barcode_kind="gtin13",
                    )
                ],
            }
        )
        for line in task.lines
    ]
    container = TaskContainer(
        slot=1,
        order_reference="SO-1",
        tote=None,
        status="open",
        destination=destination,
        arriving_tote=arriving,
        arriving_from="A" if arriving else None,
    )
    return task.model_copy(
        update={"kind": "zone", "zone": "B", "lines": lines, "containers": [container]}
    )


def walk_of(floor: FloorActions, view: StationView) -> PickWalk:
    return PickWalk(Person(7, "Picker", "B00007", Role.PICKER, "session"), 10, floor, view)


def pick_rest(walk: PickWalk) -> None:
    while walk.phase != "done":
        raw = walk.expected_scan()
        assert raw is not None
        outcome = walk.scan(interpret(raw))
        assert outcome.ok, outcome


def outbox(uow: SqlStationUnitOfWorkFactory) -> list[tuple[str, dict[str, object]]]:
    with uow() as unit:
        return [(e.type, e.payload) for e in unit.outbox.after(0, 100)]


def test_the_arriving_tote_is_named_taken_and_sent_to_the_next_zone(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    keep_task(registered, zone_task(arriving="T000001"))
    walk = walk_of(floor, view)
    assert walk.prompt() == "Take tote T000001 arriving from zone A for order SO-1: scan it"
    assert walk.expected_scan() == "T000001"  # the demo key scans the tote that came
    taken = walk.scan(interpret("T000001"))
    assert (taken.ok, taken.headline, taken.detail) == (
        True,
        "TOTE T000001 TAKEN",
        "order SO-1, from zone A",
    )
    walk.start()
    pick_rest(walk)
    [closed] = walk.finish().totes
    assert (closed.tote, closed.destination, closed.where) == ("T000001", "zone:C", "zone C")
    closes = [p for kind, p in outbox(registered) if kind == "tote.closed"]
    assert closes == [{"task_id": 10, "slot": 1, "tote": "T000001", "destination": "zone:C"}]


def test_a_new_tote_instead_says_the_arriving_one_goes_to_packing(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    keep_task(registered, zone_task(arriving="T000001"))
    walk = walk_of(floor, view)
    other = walk.scan(interpret("T000009"))
    assert (other.ok, other.headline) == (True, "NEW TOTE T000009 · ORDER SO-1")
    assert other.detail == (
        "tote T000001 from zone A goes on to the pack stations: the pack desk waits for both"
    )
    assert walk.phase == "location"


def test_nothing_arrived_asks_for_an_empty_tote(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    keep_task(registered, zone_task(arriving=None, destination="zone:B"))
    walk = walk_of(floor, view)
    assert walk.prompt() == "Scan an empty tote for order SO-1"


def test_a_full_tote_in_a_zone_goes_to_packing_and_the_new_one_passes_on(
    registered: SqlStationUnitOfWorkFactory, floor: FloorActions, view: StationView
) -> None:
    keep_task(registered, zone_task(arriving="T000001"))
    walk = walk_of(floor, view)
    assert walk.scan(interpret("T000001")).ok
    walk.start()
    for _ in ("location", "item", "item", "put"):
        raw = walk.expected_scan()
        assert raw is not None
        assert walk.scan(interpret(raw)).ok
    assert walk.tote_full().ok
    new = walk.scan(interpret("T000002"))
    assert (new.ok, new.detail) == (True, "tote T000001 closed: take it to the pack stations")
    pick_rest(walk)
    done = walk.finish()
    assert [(t.tote, t.where, t.full) for t in done.totes] == [
        ("T000001", "the pack stations", True),
        ("T000002", "zone C", False),
    ]
