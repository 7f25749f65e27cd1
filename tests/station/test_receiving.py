"""The receiver's use cases on the real station store: each receipt event with its change."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image
from sqlalchemy import Engine

from tests.station.receiving_world import (
    CASE_GTIN,
    PALLET,
    PALLET_CASE,
    PLAIN_GTIN,
    UNKNOWN_GTIN,
    People,
    Policy,
    label_scan,
    make_desk,
    notice,
    stock_cache,
)
from tests.station.test_packing import RawPrinter
from toteflow.contracts.notices import ReceivingPolicy
from toteflow.station.devices.printer import make_printer, parse_printer
from toteflow.station.services.receiving import PlateLabels, plate_code
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

GS = "\x1d"


def outbox(uow: SqlStationUnitOfWorkFactory) -> list[tuple[str, dict[str, Any]]]:
    with uow() as tx:
        return [(e.type, e.payload) for e in tx.outbox.after(0, 100)]


def test_a_case_label_received_in_one_scan_goes_on_a_new_plate(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered)
    desk = make_desk(registered)
    assert desk.open("ASN-7").opened
    case = label_scan(f"(01){CASE_GTIN}(17)271231(10)L1")
    got = desk.scan(case)
    assert got.ok, got
    assert "12 units of SKU-1 on line 1" in got.detail
    assert "new plate LP0001000001" in got.detail
    [(kind, payload)] = outbox(registered)
    assert kind == "receipt.case_received"
    event_id = payload.pop("case_id")
    assert len(event_id) == 36  # no SSCC or serial: the event's own id names the case
    assert payload == {
        "notice": "ASN-7",
        "line_no": 1,
        "sscc": None,
        "sku": "SKU-1",
        "lot": "L1",
        "expiry": "2027-12-31",
        "quantity": 12,
        "damaged": [],
        "supervisor_id": None,
        "plate": "LP0001000001",
        "dock": "DOCK-1",
    }
    assert [(r.line_no, r.received, r.still_open) for r in desk.lines()] == [
        (1, 12, 12),
        (2, 0, 10),
    ]


def test_lot_and_expiry_on_two_labels_are_guided_and_a_lot_keeps_its_date(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered)
    desk = make_desk(registered)
    desk.open("ASN-7")
    first = desk.scan(label_scan(f"(01){CASE_GTIN}(10)L1", "datamatrix"))
    assert first.ok
    assert first.headline == "NEXT LABEL"
    assert "expiry" in first.detail
    assert outbox(registered) == []
    wrong = desk.scan(label_scan("(10)L9"))
    assert not wrong.ok
    assert "lot is L9" in wrong.detail
    assert desk.drop_reading() is not None
    assert desk.drop_reading() is None
    assert desk.scan(label_scan(f"(01){CASE_GTIN}(10)L1", "datamatrix")).ok
    done = desk.scan(label_scan("(17)271231", "datamatrix"))
    assert done.ok, done
    assert len(outbox(registered)) == 1
    other_date = desk.scan(label_scan(f"(01){CASE_GTIN}(17)280101(10)L1"))
    assert not other_date.ok
    assert "lot L1 was received with expiry date 2027-12-31" in other_date.detail
    assert len(outbox(registered)) == 1
    # A lot the notice does not name is held as not on the notice.
    other_lot = desk.scan(label_scan(f"(01){CASE_GTIN}(17)271231(10)L9"))
    assert other_lot.headline == "NOT ON NOTICE"
    assert outbox(registered)[-1][0] == "receipt.not_on_notice"
    assert outbox(registered)[-1][1]["lot"] == "L9"


def test_a_missing_fnc1_is_said_in_plain_words_and_nothing_is_received(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered)
    desk = make_desk(registered)
    desk.open("ASN-7")
    swallowed = label_scan(f"(01){CASE_GTIN}(10)L117271231")
    assert GS not in swallowed
    got = desk.scan(swallowed)
    assert not got.ok
    assert "separator" in got.detail or "FNC1" in got.detail, got.detail
    for garbage in ("]", "", "%%%", "]C1" + "01" + "1" * 14):
        assert not desk.scan(garbage).ok
    assert outbox(registered) == []


def test_a_pallet_is_received_whole_and_its_cases_count_once(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered)
    desk = make_desk(registered)
    # The pallet's label at the home (its SSCC and contents) finds its notice and is
    # received by the same scan.
    got = desk.open(label_scan(f"(00){PALLET}(02){CASE_GTIN}(37)2"))
    assert got.opened
    assert got.ok, got
    assert outbox(registered) == [
        (
            "receipt.pallet_received",
            {"notice": "ASN-7", "sscc": PALLET, "dock": "DOCK-1", "supervisor_id": None},
        )
    ]
    assert desk.lines()[0].received == 24
    again = desk.scan(PALLET_CASE)
    assert not again.ok
    assert "received here before" in again.detail


def test_break_pallet_receives_a_case_by_its_sscc(registered: SqlStationUnitOfWorkFactory) -> None:
    stock_cache(registered)
    desk = make_desk(registered)
    desk.open("ASN-7")
    desk.toggle_break()
    whole = desk.scan(PALLET)
    assert not whole.ok
    assert "scan each case" in whole.detail
    got = desk.scan(label_scan(f"(00){PALLET_CASE}"))
    assert got.ok, got
    [(kind, payload)] = outbox(registered)
    assert (kind, payload["case_id"], payload["sscc"], payload["quantity"]) == (
        "receipt.case_received",
        PALLET_CASE,
        PALLET_CASE,
        12,
    )


def test_over_tolerance_and_a_ten_times_slip_need_a_supervisor_badge(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered)
    people = People()
    policy = ReceivingPolicy(blind_receipts=False, over_tolerance_pct=10.0, suppliers={})
    desk = make_desk(registered, people, Policy(policy))
    asyncio.run(desk.refresh_policy())
    desk.open("ASN-7")
    # 10 expected on line 2, 10% allowed: 11 pass, the 12th asks for a supervisor.
    for _ in range(11):
        assert desk.scan(f"]E0{PLAIN_GTIN[1:]}").ok
    over = desk.scan(f"]E0{PLAIN_GTIN[1:]}")
    assert over.supervisor
    assert "beyond the tolerance (10%)" in over.detail
    assert not desk.scan(f"]E0{PLAIN_GTIN[1:]}").ok  # nothing else until it is decided
    picker = asyncio.run(desk.approve("B10001", "1234"))
    assert not picker.ok
    assert "not a supervisor" in picker.detail
    people.online = False
    offline = asyncio.run(desk.approve("B10003", "1234"))
    assert not offline.ok
    assert "not answering" in offline.detail
    people.online = True
    approved = asyncio.run(desk.approve("B10003", "1234"))
    assert approved.ok, approved
    events = outbox(registered)
    assert len(events) == 12
    assert events[-1][1]["supervisor_id"] == 32  # the supervisor's user id, second log-in
    # A slip of the unit: 10 cases of 12 (120) scanned at once against 24 expected.
    slip = desk.scan(label_scan(f"(02){CASE_GTIN}(37)240(10)L1(17)271231"))
    assert slip.supervisor
    assert "times the 24 expected" in slip.detail
    desk.set_aside()
    assert len(outbox(registered)) == 12


def test_damage_goes_with_the_next_case_and_unknown_items_are_held(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered)
    desk = make_desk(registered)
    desk.open("ASN-7")
    assert not desk.add_damage("melted", 2).ok
    assert desk.add_damage("crushed", 2).ok
    got = desk.scan(label_scan(f"(01){CASE_GTIN}(10)L1(17)271231"))
    assert got.ok
    assert outbox(registered)[0][1]["damaged"] == [{"reason": "crushed", "quantity": 2}]
    assert desk.damage == []
    assert desk.lines()[0].damaged == 2
    held = desk.scan(f"]E0{UNKNOWN_GTIN[1:]}")
    assert held.ok
    kind, payload = outbox(registered)[1]
    assert kind == "receipt.not_on_notice"
    assert payload == {
        "notice": "ASN-7",
        "scanned": f"]E0{UNKNOWN_GTIN[1:]}",
        "sku": None,
        "lot": "",
        "expiry": None,
        "quantity": 1,
        "plate": "LP0001000002",
        "dock": "DOCK-1",
    }


def test_a_short_line_is_closed_with_a_reason_and_the_receipt_finished(
    registered: SqlStationUnitOfWorkFactory, engine: Engine
) -> None:
    stock_cache(registered)
    desk = make_desk(registered)
    desk.open("ASN-7")
    assert not desk.close_line(2, "lost_in_space").ok
    closed = desk.close_line(2, "supplier_short")
    assert closed.ok
    assert "10 units short" in closed.detail
    finished = desk.finish()
    assert finished.finished
    assert "1 line left open" in finished.detail
    assert [kind for kind, _ in outbox(registered)] == ["receipt.line_closed", "receipt.finished"]
    assert outbox(registered)[0][1] == {"notice": "ASN-7", "line_no": 2, "reason": "supplier_short"}
    assert outbox(registered)[1][1] == {"notice": "ASN-7"}
    # Scanned again, the notice starts a new receipt: the finished one stays finished.
    first = outbox(registered)
    again = make_desk(registered)
    assert again.open("ASN-7").opened
    assert again.receipt is not None
    assert again.receipt.status == "open"
    assert again.lines()[1].closed is False
    assert outbox(registered) == first


def test_blind_receipts_only_where_the_policy_allows_them(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered, notice(dock="DOCK-1"))
    closed = make_desk(registered)
    asyncio.run(closed.refresh_policy())  # no server, nothing cached: no blind receipts
    refused = closed.open("DOCK-2")
    assert not refused.opened
    assert "not allowed" in refused.detail
    server = Policy(ReceivingPolicy(blind_receipts=True, over_tolerance_pct=0.0, suppliers={}))
    online = make_desk(registered, server=server)
    asyncio.run(online.refresh_policy())
    server.online = False
    offline = make_desk(registered, server=server)
    asyncio.run(offline.refresh_policy())  # the cached policy, offline
    blind = offline.open("DOCK-2")
    assert blind.opened
    got = offline.scan(f"]E0{PLAIN_GTIN[1:]}")
    assert got.ok
    [(kind, payload)] = outbox(registered)
    assert kind == "receipt.case_received"
    assert (payload["notice"], payload["line_no"], payload["dock"]) == (None, None, "DOCK-2")
    assert not offline.open("NOPE-1").opened


def test_plate_codes_are_lp_station_and_serial() -> None:
    assert plate_code(3, 42) == "LP0003000042"
    assert len(plate_code(9999, 999_999)) == 12


def test_the_demo_scanner_offers_the_next_pallet_then_a_case_of_an_open_line(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    stock_cache(registered)
    desk = make_desk(registered)
    desk.open("ASN-7")
    assert desk.expected_scan() == PALLET
    assert desk.scan(PALLET).ok
    label = desk.expected_scan()
    assert label == f"]C101{PLAIN_GTIN}"
    assert desk.scan(label).ok
    assert desk.lines()[1].received == 1


def test_a_new_plate_prints_its_label_as_zpl_on_port_9100_and_as_a_png_that_scans_back(
    registered: SqlStationUnitOfWorkFactory, tmp_path: Path
) -> None:
    stock_cache(registered)
    printer = RawPrinter()
    printer.on()
    try:
        zpl = make_printer(parse_printer("zebra", f"tcp://127.0.0.1:{printer.port}"))
        desk = make_desk(registered)
        desk.labels = PlateLabels(zpl)
        desk.open("ASN-7")
        got = desk.scan(label_scan(f"(01){CASE_GTIN}(10)L1(17)271231"))
        assert "label LP0001000001 printed on zebra" in got.detail
        deadline = time.monotonic() + 10
        while not printer.jobs and time.monotonic() < deadline:
            time.sleep(0.01)
        [job] = printer.jobs
        assert job.startswith(b"^XA")
        assert b"LP0001000001" in job
    finally:
        printer.off()
    folder = make_printer(parse_printer("preview", "folder:labels", base=tmp_path))
    assert "printed on preview" in PlateLabels(folder).print("LP0001000002", "PLATE · ASN-7")
    [png] = list((tmp_path / "labels").glob("*.png"))
    [read] = zxingcpp.read_barcodes(Image.open(png))
    assert read.text == "LP0001000002"
    # A printer that does not answer: the case is received all the same, the words say so.
    gone = make_printer(parse_printer("gone", f"tcp://127.0.0.1:{printer.port}"), 0.5)
    assert "did not print" in PlateLabels(gone).print("LP0001000003", "PLATE")


def test_a_pallet_the_notice_gives_no_expiry_for_is_received_case_by_case(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    bare = notice(
        ssccs=[
            {
                "sscc": PALLET,
                "parent_sscc": None,
                "contents": [{"sku": "SKU-1", "quantity": 24, "lot": "L1", "expiry": None}],
            }
        ]
    )
    stock_cache(registered, bare)
    desk = make_desk(registered)
    desk.open("ASN-7")
    got = desk.scan(PALLET)
    assert not got.ok
    assert "no expiry date of SKU-1" in got.detail
    assert outbox(registered) == []
