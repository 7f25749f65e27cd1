"""A barcode that will not scan: the picker or packer keys in the SKU shown on screen.

Typed as a person types (one key per terminal read, then Enter) through Textual's parser;
the app is built by the real bootstrap against a real server on a loopback port.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from textual.pilot import Pilot

from tests.support.packing import Measured, picked_into_tote
from tests.support.tasks import Item, Pick, make_task
from tests.tui.station_world import World, log_in, on_screen, press, scan, synced, until
from tests.tui.terminal_input import feed_terminal_bytes
from toteflow.central.store import tables as t
from toteflow.contracts.shipping import ShipmentFilter
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.pack_box import PackBoxScreen
from toteflow.station.tui.screens.pack_home import PackHomeScreen
from toteflow.station.tui.screens.pack_order import PackOrderScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio


def allow_keyed(world: World) -> None:
    station = world.settings.station.model_copy(update={"allow_keyed_items": True})
    world.settings = world.settings.model_copy(update={"station": station})


async def type_in(pilot: Pilot[Any], text: str) -> None:
    """Keys one at a time, then Enter, as a person at the keyboard; waits for the answer."""
    screen = pilot.app.screen
    assert isinstance(screen, StationScreen)
    before = screen.signals
    await feed_terminal_bytes(pilot.app, *(char.encode() for char in text), b"\r")
    assert await until(pilot, lambda: screen.signals > before), f"no answer to {text!r}"
    await pilot.pause()


def feedback(screen: Any) -> str:
    return str(screen.query_one(ScanFeedback).render())


def keyed_on_server(world: World) -> dict[str, int]:
    tl, prod = t.cols(t.TaskLine), t.cols(t.Product)
    with world.parts.engine.connect() as connection:
        rows = connection.execute(
            sa.select(prod.sku, tl.keyed).join(t.table(t.Product), prod.id == tl.product_id)
        ).all()
    return {str(sku): int(keyed) for sku, keyed in rows}


async def walk_to_the_mug(pilot: Pilot[Any], mug: Item) -> NextStopScreen:
    await log_in(pilot)
    await on_screen(pilot, PickerHomeScreen)
    await press(pilot, "f2")
    await on_screen(pilot, CartSetupScreen)
    await scan(pilot, "T000301")
    stop: NextStopScreen = await on_screen(pilot, NextStopScreen)
    await scan(pilot, "02-010-1")
    # The screen shows the item's barcode digits, to read when the label will not scan.
    assert mug.barcode in str(stop.query_one("#stop-what-words").render())
    return stop


async def test_a_picker_keys_in_the_sku_shown_where_the_site_allows_it(world: World) -> None:
    mug = Item("MUG-7")
    make_task(world.parts.engine, "discrete", {"SO-300": [Pick("02-010-1", mug, 2, on_hand=9)]})
    allow_keyed(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await walk_to_the_mug(pilot, mug)
        await type_in(pilot, "MUG-7")
        assert stop.query_one(ScanFeedback).last_signal == "good"
        assert "keyed in (recorded)" in feedback(stop)
        await scan(pilot, mug.barcode)  # the second one scans
        await scan(pilot, "T000301")
        assert await until(pilot, lambda: synced(app))
    assert keyed_on_server(world) == {"MUG-7": 1}


async def test_keying_in_is_refused_where_the_site_does_not_allow_it(world: World) -> None:
    mug = Item("MUG-8")
    make_task(world.parts.engine, "discrete", {"SO-301": [Pick("02-010-1", mug, 1, on_hand=9)]})
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await walk_to_the_mug(pilot, mug)
        await type_in(pilot, "MUG-8")
        assert stop.query_one(ScanFeedback).last_signal == "bad"
        assert "keying in the item is not allowed at this site" in feedback(stop)
        assert stop.walk.state.in_hand == 0


async def test_a_packer_keys_in_the_sku_and_the_shipment_records_it(world: World) -> None:
    mug = Measured(Item("PK-KEY"), 2, (100, 80, 90), 350)
    picked_into_tote(world.parts.engine, "SO-310", "T000310", [mug])
    allow_keyed(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, Role.PACKER)
        await on_screen(pilot, PackHomeScreen)
        await scan(pilot, "T000310")
        order: PackOrderScreen = await on_screen(pilot, PackOrderScreen)
        assert mug.item.barcode in str(order.query_one("#pack-lines").render())
        await type_in(pilot, "pk-key")
        assert order.query_one(ScanFeedback).last_signal == "good"
        assert "keyed in (recorded)" in feedback(order)
        await scan(pilot, mug.item.barcode)
        box: PackBoxScreen = await on_screen(pilot, PackBoxScreen)
        carton = box.desk.carton()
        assert carton is not None
        await scan(pilot, box.expected_scan() or "")
        box.desk.weigh(box.desk.expected_weight_g(carton), "typed")
        await press(pilot, "f10")
        await press(pilot, "f10")
        assert await until(pilot, lambda: synced(app))
    with world.parts.engine.connect() as connection:
        details = connection.execute(
            sa.select(t.cols(t.AuditEntry).detail).where(
                t.cols(t.AuditEntry).action == "shipment.closed"
            )
        ).scalars()
        (closed,) = list(details)
    assert closed["payload"]["keyed"] == {"PK-KEY": 1}
    page = world.parts.services.shipping.shipments(
        SYSTEM, ShipmentFilter(order_reference="SO-310"), 0, 10
    )
    assert [s.keyed_units for s in page.items] == [1]
