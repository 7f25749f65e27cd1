"""The demo's second half: the packer packs a tote the demo picker picked, with the demo key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.station_world import LiveServer, on_screen, press, until
from tests.tui.test_station_demo import DemoSite, demo_site  # noqa: F401  (the fixture)
from toteflow.central.services import demo
from toteflow.central.store import tables as t
from toteflow.station import bootstrap as station_bootstrap
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.login import LoginScreen
from toteflow.station.tui.screens.pack_box import PackBoxScreen
from toteflow.station.tui.screens.pack_dialogs import PackWeightScreen
from toteflow.station.tui.screens.pack_done import PackDoneScreen
from toteflow.station.tui.screens.pack_home import PackHomeScreen
from toteflow.station.tui.screens.pack_order import PackOrderScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def person(role: str) -> tuple[str, str]:
    badge, pin = next((b, p) for _, b, p, r in demo.DEMO_PEOPLE if r.value == role)
    return badge, pin


async def demo_key(pilot: Pilot[Any]) -> None:
    """F9 once; returns when the screen answered it (a signal, or another screen)."""
    app = pilot.app
    screen = app.screen
    before = screen.signals if isinstance(screen, StationScreen) else 0
    await press(pilot, "f9")
    assert await until(
        pilot,
        lambda: (
            app.screen is not screen
            or (isinstance(screen, StationScreen) and screen.signals > before)
        ),
    )
    if app.screen is screen and isinstance(screen, StationScreen):
        assert screen.query_one(ScanFeedback).last_signal == "good"


async def log_in(pilot: Pilot[Any], role: str) -> None:
    login = await on_screen(pilot, LoginScreen)
    badge, pin = person(role)
    pilot.app.deliver_scan(badge, "wedge")
    field = login.query_one("#login-pin", Input)
    assert await until(pilot, lambda: field.has_focus)
    field.value = pin
    await press(pilot, "enter")


async def pick_the_cart(pilot: Pilot[Any]) -> None:
    await log_in(pilot, "picker")
    await on_screen(pilot, PickerHomeScreen)
    await press(pilot, "f2")
    await on_screen(pilot, CartSetupScreen)
    while not isinstance(pilot.app.screen, TaskCompleteScreen):
        await demo_key(pilot)
    await press(pilot, "enter")
    await on_screen(pilot, PickerHomeScreen)
    await press(pilot, "ctrl+l")


def synced(app: StationApp) -> bool:
    status = app.sync_status
    return status is not None and status.state == "online" and status.waiting == 0


async def test_a_newcomer_packs_a_tote_picked_in_the_demo_with_the_demo_key(
    demo_site: tuple[DemoSite, LiveServer],  # noqa: F811  (the fixture)
) -> None:
    site, server = demo_site
    await station_bootstrap.register_with_token(site.settings.station, server.url, site.token)
    built = station_bootstrap.build_station_app(site.settings, demo=True, tune_gc=False)
    app = built.app
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pick_the_cart(pilot)
            await log_in(pilot, "packer")
            home = await on_screen(pilot, PackHomeScreen)
            totes = home.desk.totes_to_pack()
            assert len(totes) == 4
            tote, reference = totes[0]
            await demo_key(pilot)  # scans the first tote
            order = await on_screen(pilot, PackOrderScreen)
            assert order.desk.reference == reference
            while isinstance(app.screen, PackOrderScreen):
                await demo_key(pilot)  # each item of the order
            box = await on_screen(pilot, PackBoxScreen)
            while box.desk.carton() is not None:
                await demo_key(pilot)  # the suggested box
                await press(pilot, "f4")  # no scale in the demo: the weight is typed
                await on_screen(pilot, PackWeightScreen)
                await press(pilot, "enter")
                await on_screen(pilot, PackBoxScreen)
                await press(pilot, "f10")
                assert box.desk.boxing is not None
                assert box.desk.boxing.prints[-1].ok
            await press(pilot, "f10")
            done = await on_screen(pilot, PackDoneScreen)
            folder = Path(site.settings.station.data_dir) / "labels"
            assert str(folder) in str(done.query_one("#done-summary").render())
            assert await until(pilot, lambda: synced(app))
            await press(pilot, "enter")
            home = await on_screen(pilot, PackHomeScreen)
            assert [t for t, _ in home.desk.totes_to_pack()] == [t for t, _ in totes[1:]]
    finally:
        built.close()
    pictures = sorted(folder.glob(f"label-{reference}-*.png"))
    assert pictures
    with site.engine.connect() as connection:
        status = connection.execute(
            sa.select(t.cols(t.Order).status).where(t.cols(t.Order).reference == reference)
        ).scalar_one()
    assert status == "packed"
    assert tote
