"""Receiving by pushed events on SQLite and PostgreSQL: each case once, checked again, on plates."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import sqlalchemy as sa

from tests.server.conftest import Site
from tests.support.receiving import (
    API,
    REF,
    Pusher,
    add_notice,
    case,
    configure,
    dock_with_notice,
    sscc,
    user_id,
)
from tests.support.receiving import (
    table_rows as rows,
)
from tests.support.wave_floor import stock_by_location
from toteflow.central.store import tables as t
from toteflow.central.store.receipts_tables import ReceiptCase
from toteflow.central.store.shipping_tables import WebhookDelivery
from toteflow.contracts import notices as n
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role

CASE = "receipt.case_received"


@pytest.fixture
def dock(site: Site) -> Site:
    dock_with_notice(site)
    return site


def line(site: Site, line_no: int = 1, reference: str = REF) -> dict[str, Any]:
    notice = site.parts.services.notices.get(SYSTEM, reference)
    return next(x.model_dump(mode="json") for x in notice.lines if x.line_no == line_no)


def status(site: Site, reference: str = REF) -> str:
    return site.parts.services.notices.get(SYSTEM, reference).status.value


def plates(site: Site) -> list[tuple[str, str, int, str]]:
    """(code, location, quantity, status) of every plate, by id."""
    query = sa.text(
        "SELECT p.code, l.code, p.quantity, p.status FROM plate p "
        "JOIN location l ON l.id = p.location_id ORDER BY p.id"
    )
    with site.parts.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


def exceptions(site: Site) -> list[tuple[str, str]]:
    return [(row["kind"], row["reason"]) for row in rows(site.parts.engine, t.FloorException)]


def test_a_case_is_counted_on_its_line_and_goes_on_a_plate_at_the_dock(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    [result] = station.push(station.make(CASE, case(plate="LP0001000001"), receiver))
    assert result["status"] == "applied", result
    assert result["result"]["line"]["received"] == 10
    assert result["result"]["line"]["short"] == 90
    assert result["result"]["plates"] == [
        {
            "code": "LP0001000001",
            "location": "DOCK-01",
            "quantity": 10,
            "status": "received",
            "sku": "SKU-A",
            "lot": "L1",
            "expiry": "2027-06-30",
        }
    ]
    assert line(dock)["received"] == 10
    assert line(dock)["accepted"] == 10
    assert status(dock) == "receiving"
    assert stock_by_location(dock.parts.engine)[("DOCK-01", "L1")] == (10, 0)
    # The stations see the notice with its tallies.
    feed = dock.client.get(f"{API}/sync/changes", headers=dock.station_headers()).json()
    updates = [c for c in feed["changes"] if c["kind"] == "notice.updated"]
    assert updates[-1]["payload"]["status"] == "receiving"
    assert updates[-1]["payload"]["lines"][0]["received"] == 10
    n.Notice.model_validate(updates[-1]["payload"])  # what the station cache reads
    audit = dock.parts.services.people.audit(SYSTEM, "notice", REF, None, 0, 10)
    assert "receipt.case_received" in {e.action for e in audit.items}


def test_a_case_id_is_refused_the_second_time_whichever_station_sends_it(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    other = dock.parts.services.people.register_station(SYSTEM, StationCreate(name="recv-02"))
    first, second = Pusher(dock), Pusher(dock, other.token, other.station.id)
    body = case(case_id=sscc(12))
    assert first.push(first.make(CASE, body, receiver))[0]["status"] == "applied"
    [again] = second.push(second.make(CASE, body, receiver))
    assert again["status"] == "rejected"
    assert "already received" in again["reason"]
    assert f"at station {dock.station_id}" in again["reason"]
    assert line(dock)["received"] == 10
    assert ("rejected_receipt", again["reason"]) in exceptions(dock)
    assert len(rows(dock.parts.engine, ReceiptCase)) == 1


def test_over_the_tolerance_needs_a_supervisor_and_ten_times_is_a_slip(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    boss = user_id(dock, Role.SUPERVISOR)
    picker = user_id(dock, Role.PICKER)
    station = Pusher(dock)
    over = station.make(CASE, case(quantity=101), receiver)
    by_picker = station.make(CASE, case(quantity=101, supervisor_id=picker), receiver)
    slip = station.make(
        CASE, case(line_no=2, sku="SKU-B", lot="", expiry=None, quantity=500), receiver
    )
    approved = station.make(CASE, case(quantity=101, supervisor_id=boss), receiver)
    results = station.push(over, by_picker, slip, approved)
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert "beyond the tolerance (nothing over)" in results[0]["reason"]
    assert "is not an active supervisor" in results[1]["reason"]
    assert "10 times the 50 expected" in results[2]["reason"]
    assert line(dock)["received"] == 101
    assert line(dock)["over"] == 1
    assert line(dock, 2)["received"] == 0


def test_the_supplier_tolerance_from_config_and_the_product_one_before_it(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    configure(dock, suppliers={"ACME": n.SupplierTolerance(over_tolerance_pct=10)})
    station = Pusher(dock)
    within = station.make(CASE, case(quantity=110), receiver)
    beyond = station.make(
        CASE, case(line_no=2, sku="SKU-B", lot="", expiry=None, quantity=56), receiver
    )
    results = station.push(within, beyond)
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert "(10%)" in results[1]["reason"]
    configure(dock, products={"SKU-B": n.ProductRules(over_tolerance_pct=20)})
    [ok] = station.push(
        station.make(CASE, case(line_no=2, sku="SKU-B", lot="", expiry=None, quantity=56), receiver)
    )
    assert ok["status"] == "applied", ok


def test_a_lot_received_before_with_another_expiry_is_refused(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    results = station.push(
        station.make(CASE, case(lot="L7", expiry="2027-01-31"), receiver),
        station.make(CASE, case(lot="L7", expiry="2027-02-28"), receiver),
        station.make(CASE, case(lot="L7", expiry="2027-01-31"), receiver),
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert "lot L7 of SKU-A was received before with expiry 2027-01-31" in results[1]["reason"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"notice": "ASN-NONE"}, "no notice with reference ASN-NONE"),
        ({"line_no": 9}, "has no line 9"),
        ({"line_no": None, "sku": "SKU-C", "lot": "", "expiry": None}, "SKU-C is not on notice"),
        ({"line_no": 2}, "line 2 of notice ASN-1001 is SKU-B, not SKU-A"),
        ({"dock": "NOWHERE"}, "no location NOWHERE"),
        ({"lot": "", "expiry": None}, "lot-tracked"),
        ({"damaged": [{"reason": "crushed", "quantity": 11}]}, "damaged units in a case of 10"),
        ({"quantity": 0}, "malformed: quantity"),
        ({"quantity": "10"}, "malformed: quantity"),
        ({"damaged": [{"reason": "eaten", "quantity": 1}]}, "malformed: damaged.0.reason"),
        ({"notice": 5}, "malformed: notice"),
        ({"surprise": 1}, "malformed: surprise"),
        ({"plate": "PLATE"}, "malformed: plate"),
    ],
)
def test_a_refused_case_is_rejected_alone_with_its_reason(
    dock: Site, change: dict[str, Any], words: str
) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    bad, good = station.make(CASE, case(**change), receiver), station.make(CASE, case(), receiver)
    results = station.push(bad, good)
    assert [r["status"] for r in results] == ["rejected", "applied"], results
    assert words in results[0]["reason"]
    assert line(dock)["received"] == 10
    assert plates(dock)[-1][1:] == ("DOCK-01", 10, "received")
    assert len(plates(dock)) == 1  # the refused case left no plate behind


def test_payloads_that_are_not_objects_are_rejected_not_a_server_error(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    kinds = [
        CASE,
        "receipt.pallet_received",
        "receipt.not_on_notice",
        "receipt.line_closed",
        "receipt.finished",
    ]
    results = station.push(*(station.make(kind, {}, receiver) for kind in kinds))
    assert [r["status"] for r in results] == ["rejected"] * 5
    assert all("malformed" in r["reason"] for r in results)
    assert status(dock) == "expected"


def test_damaged_units_go_to_quarantine_and_inspected_ones_to_quality_hold(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    configure(dock, products={"SKU-B": n.ProductRules(inspect=True)})
    station = Pusher(dock)
    damaged = case(plate="LP0001000002", damaged=[{"reason": "crushed", "quantity": 3}])
    inspected = case(line_no=2, sku="SKU-B", lot="", expiry=None, quantity=8)
    results = station.push(
        station.make(CASE, damaged, receiver), station.make(CASE, inspected, receiver)
    )
    assert [r["status"] for r in results] == ["applied", "applied"], results
    made = plates(dock)
    assert made[0] == ("LP0001000002", "DOCK-01", 7, "received")
    assert made[1][1:] == ("QUAR-01", 3, "held")
    assert made[2][1:] == ("QUAL-01", 8, "held")
    assert line(dock)["accepted"] == 7
    assert line(dock)["damaged"] == 3
    assert line(dock, 2)["held"] == 8
    assert line(dock, 2)["accepted"] == 0
    # A supplier flagged for inspection holds everything it sends.
    configure(
        dock,
        products={},
        suppliers={"ACME": n.SupplierTolerance(over_tolerance_pct=0, inspect=True)},
    )
    [held] = station.push(station.make(CASE, case(quantity=5), receiver))
    assert held["result"]["plates"][0]["location"] == "QUAL-01"


def test_units_not_on_the_notice_are_held_with_an_exception_for_a_supervisor(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    body = {"notice": REF, "scanned": "BC-SKU-C", "sku": "SKU-C", "quantity": 4, "dock": "DOCK-01"}
    unknown = {"notice": REF, "scanned": "4000000000000", "quantity": 2, "dock": "DOCK-01"}
    results = station.push(
        station.make("receipt.not_on_notice", body, receiver),
        station.make("receipt.not_on_notice", unknown, receiver),
    )
    assert [r["status"] for r in results] == ["applied", "applied"], results
    assert plates(dock)[0][1:] == ("QUAR-01", 4, "held")
    raised = [reason for kind, reason in exceptions(dock) if kind == "not_on_notice"]
    assert len(raised) == 2
    assert "SKU-C is not on notice ASN-1001: 4 units to QUAR-01" in raised[0]
    assert status(dock) == "receiving"


def test_blind_receipts_are_refused_unless_the_site_allows_them(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    blind = case(notice=None, line_no=None, sku="SKU-C", lot="", expiry=None, case_id="BLIND-1")
    [refused] = station.push(station.make(CASE, blind, receiver))
    assert refused["status"] == "rejected"
    assert "blind_receipts = false" in refused["reason"]
    configure(dock, blind_receipts=True)
    results = station.push(station.make(CASE, blind, receiver), station.make(CASE, blind, receiver))
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert "already received (blind)" in results[1]["reason"]
    assert plates(dock)[0][1:] == ("DOCK-01", 10, "received")


def test_a_line_closes_short_only_with_a_reason_and_then_takes_nothing_more(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    close = "receipt.line_closed"
    results = station.push(
        station.make(CASE, case(quantity=60), receiver),
        station.make(close, {"notice": REF, "line_no": 1}, receiver),
        station.make(close, {"notice": REF, "line_no": 1, "reason": "supplier_short"}, receiver),
        station.make(CASE, case(), receiver),
        station.make(close, {"notice": REF, "line_no": 1, "reason": "supplier_short"}, receiver),
    )
    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "applied",
        "rejected",
        "rejected",
    ]
    assert "40 short: say why" in results[1]["reason"]
    assert "is closed: nothing more on it" in results[3]["reason"]
    assert "already closed" in results[4]["reason"]
    assert line(dock)["status"] == "closed"
    assert line(dock)["short_reason"] == "supplier_short"


def test_a_pallet_of_an_asn_is_received_whole_onto_its_sscc(site: Site) -> None:
    dock_with_notice(site, reference="ASN-0")
    pallet, carton = sscc(1), sscc(2)
    add_notice(
        site,
        REF,
        given=[
            n.NoticeLineIn(line_no=1, sku="SKU-A", quantity=12, lot="L2", expiry="2027-03-31"),  # type: ignore[arg-type]
            n.NoticeLineIn(line_no=2, sku="SKU-B", quantity=20),
        ],
        ssccs=[
            n.SsccIn(sscc=pallet, contents=[n.SsccContent(sku="SKU-B", quantity=20)]),
            n.SsccIn(
                sscc=carton,
                parent_sscc=pallet,
                contents=[n.SsccContent(sku="SKU-A", quantity=12, lot="L2", expiry="2027-03-31")],  # type: ignore[arg-type]
            ),
        ],
    )
    receiver = user_id(site, Role.RECEIVER)
    station = Pusher(site)
    body = {"notice": REF, "sscc": pallet, "dock": "DOCK-01"}
    results = station.push(
        station.make("receipt.pallet_received", body, receiver),
        station.make("receipt.pallet_received", body, receiver),
        station.make(CASE, case(case_id=carton, lot="L2", expiry="2027-03-31"), receiver),
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected"], results
    assert "already received" in results[1]["reason"]
    assert "already received" in results[2]["reason"]
    assert line(site, 1)["received"] == 12
    assert line(site, 2)["received"] == 20
    codes = [p[0] for p in plates(site)]
    assert pallet in codes
    assert len(codes) == 2


def test_finished_receives_the_notice_and_confirms_it_to_the_erp(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    configure(dock, webhook_url="https://erp.example/hooks")
    station = Pusher(dock)
    events = [
        station.make(CASE, case(quantity=60, lot="L1"), receiver),
        station.make(
            CASE,
            case(
                quantity=30,
                lot="=L2",
                expiry="2027-07-31",
                damaged=[{"reason": "wet", "quantity": 2}],
            ),
            receiver,
        ),
        station.make(
            "receipt.line_closed",
            {"notice": REF, "line_no": 1, "reason": "supplier_short"},
            receiver,
        ),
        station.make(
            "receipt.not_on_notice",
            {
                "notice": REF,
                "scanned": "BC-SKU-C",
                "sku": "SKU-C",
                "quantity": 1,
                "dock": "DOCK-01",
            },
            receiver,
        ),
        station.make("receipt.finished", {"notice": REF}, receiver),
    ]
    results = station.push(*events)
    assert [r["status"] for r in results] == ["applied"] * 5, results
    assert status(dock) == "received"
    [hook] = rows(dock.parts.engine, WebhookDelivery)
    assert hook["event"] == "notice.received"
    assert hook["entity_id"] == REF
    sent = json.loads(hook["body"])
    assert sent["idempotency_key"] == f"notice.received:{REF}"
    one, two = sent["lines"]
    assert (one["expected"], one["received"], one["short"], one["damaged"]) == (100, 90, 10, 2)
    assert one["short_reason"] == "supplier_short"
    assert one["damage"] == {"wet": 2}
    assert [(x["lot"], x["received"], x["damaged"]) for x in one["lots"]] == [
        ("=L2", 30, 2),
        ("L1", 60, 0),
    ]
    assert (two["received"], two["short"], two["status"]) == (0, 50, "open")
    assert sent["not_on_notice"][0]["sku"] == "SKU-C"
    reader = dock.login(Role.RECEIVER)
    reply = dock.client.get(f"{API}/notices/{REF}/receipt", headers=reader)
    assert reply.status_code == 200
    assert reply.json() == sent
    table = dock.client.get(f"{API}/notices/{REF}/receipt.csv", headers=reader)
    assert table.status_code == 200
    assert table.headers["content-type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(table.text)))
    assert [(r["line_no"], r["lot"], r["received"]) for r in parsed] == [
        ("1", "'=L2", "30"),
        ("1", "L1", "60"),
        ("2", "", "0"),
        ("", "", "1"),
    ]
    # Replayed, the push changes nothing: the stored answers come back.
    again = station.push(*events)
    assert [r["status"] for r in again] == ["duplicate"] * 5
    assert line(dock)["received"] == 90
    assert len(rows(dock.parts.engine, WebhookDelivery)) == 1
    # Received: nothing more on it, and not finished twice.
    late = station.push(
        station.make(CASE, case(), receiver),
        station.make("receipt.finished", {"notice": REF}, receiver),
    )
    assert all("is received: nothing more" in r["reason"] for r in late)


def test_a_supervisor_closes_a_notice_online_and_receivers_receive_online(dock: Site) -> None:
    receiver = dock.login(Role.RECEIVER)
    reply = dock.client.post(f"{API}/receipts/cases", json=case(quantity=40), headers=receiver)
    assert reply.status_code == 200, reply.text
    assert reply.json()["line"]["received"] == 40
    again = dock.client.post(
        f"{API}/receipts/cases", json={**case(), "case_id": "X"}, headers=receiver
    )
    assert again.status_code == 200
    twice = dock.client.post(
        f"{API}/receipts/cases", json={**case(), "case_id": "X"}, headers=receiver
    )
    assert twice.status_code == 409
    assert "already received" in twice.text
    missing = dock.client.get(f"{API}/notices/{REF}/receipt", headers=receiver)
    assert missing.status_code == 404
    assert "not received yet" in missing.text
    refused = dock.client.post(f"{API}/notices/{REF}/close", json={}, headers=receiver)
    assert refused.status_code == 403
    boss = dock.login(Role.SUPERVISOR)
    closed = dock.client.post(
        f"{API}/notices/{REF}/close", json={"reason": "truck gone"}, headers=boss
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_by"] == "supervisor"
    assert closed.json()["reason"] == "truck gone"
    assert closed.json()["lines"][0]["received"] == 50
    assert status(dock) == "received"
    # No webhook URL configured: stored and served, nothing queued.
    assert rows(dock.parts.engine, WebhookDelivery) == []
    assert dock.client.post(f"{API}/notices/{REF}/close", json={}, headers=boss).status_code == 409


def test_cases_of_the_same_goods_add_to_the_stations_plate_others_get_their_own(
    dock: Site,
) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    plate = "LP0001000009"
    other = case(line_no=2, sku="SKU-B", lot="", expiry=None, plate=plate)
    results = station.push(
        station.make(CASE, case(plate=plate), receiver),
        station.make(CASE, case(plate=plate, quantity=5), receiver),
        station.make(CASE, other, receiver),
        station.make(CASE, case(plate=plate, lot="L9", expiry="2027-06-30"), receiver),
    )
    assert [r["status"] for r in results] == ["applied"] * 4, results
    made = plates(dock)
    assert made[0] == (plate, "DOCK-01", 15, "received")
    assert [p[0] for p in made[1:]] == [
        results[2]["result"]["plates"][0]["code"],
        results[3]["result"]["plates"][0]["code"],
    ]
    assert all(p[0].startswith("LP") and len(p[0]) == 10 for p in made[1:])
    assert line(dock)["received"] == 25
    assert stock_by_location(dock.parts.engine)[("DOCK-01", "L1")] == (15, 0)


def test_what_a_station_may_leave_out_the_dock_a_reason_a_blind_notice(dock: Site) -> None:
    receiver = user_id(dock, Role.RECEIVER)
    station = Pusher(dock)
    no_dock = {
        k: v
        for k, v in case(quantity=50, line_no=2, sku="SKU-B", lot="", expiry=None).items()
        if k != "dock"
    }
    results = station.push(
        station.make(CASE, no_dock, receiver),
        station.make("receipt.line_closed", {"notice": REF, "line_no": 2, "reason": ""}, receiver),
        station.make("receipt.finished", {"notice": None}, receiver),
    )
    assert [r["status"] for r in results] == ["applied"] * 3, results
    assert results[0]["result"]["plates"][0]["location"] == "DOCK-01"  # the notice's dock
    assert line(dock, 2)["status"] == "closed"
    assert line(dock, 2)["short_reason"] == ""
    assert status(dock) == "receiving"
