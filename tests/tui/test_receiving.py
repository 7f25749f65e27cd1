"""The receiver's screens with Pilot: notices from a real server, GS1 labels scanned back.

Labels are made as images (GS1-128 and GS1 DataMatrix) and decoded by zxing-cpp: the scan
strings are what a scanner sends. The events land in the station's outbox with the payloads
docs/receiving.md gives and are pushed to the server in order, each once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from textual.widgets import Input, Static

from tests.server.conftest import BADGES, PINS
from tests.station.receiving_world import (
    CASE_GTIN,
    PLAIN_GTIN,
    add_widgets,
    label_scan,
    sscc,
    stock_cache,
)
from tests.support.wave_floor import add_locations, add_product, stock_by_location
from tests.tui.station_fakes import offline_app
from tests.tui.station_world import World, log_in, on_screen, press, scan, synced, until
from tests.tui.terminal_input import feed_terminal_bytes, settle, wait_until
from toteflow.central.services.putaway import Receipt
from toteflow.contracts import sync
from toteflow.contracts.catalogue import LocationCreate
from toteflow.contracts.notices import NoticeCreate
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.station.ports.store import CachedLocation
from toteflow.station.services.login import Person
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.putaway import PutawayScreen
from toteflow.station.tui.screens.receive_dialogs import SupervisorDialog
from toteflow.station.tui.screens.receive_home import ReceiveHomeScreen
from toteflow.station.tui.screens.receiving import ReceivingScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio

PALLET = sscc(101)
F3 = b"\x1bOR"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def seed(world: World, reference: str = "ASN-R1") -> None:
    """Two products, a dock and one ASN (a pallet of SKU-1 and a line of SKU-2) on the server."""
    services = world.parts.services
    add_widgets(services.catalogue)
    services.catalogue.add_location(SYSTEM, LocationCreate(code="DOCK-1", kind="dock"))
    # Damaged units go to quarantine on the server.
    services.catalogue.add_location(SYSTEM, LocationCreate(code="QUAR-1", kind="quarantine"))
    services.notices.create(
        SYSTEM,
        NoticeCreate.model_validate(
            {
                "reference": reference,
                "kind": "asn",
                "supplier": {"code": "ACME", "name": "Acme Supplies"},
                "expected_on": "2026-12-08",
                "dock": "DOCK-1",
                "lines": [
                    {
                        "line_no": 1,
                        "sku": "SKU-1",
                        "quantity": 2,
                        "uom": "CS",
                        "lot": "L1",
                        "expiry": "2027-12-31",
                    },
                    {"line_no": 2, "sku": "SKU-2", "quantity": 10, "uom": "EA"},
                ],
                "ssccs": [
                    {
                        "sscc": PALLET,
                        "contents": [
                            {"sku": "SKU-1", "quantity": 24, "lot": "L1", "expiry": "2027-12-31"}
                        ],
                    },
                    {"sscc": sscc(102), "contents": [{"sku": "SKU-2", "quantity": 10}]},
                ],
            }
        ),
    )


def outbox(app: StationApp) -> list[tuple[str, dict[str, Any]]]:
    with app.services.floor.uow() as uow:
        return [(e.type, e.payload) for e in uow.outbox.after(0, 200)]


def cached(app: StationApp, reference: str) -> bool:
    """The notice, its products and its dock are in the station's store."""
    with app.services.floor.uow() as uow:
        return (
            uow.inbound.get(reference) is not None
            and uow.catalogue.product("SKU-2") is not None
            and uow.catalogue.location("DOCK-1") is not None
        )


def server_last_seq(world: World) -> int:
    with world.parts.engine.connect() as connection:
        query = sa.text("SELECT last_seq FROM station WHERE id = :id")
        return int(connection.execute(query, {"id": world.station_id}).scalar_one())


def applied(world: World) -> list[int]:
    with world.parts.engine.connect() as connection:
        query = sa.text("SELECT seq FROM applied_event WHERE station_id = :id ORDER BY seq")
        return [int(seq) for seq in connection.execute(query, {"id": world.station_id}).scalars()]


def outcomes(world: World) -> list[tuple[str, str, str]]:
    """Each event the server took from this station: type, applied or rejected, and why."""
    with world.parts.engine.connect() as connection:
        query = sa.text(
            "SELECT type, status, reason FROM applied_event WHERE station_id = :id ORDER BY seq"
        )
        return [tuple(row) for row in connection.execute(query, {"id": world.station_id})]


def said(app: StationApp) -> str:
    return str(app.screen.query_one(ScanFeedback).render())


async def open_receipt(pilot: Any, app: StationApp, reference: str = "ASN-R1") -> Any:
    await log_in(pilot, Role.RECEIVER)
    await on_screen(pilot, ReceiveHomeScreen)
    assert await until(pilot, lambda: cached(app, reference))
    await scan(pilot, reference)
    return await on_screen(pilot, ReceivingScreen)


async def test_a_notice_received_case_by_case_with_gs1_labels(world: World) -> None:
    seed(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_receipt(pilot, app)
        # One GS1-128 case label: product, lot, expiry in one scan.
        await scan(pilot, label_scan(f"(01){CASE_GTIN}(10)L1(17)271231"))
        assert screen.desk.lines()[0].received == 12, (said(app), outbox(app))
        # DataMatrix: lot on one label, expiry on the next; the screen asks for the second.
        await scan(pilot, label_scan(f"(01){CASE_GTIN}(10)L1", "datamatrix"))
        assert "expiry" in said(app)
        await scan(pilot, label_scan("(17)271231", "datamatrix"))
        assert screen.desk.lines()[0].received == 24
        # A label whose lot ran into the expiry for want of an FNC1: words, nothing received.
        await scan(pilot, label_scan(f"(01){CASE_GTIN}(10)L117271231"))
        assert "separator" in said(app) or "FNC1" in said(app), said(app)
        # Damaged units with the next case: F5, a reason, a count.
        await press(pilot, "f5", "enter")
        await press(pilot, "1", "enter")
        assert screen.desk.damage == [("crushed", 1)]
        await scan(pilot, f"]E0{PLAIN_GTIN[1:]}")
        # Line 2 is short: closed with a reason; then the receipt is finished.
        await press(pilot, "f6", "enter")
        await press(pilot, "enter")
        await press(pilot, "f10")
        await on_screen(pilot, ReceiveHomeScreen)
        assert "FINISHED" in said(app)
        events = outbox(app)
        assert [kind for kind, _ in events] == [
            "receipt.case_received",
            "receipt.case_received",
            "receipt.case_received",
            "receipt.line_closed",
            "receipt.finished",
        ]
        assert [p["quantity"] for _, p in events[:3]] == [12, 12, 1]
        assert events[2][1]["damaged"] == [{"reason": "crushed", "quantity": 1}]
        assert events[3][1] == {"notice": "ASN-R1", "line_no": 2, "reason": "supplier_short"}
        # One SKU, lot and expiry per plate: the cases of SKU-1 share one, SKU-2 starts the next.
        station = f"LP{world.station_id:04d}"
        assert [p["plate"] for _, p in events[:3]] == [
            f"{station}000001",
            f"{station}000001",
            f"{station}000002",
        ]
        assert await until(pilot, lambda: synced(app))
        assert applied(world) == [1, 2, 3, 4, 5]
        assert [status for _, status, _ in outcomes(world)] == ["applied"] * 5, outcomes(world)
        with world.parts.engine.connect() as connection:
            status = connection.execute(
                sa.text("SELECT status FROM inbound_notice WHERE reference = 'ASN-R1'")
            ).scalar_one()
        assert status == "received"


async def test_a_pallet_by_sscc_then_a_case_over_tolerance_needs_a_supervisor(
    world: World,
) -> None:
    seed(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, Role.RECEIVER)
        await on_screen(pilot, ReceiveHomeScreen)
        assert await until(pilot, lambda: cached(app, "ASN-R1"))
        # The pallet's SSCC at the home finds the notice and receives the pallet whole.
        await scan(pilot, label_scan(f"(00){PALLET}"))
        screen = await on_screen(pilot, ReceivingScreen)
        assert screen.desk.lines()[0].received == 24
        # One more case of 12 on a line of 24 with no tolerance: a supervisor's badge.
        await scan(pilot, label_scan(f"(01){CASE_GTIN}(10)L1(17)271231"))
        dialog = await on_screen(pilot, SupervisorDialog)
        await scan_dialog(pilot, dialog, BADGES[Role.PICKER])
        pin = dialog.query_one("#supervisor-pin", Input)
        pin.value = PINS[Role.PICKER]
        await press(pilot, "enter")
        assert await wait_until(pilot, lambda: "not a supervisor" in _dialog_words(dialog))
        await scan_dialog(pilot, dialog, BADGES[Role.SUPERVISOR])
        pin.value = PINS[Role.SUPERVISOR]
        await press(pilot, "enter")
        await on_screen(pilot, ReceivingScreen)
        assert screen.desk.lines()[0].received == 36
        events = outbox(app)
        assert events[0] == (
            "receipt.pallet_received",
            {"notice": "ASN-R1", "sscc": PALLET, "dock": "DOCK-1", "supervisor_id": None},
        )
        supervisor = supervisor_id(world)
        assert events[1][1]["supervisor_id"] == supervisor
        # A slip of the unit (120 units on a line of 10) asks again; Escape sets it aside.
        await scan(pilot, label_scan(f"(02){PLAIN_GTIN}(37)120"))
        await on_screen(pilot, SupervisorDialog)
        await press(pilot, "escape")
        await on_screen(pilot, ReceivingScreen)
        assert "not received" in said(app)
        assert len(outbox(app)) == 2
        assert await until(pilot, lambda: synced(app))
        assert [status for _, status, _ in outcomes(world)] == ["applied"] * 2, outcomes(world)
        assert await until(pilot, lambda: synced(app))


async def test_a_receipt_finished_offline_is_pushed_once_the_server_is_back(
    world: World,
) -> None:
    seed(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, Role.RECEIVER)
        await on_screen(pilot, ReceiveHomeScreen)
        assert await until(pilot, lambda: cached(app, "ASN-R1"))
        world.server.stop()
        await scan(pilot, "ASN-R1")
        await on_screen(pilot, ReceivingScreen)
        for _ in range(3):
            await scan(pilot, f"]E0{PLAIN_GTIN[1:]}")
        await press(pilot, "f10")
        await on_screen(pilot, ReceiveHomeScreen)
        assert [kind for kind, _ in outbox(app)][-1] == "receipt.finished"
        assert await until(
            pilot, lambda: app.sync_status is not None and app.sync_status.waiting == 4
        )
        assert applied(world) == []
        world.server.start()
        assert await until(pilot, lambda: synced(app))
        app.action_sync_now()
        await settle(pilot)
        assert applied(world) == [1, 2, 3, 4]
        assert server_last_seq(world) == 4
        assert [status for _, status, _ in outcomes(world)] == ["applied"] * 4, outcomes(world)


async def test_case_scans_in_one_burst_are_worked_in_order_across_the_screen_change(
    tmp_path: Path,
) -> None:
    """Badge, PIN, the notice and five case labels (GS as the scanner sends it) in one read."""
    app = offline_app(tmp_path, [])
    receiver = Person(9, "Rita Receiver", "B00105", Role.RECEIVER, "session")
    app.services.login.server.people[receiver.badge] = receiver  # type: ignore[attr-defined]
    engine = open_store(tmp_path / "station.db")
    stock_cache(SqlStationUnitOfWorkFactory(engine))
    case = label_scan(f"(01){CASE_GTIN}(10)L1(17)271231")
    assert "\x1d" in case
    items = [f"]E0{PLAIN_GTIN[1:]}"] * 3
    burst = (
        b"B00105\r1111\rASN-7\r"
        + f"{case}\r".encode()
        + b"".join(f"{raw}\r".encode() for raw in items)
        + f"{case}\r".encode()
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, burst)
        screen = await on_screen(pilot, ReceivingScreen)
        assert await wait_until(pilot, lambda: len(outbox(app)) == 5)
        await settle(pilot)
        assert not app.input_waiting
        events = outbox(app)
        assert [(p["sku"], p["quantity"]) for _, p in events] == [
            ("SKU-1", 12),
            ("SKU-2", 1),
            ("SKU-2", 1),
            ("SKU-2", 1),
            ("SKU-1", 12),
        ]
        assert [(r.line_no, r.received) for r in screen.desk.lines()] == [(1, 24), (2, 3)]
    engine.dispose()


async def scan_dialog(pilot: Any, dialog: SupervisorDialog, raw: str) -> None:
    before = dialog.signals
    pilot.app.deliver_scan(raw, "wedge")
    assert await wait_until(pilot, lambda: dialog.signals > before)
    await pilot.pause()


def _dialog_words(dialog: SupervisorDialog) -> str:
    return str(dialog.query_one("#supervisor-error", Static).render())


def supervisor_id(world: World) -> int:
    with world.parts.engine.connect() as connection:
        query = sa.text("SELECT id FROM app_user WHERE badge = :badge")
        return int(connection.execute(query, {"badge": BADGES[Role.SUPERVISOR]}).scalar_one())


async def test_received_then_put_away_offline_in_bursts_across_three_screens(
    tmp_path: Path,
) -> None:
    """A case received, back home, then F3, the plate and its location in one read: each
    worked in order by the screen active in its turn."""
    app = offline_app(tmp_path, [])
    receiver = Person(9, "Rita Receiver", "B00105", Role.RECEIVER, "session")
    app.services.login.server.people[receiver.badge] = receiver  # type: ignore[attr-defined]
    engine = open_store(tmp_path / "station.db")
    uow = SqlStationUnitOfWorkFactory(engine)
    stock_cache(uow)
    with uow() as tx:
        tx.catalogue.upsert_location(CachedLocation("01-004-1", None, 1, 4, 1, "reserve", True))
        tx.commit()
    case = label_scan(f"(01){CASE_GTIN}(10)L1(17)271231", "datamatrix")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, b"B00105\r1111\rASN-7\r" + f"{case}\r".encode())
        await on_screen(pilot, ReceivingScreen)
        assert await wait_until(pilot, lambda: len(outbox(app)) == 1)
        await press(pilot, "escape")
        await on_screen(pilot, ReceiveHomeScreen)
        await feed_terminal_bytes(app, F3 + b"LP0001000001\r01-004-1\r")
        await on_screen(pilot, PutawayScreen)
        assert await wait_until(pilot, lambda: len(outbox(app)) == 2)
        await settle(pilot)
        assert outbox(app)[1] == (
            "putaway.confirmed",
            {"plate": "LP0001000001", "location": "01-004-1", "quantity": 12, "reason": None},
        )
    engine.dispose()


async def test_a_plate_put_away_where_the_server_suggests(world: World) -> None:
    """F3, the plate: the server's suggestion and the way there; the location scanned moves
    the stock there once the event is pushed."""
    services = world.parts.services
    add_locations(services, ["01-001-3", "01-002-3"])
    services.catalogue.add_location(SYSTEM, LocationCreate(code="DOCK-1", kind="dock"))
    add_product(services, "SKU-A")
    services.putaway.receive_to_plate(SYSTEM, Receipt("SKU-A", 10, "DOCK-1", "LP0001000009"))
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, Role.RECEIVER)
        await on_screen(pilot, ReceiveHomeScreen)
        await press(pilot, "f3")
        screen = await on_screen(pilot, PutawayScreen)
        await scan(pilot, "LP0001000009")
        leg = screen.desk.leg()
        assert leg is not None, said(app)
        assert leg.location in {"01-001-3", "01-002-3"}
        assert "from the dock" in str(screen.query_one("#putaway-route", Static).render())
        await scan(pilot, "01-009-3")  # not the suggested one: a reason is asked
        await press(pilot, "escape")
        await scan(pilot, leg.location)
        assert outbox(app) == [
            (
                "putaway.confirmed",
                {"plate": "LP0001000009", "location": leg.location, "quantity": 10, "reason": None},
            )
        ]
        assert await until(pilot, lambda: synced(app))
        assert outcomes(world) == [("putaway.confirmed", "applied", "")]
        assert stock_by_location(world.parts.engine)[(leg.location, "")] == (10, 0)


async def test_the_screen_shows_the_whole_notice_and_where_the_server_put_damaged_units(
    world: World,
) -> None:
    """Another station has received line 2 in full: this screen counts it, a unit more needs
    a supervisor; damaged units of a case show on the server's quarantine plate once synced."""
    seed(world)
    services = world.parts.services
    other = services.people.register_station(SYSTEM, StationCreate(name="recv-02")).station
    with world.parts.engine.connect() as connection:
        receiver = connection.execute(
            sa.text("SELECT id FROM app_user WHERE badge = :b"), {"b": BADGES[Role.RECEIVER]}
        ).scalar_one()
    payload = {
        "notice": "ASN-R1",
        "line_no": 2,
        "case_id": "C-OTHER-1",
        "sku": "SKU-2",
        "quantity": 10,
        "dock": "DOCK-1",
    }
    event = sync.Event(
        id=uuid.uuid4(),
        seq=1,
        user_id=receiver,
        type="receipt.case_received",
        payload=payload,
        station_time=datetime.now(UTC),
    )
    [pushed] = services.sync.push(
        other, sync.PushRequest(station_id=other.id, events=[event])
    ).results
    assert pushed.status == "applied", pushed
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_receipt(pilot, app)
        lines = screen.query_one("#receive-lines", Static)
        assert await until(
            pilot, lambda: f"{'SKU-2':<16}{'-':<12}{10:>9}{10:>9}" in str(lines.render())
        )
        await scan(pilot, f"]E0{PLAIN_GTIN[1:]}")
        await on_screen(pilot, SupervisorDialog)
        await press(pilot, "escape")
        await on_screen(pilot, ReceivingScreen)
        await press(pilot, "f5", "enter")
        await press(pilot, "2", "enter")
        await scan(pilot, label_scan(f"(01){CASE_GTIN}(10)L1(17)271231"))
        plates = screen.query_one("#receive-plates", Static)
        assert await until(pilot, lambda: "SKU-1 lot L1 at QUAR-1 (held)" in str(plates.render()))
        assert [status for _, status, _ in outcomes(world)] == ["applied"], outcomes(world)
