"""Scans through the terminal parser into the picker's screens: a burst at a stop, in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.tui.station_fakes import cart_task, offline_app
from tests.tui.station_world import on_screen, press, scan
from tests.tui.terminal_input import feed_terminal_bytes, wait_until
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.help import HelpScreen
from toteflow.station.tui.screens.login import LoginScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_burst_of_wedge_scans_walks_a_stop_in_order(tmp_path: Path) -> None:
    task = cart_task()
    app = offline_app(tmp_path, [task])
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, LoginScreen)
        await feed_terminal_bytes(app, b"B00101\r")
        assert await wait_until(pilot, lambda: app.screen.query("#login-pin").first().has_focus)
        await feed_terminal_bytes(app, b"1111\r")
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f2")
        await on_screen(pilot, CartSetupScreen)
        # The whole cart set-up in one terminal read: cart, then slot label and tote x4.
        setup = b"C0001\r" + b"".join(
            f"C0001-S{slot:02d}\rT00002{slot}\r".encode() for slot in range(1, 5)
        )
        await feed_terminal_bytes(app, setup)
        stop: NextStopScreen = await on_screen(pilot, NextStopScreen)
        assert [c.tote for c in stop.walk.task.containers] == [f"T00002{n}" for n in range(1, 5)]
        first = task.lines[0]
        barcode = first.units[0].barcode
        # Location, two items and the slot in one read: the pick is recorded, in order.
        burst = f"{first.location}\r{barcode}\r{barcode}\rC0001-S0{first.slot}\r"
        await feed_terminal_bytes(app, burst.encode())
        assert await wait_until(pilot, lambda: stop.walk.stop().number == 2)
        picked = stop.walk.task.lines[0]
        assert (picked.picked, picked.status) == (2, "picked")
        # A GS1 label with its group separator (ctrl+]) survives the parser too.
        nxt = stop.walk.current_line()
        assert nxt is not None
        await scan(pilot, nxt.location)
        gtin = nxt.units[0].barcode.zfill(14)
        await feed_terminal_bytes(app, f"]C101{gtin}\x1d10ANYLOT\r".encode())
        assert await wait_until(pilot, lambda: stop.walk.in_hand == 1)


async def test_f1_lists_the_keys_of_the_screen_and_the_palette_offers_the_rest(
    tmp_path: Path,
) -> None:
    app = offline_app(tmp_path, [cart_task()])
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, LoginScreen)
        await scan(pilot, "B00101")
        app.screen.query_one("#login-pin", Input).value = "1111"
        await press(pilot, "enter")
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f2")
        await on_screen(pilot, CartSetupScreen)
        await feed_terminal_bytes(
            app,
            b"C0001\r" + b"".join(f"C0001-S{n:02d}\rT00003{n}\r".encode() for n in range(1, 5)),
        )
        stop = await on_screen(pilot, NextStopScreen)
        await press(pilot, "f1")
        help_screen = await on_screen(pilot, HelpScreen)
        listed = dict(help_screen.keys)
        for key, words in (("f2", "Short"), ("f4", "Skip"), ("f6", "Undo"), ("f7", "Pause")):
            assert listed[key] == words
        assert "ctrl+c" not in listed  # Textual's copy key means nothing at a station
        await press(pilot, "escape")
        assert await wait_until(pilot, lambda: app.screen is stop)
        titles = [command.title for command in app.get_system_commands(stop)]
        assert {"Help: keys of this screen", "Log out", "Demo scan"} <= set(titles)


async def test_scans_after_a_screen_change_in_the_same_burst_reach_the_next_screen(
    tmp_path: Path,
) -> None:
    task = cart_task()
    app = offline_app(tmp_path, [task])
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, LoginScreen)
        await scan(pilot, "B00101")
        app.screen.query_one("#login-pin", Input).value = "1111"
        await press(pilot, "enter")
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f2")
        await on_screen(pilot, CartSetupScreen)
        first = task.lines[0]
        # The last tote moves the walk to the next-stop screen while the location and the
        # item are still queued behind it: they are worked there, once each, in order.
        burst = b"C0001\r" + b"".join(
            f"C0001-S{slot:02d}\rT00004{slot}\r".encode() for slot in range(1, 5)
        )
        burst += f"{first.location}\r{first.units[0].barcode}\r".encode()
        await feed_terminal_bytes(app, burst)
        stop: NextStopScreen = await on_screen(pilot, NextStopScreen)
        assert await wait_until(pilot, lambda: stop.walk.in_hand == 1)
        assert stop.walk.at_location == first.location
        assert stop.walk.task.lines[0].picked == 0
