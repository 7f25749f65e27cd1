"""The receiver's lines for the notice as a whole: the server's tallies, this station's uncounted
cases on top, the product's tolerance, and the server's own plates named in push answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from tests.station.receiving_world import (
    CASE_GTIN,
    PLAIN_GTIN,
    RECEIVER,
    Policy,
    label_scan,
    make_desk,
    notice,
    stock_cache,
)
from toteflow.contracts import sync
from toteflow.contracts.notices import Notice, ProductRules, ReceivingPolicy, SupplierTolerance
from toteflow.domain.receipt_lines import Tolerance
from toteflow.domain.scan import interpret
from toteflow.station.ports.store import CachedLocation, OutboxEvent
from toteflow.station.services.putaway import PutawayDesk
from toteflow.station.services.receiving.views import tolerance_of
from toteflow.station.services.sync import apply_changes, apply_push_response, reopen_after
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

AT = datetime(2026, 12, 7, 12, tzinfo=UTC)
ITEM = f"]E0{PLAIN_GTIN[1:]}"  # one unit of SKU-2 (line 2, 10 expected)


def tallied(received: dict[int, tuple[int, int]]) -> Notice:
    """ASN-7 as the server would feed it: line -> (received, damaged) by every station."""
    body = notice().model_dump(mode="json")
    for line in body["lines"]:
        got, damaged = received.get(line["line_no"], (0, 0))
        line.update(received=got, damaged=damaged, accepted=got - damaged)
    return Notice.model_validate({**body, "status": "receiving"})


def feed(uow: SqlStationUnitOfWorkFactory, noticed: Notice, cursor: int, *, more: bool) -> None:
    """One page of the change feed carrying the notice, as the sync worker applies it."""
    change = sync.Change(
        seq=cursor,
        kind="notice.updated",
        entity="notice",
        entity_id=noticed.reference,
        payload=noticed.model_dump(mode="json"),
    )
    with uow() as tx:
        apply_changes(tx, sync.ChangesPage(changes=[change], cursor=cursor, more=more), AT)
        tx.commit()


def pending(uow: SqlStationUnitOfWorkFactory) -> list[OutboxEvent]:
    with uow() as tx:
        return [e for e in tx.outbox.after(0, 100) if e.state == "pending"]


def answer(
    uow: SqlStationUnitOfWorkFactory,
    events: list[OutboxEvent],
    status: str = "applied",
    result: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    """The server's answer to a push of `events`, as the sync worker records it."""
    response = sync.PushResponse(
        results=[
            sync.EventResult(id=e.id, seq=e.seq, status=status, reason=reason, result=result or {})  # type: ignore[arg-type]
            for e in events
        ],
        last_seq=max(e.seq for e in events),
    )
    with uow() as tx:
        apply_push_response(tx, events, response, AT)
        tx.commit()


def line2(desk: Any) -> tuple[int, int]:
    row = desk.lines()[1]
    return row.received, row.still_open


def test_the_lines_add_this_stations_uncounted_cases_to_the_servers_tallies_once(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    # Another station has received 5 of line 2: the server's tallies say so.
    stock_cache(registered, tallied({2: (5, 0)}))
    desk = make_desk(registered)
    assert desk.open("ASN-7").opened
    assert line2(desk) == (5, 5)
    for _ in range(2):
        assert desk.scan(ITEM).ok
    assert line2(desk) == (7, 3)  # 5 of the other station's, 2 of ours not yet sent
    # Pushed and applied: still counted once, until a pull brings the server's word.
    answer(registered, pending(registered))
    assert line2(desk) == (7, 3)
    # A page of the feed with more to come: the notice it carries may be older than the push.
    feed(registered, tallied({2: (5, 0)}), 1, more=True)
    assert line2(desk) == (7, 3)
    feed(registered, tallied({2: (7, 0)}), 2, more=False)
    assert line2(desk) == (7, 3)  # the server counts them now; the station adds nothing
    # One more case, refused by the server: it was never counted there and is not here.
    assert desk.scan(ITEM).ok
    assert line2(desk) == (8, 2)
    answer(registered, pending(registered), "rejected", reason="line 2 is closed")
    assert line2(desk) == (7, 3)
    # A server restored from a backup lost every case: all three go again, waiting here.
    with registered() as tx:
        reopen_after(tx, 0)
        tx.commit()
    feed(registered, tallied({2: (0, 0)}), 3, more=False)
    assert line2(desk) == (3, 7)


def test_a_case_beyond_the_tolerance_counted_with_the_other_stations_receipts_asks(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered, tallied({2: (10, 0)}))  # line 2 is full at the server
    policy = ReceivingPolicy(blind_receipts=False, over_tolerance_pct=10.0, suppliers={})
    desk = make_desk(registered, server=Policy(policy))
    asyncio.run(desk.refresh_policy())
    desk.open("ASN-7")
    assert desk.scan(ITEM).ok  # 11 of 10: within 10%
    over = desk.scan(ITEM)
    assert over.supervisor, over
    assert "2 units over the 10 expected" in over.detail


def test_the_products_tolerance_comes_before_the_suppliers_and_the_sites(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    policy = ReceivingPolicy(
        blind_receipts=False,
        over_tolerance_pct=50.0,
        suppliers={"ACME": SupplierTolerance(over_tolerance_pct=20.0)},
        products={"SKU-2": ProductRules(over_tolerance_pct=0.0), "SKU-1": ProductRules()},
    )
    assert tolerance_of(policy, "ACME", "SKU-2") == Tolerance(percent=0)
    assert tolerance_of(policy, "ACME", "SKU-1").percent == 20
    assert tolerance_of(policy, "OTHER", "SKU-1").percent == 50
    stock_cache(registered, tallied({2: (10, 0)}))
    desk = make_desk(registered, server=Policy(policy))
    asyncio.run(desk.refresh_policy())
    desk.open("ASN-7")
    # SKU-2's own tolerance is nothing over, whatever ACME and the site allow.
    over = desk.scan(ITEM)
    assert over.supervisor, over
    assert "(0%)" in over.detail
    desk.set_aside()
    # SKU-1 has no tolerance of its own: ACME's 20% of 24 lets 4 more through, not 12.
    stock_cache(registered, tallied({1: (24, 0)}))
    case = desk.scan(label_scan(f"(01){CASE_GTIN}(17)271231(10)L1"))
    assert case.supervisor, case
    assert "(20%)" in case.detail


def test_the_servers_own_plates_in_a_push_answer_are_kept_shown_and_found_by_the_put_away(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered)
    with registered() as tx:
        tx.catalogue.upsert_location(CachedLocation("01-001-1", None, 1, 1, 1, "reserve", True))
        tx.commit()
    desk = make_desk(registered)
    desk.open("ASN-7")
    desk.add_damage("crushed", 2)
    assert desk.scan(label_scan(f"(01){CASE_GTIN}(17)271231(10)L1")).ok
    [event] = pending(registered)
    own = event.payload["plate"]
    plate = {"sku": "SKU-1", "lot": "L1", "expiry": "2027-12-31"}
    result = {
        "notice": "ASN-7",
        "words": "line 1: 12 units received: 10 to stock; 2 damaged to quarantine (2 crushed)",
        "plates": [
            {"code": own, "location": "DOCK-1", "quantity": 10, "status": "received", **plate},
            {"code": "LP00000042", "location": "QUAR-1", "quantity": 2, "status": "held", **plate},
        ],
    }
    # A duplicate (the first answer lost) carries the first outcome: the plates are kept.
    answer(registered, [event], "duplicate", {**result, "outcome": "applied"})
    assert desk.server_plates() == ["LP00000042: 2 SKU-1 lot L1 at QUAR-1 (held)"]
    walk = PutawayDesk(RECEIVER, registered, lambda raw: interpret(raw))
    held = asyncio.run(walk.suggest("LP00000042"))
    assert not held.ok
    assert "held at QUAR-1" in held.detail
    # Goods of another lot went onto a plate of the server's at the dock: put away offline.
    other = {"sku": "SKU-1", "lot": "L2", "expiry": "2027-12-31"}
    more = {
        **result,
        "plates": [
            {"code": "LP00000043", "location": "DOCK-1", "quantity": 12, "status": "received"}
            | other
        ],
    }
    assert desk.scan(label_scan(f"(01){CASE_GTIN}(17)271231(10)L1")).ok
    answer(registered, pending(registered), "applied", more)
    assert desk.server_plates()[0] == "LP00000043: 12 SKU-1 lot L2 at DOCK-1"
    go = asyncio.run(walk.suggest("LP00000043"))
    assert go.ok, go
    assert walk.plan is not None
    assert (walk.plan.sku, walk.plan.quantity, walk.plan.offline) == ("SKU-1", 12, True)
