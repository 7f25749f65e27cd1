"""Stock at the terminal against a real server: a location, an item and a plate looked up by
scans in one burst, a move by hand, answers and a move offline, synced once back, and a
move the server refuses coming back as a refusal to see to."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from textual.widgets._footer import FooterKey

from tests.tui.station_world import World, log_in, on_screen, press, synced, until
from tests.tui.terminal_input import feed_terminal_bytes
from tests.tui.test_pack_demo import demo_key
from toteflow.central.services.putaway import Receipt
from toteflow.central.store import tables as t
from toteflow.contracts import catalogue as cat
from toteflow.contracts import putaway as pa
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.roles import Role
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.pack_home import PackHomeScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.receive_home import ReceiveHomeScreen
from toteflow.station.tui.screens.station_exceptions import StationExceptionsScreen
from toteflow.station.tui.screens.stock_inquiry import StockInquiryScreen
from toteflow.station.tui.screens.stock_move import StockMoveScreen
from toteflow.station.tui.screens.supervisor_console import SupervisorConsoleScreen
from toteflow.station.tui.screens.supervisor_held import HeldStockScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio

GTIN = "4006381333931"
RACK, SPARE, PLATE_RACK, BUSY = "01-001-3", "01-002-3", "01-003-3", "01-005-3"
RECEIVER = Actor(None, None, Role.RECEIVER, "receiver")


def stock(world: World) -> str:
    """SKU-G (GTIN 4006381333931) 10 of lot L1 at 01-001-3; a plate of 6 SKU-P at 01-003-3;
    01-005-3 holds SKU-P (same SKU only). Returns the plate's code."""
    services = world.parts.services
    for code in (RACK, SPARE, PLATE_RACK, "01-004-3", BUSY):
        aisle, bay, level = (int(part) for part in code.split("-"))
        services.catalogue.add_location(
            SYSTEM, cat.LocationCreate(code=code, aisle=aisle, bay=bay, level=level, kind="reserve")
        )
    services.catalogue.add_location(SYSTEM, cat.LocationCreate(code="DOCK-01", kind="dock"))
    for sku, barcode in (("SKU-G", GTIN), ("SKU-P", "BC-SKU-P")):
        services.catalogue.add_product(
            SYSTEM,
            cat.ProductCreate(
                sku=sku,
                description=f"Item {sku}",
                units=[
                    cat.ProductUnitIn(
                        barcode=barcode, length_mm=100, width_mm=100, height_mm=100, weight_g=500
                    )
                ],
            ),
        )
    for location, sku, lot, units in ((RACK, "SKU-G", "L1", 10), (BUSY, "SKU-P", "", 1)):
        services.catalogue.adjust_stock(
            SYSTEM,
            cat.StockAdjustment(location=location, sku=sku, lot=lot, delta=units, reason="found"),
        )
    plate = services.putaway.receive_to_plate(
        RECEIVER, Receipt(quantity=6, location="DOCK-01", sku="SKU-P")
    )
    services.putaway.confirm(
        RECEIVER,
        pa.ConfirmRequest(plate=plate.code, location=PLATE_RACK, reason="supervisor_directed"),
    )
    return plate.code


def on_hand(engine: Engine) -> dict[tuple[str, str], int]:
    s, loc, p = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Product)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(loc.code, p.sku, s.quantity)
            .join(t.table(t.Location), loc.id == s.location_id)
            .join(t.table(t.Product), p.id == s.product_id)
            .where(s.quantity > 0)
        )
        return {(code, sku): quantity for code, sku, quantity in rows}


def words(screen: Any) -> str:
    return str(screen.query_one(ScanFeedback).render())


def table(screen: StockInquiryScreen) -> list[list[str]]:
    found: DataTable[str] = screen.query_one("#stock-lines", DataTable)
    return [[str(cell) for cell in found.get_row_at(n)] for n in range(found.row_count)]


async def burst(pilot: Pilot[Any], screen: Any, *scans: str) -> None:
    """The scans as one terminal read (a wedge scanner's keys), each answered in turn."""
    before = screen.signals
    await feed_terminal_bytes(pilot.app, "".join(f"{raw}\r" for raw in scans).encode())
    assert await until(pilot, lambda: screen.signals >= before + len(scans)), words(screen)
    await pilot.pause()


async def picker_inquiry(pilot: Pilot[Any]) -> StockInquiryScreen:
    await log_in(pilot, Role.PICKER)
    await on_screen(pilot, PickerHomeScreen)
    await press(pilot, "f4")
    screen: StockInquiryScreen = await on_screen(pilot, StockInquiryScreen)
    return screen


async def test_a_location_an_item_and_a_plate_are_looked_up_in_one_burst(world: World) -> None:
    plate = stock(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await picker_inquiry(pilot)
        await burst(pilot, screen, RACK, GTIN, plate)
        # Answered in order: the plate last, each answer kept as this station's copy.
        headline = str(screen.query_one("#stock-headline", Static).render())
        assert f"PLATE {plate}" in headline
        assert f"6 units of SKU-P · at {PLATE_RACK} · stored" in headline
        with app.services.floor.uow() as uow:
            assert [(p.sku, p.lot, p.quantity) for p in uow.stock.at_location(RACK)] == [
                ("SKU-G", "L1", 10)
            ]
            assert [p.location for p in uow.stock.of_sku("SKU-G")] == [RACK]
            seen = uow.stock.plate(plate)
            assert seen is not None
            assert seen.location == PLATE_RACK
        await burst(pilot, screen, PLATE_RACK)
        assert table(screen) == [[PLATE_RACK, "SKU-P", "Item SKU-P", "", "", plate, "6", "0"]]
        await burst(pilot, screen, GTIN)
        assert table(screen)[0][:3] == [RACK, "SKU-G", "Item SKU-G"]
        assert "SKU-G Item SKU-G" in str(screen.query_one("#stock-headline", Static).render())
        await burst(pilot, screen, "09-999-9")
        assert "no location 09-999-9" in words(screen)
        assert str(screen.query_one("#stock-source", Static).render()).strip() == ""


async def test_a_move_by_hand_and_a_whole_plate_reach_the_server(world: World) -> None:
    plate = stock(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        inquiry = await picker_inquiry(pilot)
        assert "f2" in app.active_bindings
        await press(pilot, "f2")
        screen: StockMoveScreen = await on_screen(pilot, StockMoveScreen)
        # From the rack, three scans of the item, to the spare rack: one read.
        await burst(pilot, screen, RACK, GTIN, GTIN, GTIN, SPARE)
        assert "MOVED" in words(screen)
        assert "3 units of SKU-G lot L1 from 01-001-3 to 01-002-3" in words(screen)
        # A typed quantity, and a move the station's copy refuses (orders hold nothing, but
        # only 7 are left): nothing is recorded.
        waiting = app.services.view.sync_state().next_seq
        await burst(pilot, screen, RACK, GTIN)
        await press(pilot, "f3")
        await pilot.press(*"8", "enter")
        await pilot.pause()
        await burst(pilot, screen, SPARE)
        assert "only 7 units of SKU-G free to move" in words(screen)
        assert app.services.view.sync_state().next_seq == waiting
        await press(pilot, "f4")
        await burst(pilot, screen, PLATE_RACK, plate, "01-004-3")
        assert "MOVED" in words(screen)
        assert await until(pilot, lambda: synced(app))
        await press(pilot, "escape")
        assert app.screen is inquiry
    found = on_hand(world.parts.engine)
    assert (found[(RACK, "SKU-G")], found[(SPARE, "SKU-G")]) == (7, 3)
    assert found[("01-004-3", "SKU-P")] == 6
    assert (PLATE_RACK, "SKU-P") not in found
    moved = world.parts.services.putaway.plate(RECEIVER, plate)
    assert moved.location == "01-004-3"


async def test_offline_answers_come_from_the_copy_and_a_move_made_offline_syncs_once(
    world: World,
) -> None:
    stock(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        inquiry = await picker_inquiry(pilot)
        await burst(pilot, inquiry, RACK, GTIN, SPARE)
        world.server.stop()
        await burst(pilot, inquiry, RACK)
        source = str(inquiry.query_one("#stock-source", Static).render())
        assert "FROM THIS STATION'S COPY" in source
        assert "THE SERVER IS NOT ANSWERING" in source
        assert table(inquiry)[0][:2] == [RACK, "SKU-G"]
        await burst(pilot, inquiry, "01-004-3")
        assert "has not been told what 01-004-3 holds" in words(inquiry)
        await press(pilot, "f2")
        screen: StockMoveScreen = await on_screen(pilot, StockMoveScreen)
        await burst(pilot, screen, RACK, GTIN, GTIN, SPARE)
        assert "2 units of SKU-G lot L1 from 01-001-3 to 01-002-3" in words(screen)
        # The copy has it moved already: asked offline, the spare rack holds the two.
        await press(pilot, "escape")
        await burst(pilot, inquiry, SPARE)
        assert [row[6] for row in table(inquiry)] == ["2"]
        assert on_hand(world.parts.engine)[(RACK, "SKU-G")] == 10
        world.server.start()
        assert await until(pilot, lambda: synced(app))
    found = on_hand(world.parts.engine)
    assert (found[(RACK, "SKU-G")], found[(SPARE, "SKU-G")]) == (8, 2)


async def test_a_move_the_server_refuses_is_a_refusal_to_see_to(world: World) -> None:
    stock(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await picker_inquiry(pilot)
        await press(pilot, "f2")
        screen: StockMoveScreen = await on_screen(pilot, StockMoveScreen)
        # Never told what 01-005-3 holds, and offline when it is scanned: the station lets
        # it go; the server finds SKU-P there (same SKU only) and refuses.
        await burst(pilot, screen, RACK, GTIN)
        world.server.stop()
        await burst(pilot, screen, BUSY)
        assert "the server decides" in words(screen)
        world.server.start()
        assert "MOVED" in words(screen)
        assert await until(
            pilot,
            lambda: (
                synced(app) and app.sync_status is not None and app.sync_status.exceptions_open > 0
            ),
        )
        await press(pilot, "escape", "escape")
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f8")
        refusals: StationExceptionsScreen = await on_screen(pilot, StationExceptionsScreen)
        [refused] = refusals.refusals
        assert refused.what == "stock move"
        assert "01-005-3 is holding another SKU" in refused.reason
        assert f"take the 1 x SKU-G from {BUSY} back there" in refused.to_do
        assert f"keep them at {RACK}" in refused.to_do
    assert on_hand(world.parts.engine)[(RACK, "SKU-G")] == 10


def footer_fits(app: StationApp) -> bool:
    """Every key of the footer within 80 columns."""
    keys = list(app.screen.query(FooterKey))
    return bool(keys) and all(key.region.right <= 80 and key.region.width > 0 for key in keys)


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.PICKER, PickerHomeScreen),
        (Role.PACKER, PackHomeScreen),
        (Role.RECEIVER, ReceiveHomeScreen),
    ],
)
async def test_f4_opens_the_inquiry_from_every_home_and_only_movers_may_move(
    world: World, role: Role, home: type
) -> None:
    stock(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, role)
        await on_screen(pilot, home)
        assert "f4" in app.active_bindings
        assert footer_fits(app)
        await press(pilot, "f4")
        screen: StockInquiryScreen = await on_screen(pilot, StockInquiryScreen)
        await burst(pilot, screen, RACK)
        assert table(screen)[0][:2] == [RACK, "SKU-G"]
        assert ("f2" in app.active_bindings) is (role is not Role.PACKER)
        assert footer_fits(app)


async def test_a_supervisor_reaches_it_from_held_stock(world: World) -> None:
    stock(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, Role.SUPERVISOR)
        await on_screen(pilot, SupervisorConsoleScreen)
        await press(pilot, "f7")
        await on_screen(pilot, HeldStockScreen)
        assert footer_fits(app)
        await press(pilot, "f4")
        screen: StockInquiryScreen = await on_screen(pilot, StockInquiryScreen)
        await burst(pilot, screen, GTIN)
        assert table(screen)[0][:2] == [RACK, "SKU-G"]
        assert "f2" in app.active_bindings


async def test_the_demo_key_scans_an_item_where_it_is_and_then_its_plate(world: World) -> None:
    plate = stock(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await picker_inquiry(pilot)
        await burst(pilot, screen, PLATE_RACK)
        await demo_key(pilot)  # the item on it, by its SKU (the station has no barcode)
        assert screen.answer is not None
        assert (screen.answer.kind, screen.answer.key) == ("item", "SKU-P")
        await demo_key(pilot)  # the plate it is on
        assert (screen.answer.kind, screen.answer.key) == ("plate", plate)


async def test_the_demo_key_walks_a_move_from_the_copy(world: World) -> None:
    stock(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        inquiry = await picker_inquiry(pilot)
        await burst(pilot, inquiry, RACK, SPARE, BUSY)
        await press(pilot, "f2")
        screen: StockMoveScreen = await on_screen(pilot, StockMoveScreen)
        await demo_key(pilot)  # the rack with free stock
        assert screen.desk.source == RACK
        await demo_key(pilot)  # one unit of the item there
        assert (screen.desk.sku, screen.desk.units) == ("SKU-G", 1)
        await demo_key(pilot)  # the empty rack, not the one holding SKU-P
        assert "1 unit of SKU-G lot L1 from 01-001-3 to 01-002-3" in words(screen)
        assert await until(pilot, lambda: synced(app))
    assert on_hand(world.parts.engine)[(SPARE, "SKU-G")] == 1
