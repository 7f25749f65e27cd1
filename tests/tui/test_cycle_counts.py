"""Cycle counts at the station, with Pilot against a real server on a loopback port: a count
off by more than the thresholds is recounted by another counter and approved at the console;
a count finished offline is sent when the network is back. Scans come as bursts of bytes
through Textual's terminal parser, as a wedge scanner types them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from textual.widgets import DataTable, Input

from tests.tui.station_world import (
    World,
    log_in,
    on_screen,
    press,
    synced,
    until,
    world_fixture,  # noqa: F401  (the fixture)
)
from tests.tui.terminal_input import feed_terminal_bytes
from toteflow.central.services.counts import CountPolicy
from toteflow.central.store import tables as t
from toteflow.central.store.counts_tables import CycleCount
from toteflow.config import CountSettings
from toteflow.contracts import catalogue as cat
from toteflow.contracts import counts as cc
from toteflow.contracts.people import UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.station.tui.screens.count_home import CountHomeScreen
from toteflow.station.tui.screens.counting import CountingScreen, CountQuantityDialog
from toteflow.station.tui.screens.login import LoginScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.supervisor_console import SupervisorConsoleScreen
from toteflow.station.tui.screens.supervisor_counts import (
    CountApprovalsScreen,
    CountDecisionDialog,
)
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio
EACH, CASE = "4006381333931", "4006381333948"  # SKU-C: one unit, and a case of 6
LOCATION = "01-001-1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def seed(world: World, on_hand: int = 20) -> int:
    """SKU-C at 01-001-1, a second counter (B10007), and a supervisor's count request."""
    services = world.parts.services
    services.catalogue.add_location(
        SYSTEM, cat.LocationCreate(code=LOCATION, aisle=1, bay=1, level=1, kind="pick_face")
    )
    services.catalogue.add_product(
        SYSTEM,
        cat.ProductCreate(
            sku="SKU-C",
            description="Counted mug",
            units=[
                cat.ProductUnitIn(uom="EA", barcode=EACH),
                cat.ProductUnitIn(uom="CS", units=6, barcode=CASE),
            ],
        ),
    )
    services.catalogue.adjust_stock(
        SYSTEM,
        cat.StockAdjustment(location=LOCATION, sku="SKU-C", delta=on_hand, reason="received"),
    )
    services.people.add_user(
        SYSTEM, UserCreate(name="Cal Second", badge="B10007", pin="7777", role=Role.COUNTER)
    )
    (created,) = services.counts.request(SYSTEM, cc.CountRequest(location=LOCATION)).created
    return created.id


def count_row(world: World, count_id: int) -> tuple[str, str]:
    c = t.cols(CycleCount)
    with world.parts.engine.connect() as connection:
        row = connection.execute(sa.select(c.status, c.outcome).where(c.id == count_id)).one()
    return row.status, row.outcome


def on_hand(world: World) -> int:
    s = t.cols(t.Stock)
    with world.parts.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.sum(s.quantity))).scalar_one())


def said(app: Any) -> str:
    return str(app.screen.query_one(ScanFeedback).render())


async def badge_in(pilot: Any, badge: str, pin: str) -> None:
    """Log in by the badge scanned and the PIN typed, both through the terminal parser."""
    app = pilot.app
    await on_screen(pilot, LoginScreen)
    await feed_terminal_bytes(app, f"{badge}\r".encode())
    assert await until(pilot, lambda: app.screen.query("#login-pin").first().has_focus)
    await feed_terminal_bytes(app, f"{pin}\r".encode())


async def counting_home(pilot: Any) -> CountHomeScreen:
    home: CountHomeScreen = await on_screen(pilot, CountHomeScreen)
    assert await until(pilot, lambda: home.refreshes > 0 and bool(home.desk.tasks))
    return home


async def test_a_count_is_recounted_by_another_counter_and_approved_at_the_console(
    world: World,
) -> None:
    first = seed(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await badge_in(pilot, "B10006", "6666")
        home = await counting_home(pilot)
        assert [t.location for t in home.desk.tasks] == [LOCATION]
        await press(pilot, "escape")  # the counter's own home: nowhere to go back to
        assert app.screen is home
        # Blind: the list says where and why, never a quantity.
        assert "20" not in str(home.query_one("#count-list").render())
        # The location and a case label in one read: counting starts, the case is 6 units.
        await feed_terminal_bytes(app, f"{LOCATION}\r{CASE}\r".encode())
        counting: CountingScreen = await on_screen(pilot, CountingScreen)
        assert await until(pilot, lambda: sum(ln.quantity for ln in counting.desk.counted()) == 6)
        await press(pilot, "f10")
        await on_screen(pilot, CountHomeScreen)
        assert "COUNT SENT" in said(app), said(app)
        assert await until(pilot, lambda: count_row(world, first) == ("closed", "recounted"))
        assert await until(pilot, lambda: synced(app))
        # The recount is not offered to the first counter.
        await home.desk.refresh()
        assert home.desk.tasks == []

        await press(pilot, "ctrl+l")
        await badge_in(pilot, "B10007", "7777")
        home = await counting_home(pilot)
        (recount,) = home.desk.tasks
        assert recount.recount
        # One item scanned, then F4 and a quantity: six units by one scan and a number.
        await feed_terminal_bytes(app, f"{LOCATION}\r{EACH}\r".encode())
        counting = await on_screen(pilot, CountingScreen)
        assert await until(pilot, lambda: counting.desk.last is not None)
        await press(pilot, "f4")
        await on_screen(pilot, CountQuantityDialog)
        await feed_terminal_bytes(app, b"\x7f6\r")
        await on_screen(pilot, CountingScreen)
        assert [ln.quantity for ln in counting.desk.counted()] == [6]
        await press(pilot, "f10")
        await on_screen(pilot, CountHomeScreen)
        assert await until(pilot, lambda: count_row(world, recount.id)[0] == "awaiting_approval")
        assert on_hand(world) == 20  # nothing adjusted while it waits

        await press(pilot, "ctrl+l")
        await log_in(pilot, Role.SUPERVISOR)
        await on_screen(pilot, SupervisorConsoleScreen)
        await press(pilot, "f10")
        screen: CountApprovalsScreen = await on_screen(pilot, CountApprovalsScreen)
        assert await until(pilot, lambda: screen.refreshes > 0)
        table = screen.query_one("#count-approvals", DataTable)
        assert await until(pilot, lambda: table.row_count == 1)
        assert list(table.get_row_at(0))[1:6] == [LOCATION, "-", "6", "20", "-14"]
        await press(pilot, "enter")
        dialog = await on_screen(pilot, CountDecisionDialog)
        dialog.query_one("#count-note", Input).value = "shelf checked twice"
        await press(pilot, "f2")
        assert await until(pilot, lambda: count_row(world, recount.id) == ("closed", "adjusted"))
        assert await until(pilot, lambda: "APPROVED" in said(app)), said(app)
        assert on_hand(world) == 6
        audit = world.parts.services.people.audit(SYSTEM, None, None, "count.decided", 0, 5)
        assert audit.items[0].detail["approved"] is True


async def test_a_count_finished_offline_is_sent_when_the_server_is_back(world: World) -> None:
    count_id = seed(world, on_hand=7)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await badge_in(pilot, "B10006", "6666")
        await counting_home(pilot)
        world.server.stop()
        # Seven units: a case of six and one more, all in one read.
        await feed_terminal_bytes(app, f"{LOCATION}\r{CASE}\r{EACH}\r".encode())
        counting: CountingScreen = await on_screen(pilot, CountingScreen)
        assert await until(pilot, lambda: sum(ln.quantity for ln in counting.desk.counted()) == 7)
        await press(pilot, "f10")
        await on_screen(pilot, CountHomeScreen)
        assert "COUNT SENT" in said(app), said(app)
        assert count_row(world, count_id) == ("open", "")
        world.server.start()
        assert await until(pilot, lambda: count_row(world, count_id) == ("closed", "accurate"))
        assert await until(pilot, lambda: synced(app))
        assert on_hand(world) == 7


async def test_where_anyone_may_count_a_picker_counts_from_the_home_screen(world: World) -> None:
    count_id = seed(world, on_hand=1)
    world.parts.services.counts.policy = CountPolicy(anyone_may_count=True)
    world.settings = world.settings.model_copy(
        update={"counts": CountSettings(anyone_may_count=True)}
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, Role.PICKER)
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f7")
        await counting_home(pilot)
        await feed_terminal_bytes(app, f"{LOCATION}\r{EACH}\r".encode())
        counting: CountingScreen = await on_screen(pilot, CountingScreen)
        assert await until(pilot, lambda: bool(counting.desk.counted()))
        await press(pilot, "f10")
        await on_screen(pilot, CountHomeScreen)
        assert await until(pilot, lambda: count_row(world, count_id) == ("closed", "accurate"))
        await press(pilot, "escape")
        await on_screen(pilot, PickerHomeScreen)
