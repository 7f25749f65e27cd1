"""A pick the server refuses (the order was cancelled while the station was offline) comes back
as an exception on the station; the picker puts the units back on a shelf they scan, and the
server moves the stock there, once. Units picked before the cancel are put back the same way,
and count again on the server's books, once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.server.conftest import BADGES, PINS
from tests.support.tasks import Item, Pick, make_task, stock_row
from tests.tui.station_world import (
    World,
    log_in,
    on_screen,
    press,
    scan,
    synced,
    until,
)
from toteflow.central.store import tables as t
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.station_exceptions import StationExceptionsScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio


def add_shelf(engine: Engine, code: str) -> None:
    aisle, bay, level = (int(part) for part in code.split("-"))
    with engine.begin() as conn:
        conn.execute(
            sa.insert(t.table(t.Location)).values(
                code=code, aisle=aisle, bay=bay, level=level, kind="pick_face"
            )
        )


def stock_at(engine: Engine, code: str, sku: str) -> list[tuple[int, int]]:
    stock, loc, product = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Product)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(stock.quantity, stock.reserved)
            .join(t.table(t.Location), loc.id == stock.location_id)
            .join(t.table(t.Product), product.id == stock.product_id)
            .where(loc.code == code, product.sku == sku)
        ).all()
    return [(row.quantity, row.reserved) for row in rows]


def server_exceptions(engine: Engine) -> list[tuple[str, str, str]]:
    fe = t.cols(t.FloorException)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(fe.status, fe.detail, fe.resolution).order_by(fe.id)).all()
    return [(row.detail.get("type", ""), row.status, row.resolution) for row in rows]


def put_backs_applied(engine: Engine) -> list[str]:
    ev = t.cols(t.AppliedEvent)
    with engine.connect() as conn:
        return [
            row.status
            for row in conn.execute(sa.select(ev.status, ev.result).order_by(ev.seq))
            if row.result.get("location")
        ]


async def pick_offline_then_cancel(world: World, pilot: Pilot[Any], item: Item) -> None:
    app = pilot.app
    assert isinstance(app, StationApp)
    await log_in(pilot)
    await on_screen(pilot, PickerHomeScreen)
    await press(pilot, "f2")
    await on_screen(pilot, CartSetupScreen)
    await scan(pilot, "T000500")
    await on_screen(pilot, NextStopScreen)
    assert await until(pilot, lambda: synced(app))
    world.server.stop()
    await scan(pilot, "01-004-1")
    await scan(pilot, item.barcode)
    await scan(pilot, item.barcode)
    await scan(pilot, "T000500")
    await on_screen(pilot, TaskCompleteScreen)
    # While the station is offline with the two units in its tote, the order is cancelled.
    world.parts.services.orders.cancel(SYSTEM, "SO-610", "customer called")
    world.server.start()
    assert await until(
        pilot,
        lambda: synced(app) and app.sync_status is not None and app.sync_status.exceptions_open > 0,
    )


async def test_a_refused_pick_is_put_back_on_a_scanned_shelf_and_the_stock_moves_once(
    world: World,
) -> None:
    engine = world.parts.engine
    item = Item("RB-1")
    planned = make_task(engine, "discrete", {"SO-610": [Pick("01-004-1", item, 2, on_hand=9)]})
    add_shelf(engine, "01-009-1")
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pick_offline_then_cancel(world, pilot, item)
        await press(pilot, "enter")
        home: PickerHomeScreen = await on_screen(pilot, PickerHomeScreen)
        # The home screen says so, and F8 (shown only now) opens the list.
        assert await until(pilot, lambda: "REFUSED" in str(home.query_one(ScanFeedback).render()))
        assert "f8" in app.active_bindings
        await press(pilot, "f8")
        screen: StationExceptionsScreen = await on_screen(pilot, StationExceptionsScreen)
        [pick] = [r for r in screen.refusals if r.units]
        assert (pick.units, pick.sku, pick.taken_from, pick.order_reference) == (
            2,
            "RB-1",
            "01-004-1",
            "SO-610",
        )
        assert "order SO-610 was cancelled" in pick.reason
        screen.query_one(OptionList).highlighted = screen.refusals.index(pick)
        await pilot.pause()
        waiting = app.services.view.sync_state().next_seq
        # Anything but a shelf's label is refused, and records nothing.
        await scan(pilot, "T000500")
        assert "scan the label of the shelf" in str(screen.query_one(ScanFeedback).render())
        assert app.services.view.sync_state().next_seq == waiting
        await scan(pilot, "01-009-1")
        assert app.services.view.sync_state().next_seq == waiting + 1
        assert pick.id not in [r.id for r in screen.refusals]
        # Other refusals (a tote or task move behind the refused pick) are seen to with F2.
        while screen.refusals:
            await press(pilot, "f2")
        assert "Nothing to resolve here" in str(screen.query_one("#refused-title").render())
        assert await until(pilot, lambda: synced(app))
        assert app.sync_status is not None
        assert app.sync_status.exceptions_open == 0
        await press(pilot, "escape")
        await on_screen(pilot, PickerHomeScreen)
        assert "f8" not in app.active_bindings
    # The refused pick never took the units off the server's books: they leave 01-004-1
    # now and count at 01-009-1, once.
    assert stock_row(engine, planned.stock_ids[0]) == (7, 0)
    assert stock_at(engine, "01-009-1", "RB-1") == [(2, 0)]
    assert put_backs_applied(engine) == ["applied"]
    refused_pick = [x for x in server_exceptions(engine) if x[0] == "pick.confirmed"]
    assert [(status, resolution) for _type, status, resolution in refused_pick] == [
        ("resolved", f"2 put back at 01-009-1 (station {world.station_id})")
    ]


def cancel_through_the_api(world: World, reference: str) -> None:
    """A supervisor at the office cancels the order over HTTP, as the console would."""
    office = world.parts.services.people.register_station(SYSTEM, StationCreate(name="office"))
    headers = {"Authorization": f"Bearer {office.token}"}
    with httpx.Client(base_url=world.server.url + "/api/v1", timeout=10) as http:
        login = http.post(
            "/auth/login",
            json={"badge": BADGES[Role.SUPERVISOR], "pin": PINS[Role.SUPERVISOR]},
            headers=headers,
        )
        assert login.status_code == 200, login.text
        headers["X-Toteflow-Session"] = login.json()["token"]
        reply = http.post(
            f"/orders/{reference}/cancel", json={"reason": "customer called"}, headers=headers
        )
        assert reply.status_code == 200, reply.text


async def test_units_picked_before_a_cancel_count_again_once_a_shelf_is_scanned(
    world: World,
) -> None:
    engine = world.parts.engine
    item = Item("RB-2")
    planned = make_task(engine, "discrete", {"SO-611": [Pick("01-004-1", item, 2, on_hand=9)]})
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f2")
        await on_screen(pilot, CartSetupScreen)
        await scan(pilot, "T000500")
        await on_screen(pilot, NextStopScreen)
        await scan(pilot, "01-004-1")
        await scan(pilot, item.barcode)
        await scan(pilot, item.barcode)
        await scan(pilot, "T000500")
        await on_screen(pilot, TaskCompleteScreen)
        # The picks reach the server: it takes the 2 units off 01-004-1's books.
        assert await until(pilot, lambda: synced(app))
        assert stock_row(engine, planned.stock_ids[0]) == (7, 0)
        cancel_through_the_api(world, "SO-611")
        assert await until(
            pilot,
            lambda: app.sync_status is not None and app.sync_status.exceptions_open > 0,
        )
        await press(pilot, "enter")
        home: PickerHomeScreen = await on_screen(pilot, PickerHomeScreen)
        assert await until(pilot, lambda: "f8" in app.active_bindings)
        # Nothing was refused: the home screen says what to do, not that the server refused.
        said = str(home.query_one(ScanFeedback).render())
        assert "PUT UNITS BACK" in said
        assert "1 pick for a cancelled order to put back: press F8" in said
        assert "refused" not in said.lower()
        await press(pilot, "f8")
        screen: StationExceptionsScreen = await on_screen(pilot, StationExceptionsScreen)
        [back] = screen.refusals
        assert back.cancelled
        assert (back.units, back.sku, back.taken_from, back.tote, back.order_reference) == (
            2,
            "RB-2",
            "01-004-1",
            "T000500",
            "SO-611",
        )
        assert back.headline == "Order SO-611 cancelled: 2 x RB-2 picked"
        title = str(screen.query_one("#refused-title").render())
        assert "1 pick for a cancelled order to put back" in title
        # F2 does not wave the units away: they must be put back.
        await press(pilot, "f2")
        assert [r.id for r in screen.refusals] == [back.id]
        # The demo key scans the shelf the units came from (a scan is the way on here).
        assert screen.expected_scan() == "01-004-1"
        signals = screen.signals
        await press(pilot, "f9")
        assert await until(pilot, lambda: screen.signals > signals)
        assert screen.refusals == []
        assert await until(pilot, lambda: synced(app))
    # The pick took the units off 01-004-1; the put-back counts them there again, once.
    assert stock_row(engine, planned.stock_ids[0]) == (9, 0)
    assert put_backs_applied(engine) == ["applied"]
    fe = t.cols(t.FloorException)
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(fe.kind, fe.status, fe.resolution).where(fe.kind == "put_back_cancelled")
        ).all()
    assert [tuple(row) for row in found] == [
        (
            "put_back_cancelled",
            "resolved",
            f"2 put back at 01-004-1 (station {world.station_id})",
        )
    ]
