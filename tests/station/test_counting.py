"""Counting at the station on the real station store: GS1 lots and expiry, cases, refusals,
and the count.finished event in the outbox (sent later when offline)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from tests.station.receiving_world import (
    CASE_GTIN,
    EA_BARCODE,
    PLAIN_GTIN,
    UNKNOWN_GTIN,
    label_scan,
    stock_cache,
)
from tests.station.test_receiving import outbox
from toteflow.contracts import counts as cc
from toteflow.contracts.catalogue import Product
from toteflow.domain.roles import Role
from toteflow.domain.scan import interpret
from toteflow.station.services.counting import CountDesk
from toteflow.station.services.login import Person, ServerUnreachable
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

COUNTER = Person(6, "Cora Counter", "B10006", Role.COUNTER, "session")


def task(count_id: int, location: str, *, recount: bool = False) -> cc.CountTask:
    return cc.CountTask(
        id=count_id,
        location=location,
        zone=None,
        reason="recount" if recount else "schedule",
        recount=recount,
        created_at=datetime(2026, 12, 7, tzinfo=UTC),
    )


class Counts:
    """The server's open counts, or no answer at all."""

    def __init__(self, *tasks: cc.CountTask) -> None:
        self.tasks = list(tasks)
        self.online = True

    async def open_counts(self, session_token: str) -> list[cc.CountTask]:
        if not self.online:
            raise ServerUnreachable("the server is not answering")
        return self.tasks

    async def products(self, session_token: str, offset: int, limit: int) -> list[Product]:
        return []

    async def awaiting(self, session_token: str, limit: int) -> list[cc.CountView]:
        return []

    async def decide(
        self, session_token: str, count_id: int, body: cc.CountDecision
    ) -> cc.CountView:
        raise NotImplementedError


def desk(uow: SqlStationUnitOfWorkFactory, server: Counts) -> CountDesk:
    stock_cache(uow)
    counting = CountDesk(COUNTER, uow, lambda raw: interpret(raw), server=server)
    assert asyncio.run(counting.refresh()) == ""
    return counting


def test_lots_and_expiry_come_from_gs1_labels_one_or_two_at_a_time(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    counting = desk(registered, Counts(task(5, "01-001-1")))
    assert counting.scan("01-001-1").headline == "COUNT"
    # A case label with its lot and expiry: a case of 12.
    both = counting.scan(label_scan(f"(01){CASE_GTIN}(10)L1(17)271231"))
    assert (both.ok, both.headline) == (True, "COUNTED")
    # The lot on one label, the expiry on the next.
    first = counting.scan(label_scan(f"(01){CASE_GTIN}(10)L2"))
    assert (first.ok, first.headline) == (True, "NEXT LABEL")
    assert "expiry" in counting.prompt()
    assert counting.scan(label_scan("(17)271231")).headline == "COUNTED"
    # A plain item, then F4: 3 of them by one scan.
    counting.scan(PLAIN_GTIN)
    assert counting.set_quantity(3).ok
    assert [(ln.sku, ln.lot, ln.expiry, ln.quantity) for ln in counting.counted()] == [
        ("SKU-1", "L1", date(2027, 12, 31), 12),
        ("SKU-1", "L2", date(2027, 12, 31), 12),
        ("SKU-2", "", None, 3),
    ]
    done = counting.finish()
    assert (done.ok, done.headline, done.done) == (True, "COUNT SENT", True)
    ((kind, payload),) = outbox(registered)
    assert kind == "count.finished"
    assert payload == {
        "count_id": 5,
        "items": [
            {"sku": "SKU-1", "lot": "L1", "expiry": "2027-12-31", "quantity": 12},
            {"sku": "SKU-1", "lot": "L2", "expiry": "2027-12-31", "quantity": 12},
            {"sku": "SKU-2", "lot": "", "expiry": None, "quantity": 3},
        ],
    }


def test_bad_scans_and_keys_are_refused_in_words_and_change_nothing(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    counting = desk(registered, Counts(task(5, "01-001-1")))
    refusals = [
        (counting.scan(EA_BARCODE), "LOCATION FIRST"),
        (counting.scan("02-002-2"), "NO COUNT HERE"),
        (counting.finish(), "NOTHING TO FINISH"),
    ]
    counting.scan("01-001-1")
    refusals += [
        (counting.set_quantity(2), "SCAN FIRST"),
        (counting.scan(UNKNOWN_GTIN), "UNKNOWN ITEM"),
        (counting.scan("]C1"), "NOT COUNTED"),
        (counting.scan("02-002-2"), "FINISH FIRST"),
        # SKU-1 tracks lots: its bare barcode waits for the lot label, and F10 says so.
        (counting.scan(EA_BARCODE), "NEXT LABEL"),
        (counting.finish(), "LABEL MISSING"),
    ]
    assert [(o.headline, o.ok) for o, _ in refusals] == [
        (want, want == "NEXT LABEL") for _, want in refusals
    ]
    assert counting.set_quantity(0).headline == "SCAN FIRST"
    assert counting.counted() == []
    assert outbox(registered) == []
    counting.leave()
    assert counting.current is None


def test_offline_the_list_stays_and_a_finished_count_waits_in_the_outbox(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = Counts(task(5, "01-001-1"), task(6, "01-002-1", recount=True))
    counting = desk(registered, server)
    server.online = False
    assert "offline" in asyncio.run(counting.refresh())
    assert [t.id for t in counting.tasks] == [5, 6]
    counting.scan("01-002-1")
    counting.scan(PLAIN_GTIN)
    assert counting.finish().done
    assert [kind for kind, _ in outbox(registered)] == ["count.finished"]
    # Back online, the server still lists it until the event arrives: not offered again.
    server.online = True
    asyncio.run(counting.refresh())
    assert [t.id for t in counting.tasks] == [5]
    # An empty location is counted as nothing at all.
    counting.scan("01-001-1")
    counting.finish()
    assert outbox(registered)[-1][1] == {"count_id": 5, "items": []}
