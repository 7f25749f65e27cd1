"""Snapshots at 80x24 of the pack station: the order checked, a box weighed, a weight approved."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.station.test_packing import order
from tests.tui.station_fakes import FakeServer, offline_app
from tests.tui.station_world import on_screen, press, scan
from tests.tui.test_station_snapshots import still
from toteflow.config import load_settings
from toteflow.contracts.shipping import PackOrder, SsccBlock
from toteflow.domain.errors import NotFound
from toteflow.domain.roles import Role
from toteflow.station.bootstrap import build_packing
from toteflow.station.services.login import Person
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.login import LoginScreen
from toteflow.station.tui.screens.pack_box import PackBoxScreen
from toteflow.station.tui.screens.pack_dialogs import PackWeightReasonScreen, PackWeightScreen
from toteflow.station.tui.screens.pack_home import PackHomeScreen
from toteflow.station.tui.screens.pack_order import PackOrderScreen

PACKER = Person(8, "Parker Packer", "B00102", Role.PACKER, "packer-session")


@dataclass
class FakePackServer:
    """The pack-order and SSCC calls as the real server answers them, from memory."""

    orders: dict[str, PackOrder]

    async def pack_order(self, key: str, session_token: str) -> PackOrder:
        for found in self.orders.values():
            if key in (found.reference, *found.totes):
                return found
        raise NotFound(f"no order or picked tote {key}")

    async def reserve_sscc(self, count: int, session_token: str) -> SsccBlock:
        return SsccBlock(company_prefix="0614141", extension_digit=0, first=1, last=count)


def pack_app(folder: Path) -> StationApp:
    app = offline_app(folder, [])
    services = app.services
    assert isinstance(services.login.server, FakeServer)
    services.login.server.people[PACKER.badge] = PACKER
    uow = services.view.uow
    settings = load_settings(environ={})
    services.packing = build_packing(settings, uow, folder)
    services.pack_server = FakePackServer({"SO-1": order()})
    return app


async def order_open(pilot: Pilot[Any]) -> PackOrderScreen:
    await on_screen(pilot, LoginScreen)
    await scan(pilot, PACKER.badge)
    pilot.app.screen.query_one("#login-pin", Input).value = "1111"
    await press(pilot, "enter")
    await on_screen(pilot, PackHomeScreen)
    await scan(pilot, "T000001")
    screen: PackOrderScreen = await on_screen(pilot, PackOrderScreen)
    return screen


async def checking(pilot: Pilot[Any]) -> None:
    await order_open(pilot)
    await scan(pilot, "4006381333931")
    await scan(pilot, "4006381333931")


async def weighed(pilot: Pilot[Any]) -> None:
    await order_open(pilot)
    await scan(pilot, "14006381333938")
    await scan(pilot, "4006381333931")
    await scan(pilot, "SKU-B-EA")
    box: PackBoxScreen = await on_screen(pilot, PackBoxScreen)
    await scan(pilot, box.expected_scan() or "")
    await press(pilot, "f4")
    await press(pilot, "enter")  # the demo's dialog starts at the expected weight
    await on_screen(pilot, PackBoxScreen)


def run(step: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await step(pilot)
        await still(pilot)

    return run_before


def test_snapshot_pack_order(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = pack_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(checking))


def test_snapshot_pack_box(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = pack_app(tmp_path)
    app.services.today = lambda: date(2026, 11, 23)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(weighed))


async def far_off(pilot: Pilot[Any]) -> None:
    """A box weighed far off what it should: F5, a reason, then a supervisor's badge."""
    await order_open(pilot)
    await scan(pilot, "14006381333938")
    await scan(pilot, "4006381333931")
    await scan(pilot, "SKU-B-EA")
    box: PackBoxScreen = await on_screen(pilot, PackBoxScreen)
    await scan(pilot, box.expected_scan() or "")
    await press(pilot, "f4")
    dialog = await on_screen(pilot, PackWeightScreen)
    dialog.query_one("#pack-weight", Input).value = "9.000"
    await press(pilot, "enter")
    await on_screen(pilot, PackBoxScreen)
    await press(pilot, "f5")
    await on_screen(pilot, PackWeightReasonScreen)
    await press(pilot, "enter")  # extra packing material


def test_snapshot_pack_weight_approval(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = pack_app(tmp_path)
    app.services.today = lambda: date(2026, 11, 23)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(far_off))
