"""One ordered input queue: bursts through the terminal parser, across every screen change.

Each test feeds whole bursts as single terminal reads, the way a scanner (or fast hands)
delivers them; each scan and key must be worked, in order, by the screen that is active
in its turn. None of them waits between the scans of a burst.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from tests.support.packing import Measured, picked_into_tote
from tests.support.tasks import Item
from tests.tui.station_fakes import cart_task, offline_app
from tests.tui.station_world import World, log_in, on_screen
from tests.tui.terminal_input import feed_terminal_bytes, settle, wait_until
from toteflow.domain.roles import Role
from toteflow.station.services.wave_filters import PoolFilter
from toteflow.station.tui.scan_input import ScanInputApp
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.pack_box import PackBoxScreen
from toteflow.station.tui.screens.pack_home import PackHomeScreen
from toteflow.station.tui.screens.supervisor_filters import FilterDialog
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen

pytestmark = pytest.mark.anyio

F2 = b"\x1bOQ"
F3 = b"\x1bOR"
F9 = b"\x1b[20~"
TAB = b"\t"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_log_in_ask_for_work_set_up_the_cart_and_pick_in_one_burst(tmp_path: Path) -> None:
    """Badge, PIN, F2, the cart, its totes, a location and an item: one read, all worked."""
    task = cart_task()
    app = offline_app(tmp_path, [task])
    first = task.lines[0]
    burst = b"B00101\r1111\r" + F2 + b"C0001\r"
    burst += b"".join(f"C0001-S{slot:02d}\rT00004{slot}\r".encode() for slot in range(1, 5))
    burst += f"{first.location}\r{first.units[0].barcode}\r".encode()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, burst)
        stop: NextStopScreen = await on_screen(pilot, NextStopScreen)
        assert await wait_until(pilot, lambda: stop.walk.in_hand == 1)
        assert stop.walk.at_location == first.location
        assert [c.tote for c in stop.walk.task.containers] == [f"T00004{s}" for s in range(1, 5)]
        assert app.person is not None
        assert app.person.badge == "B00101"
        await settle(pilot)
        assert not app.input_waiting


async def test_a_quantity_typed_then_scans_in_one_burst(tmp_path: Path) -> None:
    """F3, the count and Enter go to the dialog; the scans after it to the stop behind it."""
    task = cart_task()
    app = offline_app(tmp_path, [task])
    first, second = task.lines[0], task.lines[1]  # two units at the first stop, in slot 1
    setup = b"B00101\r1111\r" + F2 + b"C0001\r"
    setup += b"".join(f"C0001-S{slot:02d}\rT00004{slot}\r".encode() for slot in range(1, 5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, setup)
        await on_screen(pilot, NextStopScreen)
        burst = f"{first.location}\r{first.units[0].barcode}\r".encode() + F3 + b"2\r"
        burst += f"C0001-S0{first.slot}\r{second.location}\r".encode()
        await feed_terminal_bytes(app, burst)

        def at_second_stop() -> bool:
            screen = app.screen
            return isinstance(screen, NextStopScreen) and screen.walk.at_location == second.location

        assert await wait_until(pilot, at_second_stop)
        stop = app.screen
        assert isinstance(stop, NextStopScreen)
        assert [line.picked for line in stop.walk.task.lines[:2]] == [2, 0]
        await settle(pilot)
        assert not app.input_waiting


async def test_a_tote_then_its_items_in_one_burst_open_the_order_and_check_them(
    world: World,
) -> None:
    """At the pack home the tote opens the order (a server call); the items wait for it."""
    mug = Measured(Item("PK-MUG"), 2, (100, 80, 90), 350)
    lamp = Measured(Item("PK-LAMP"), 1, (250, 150, 120), 900)
    picked_into_tote(world.parts.engine, "SO-700", "T000700", [mug, lamp])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, Role.PACKER)
        await on_screen(pilot, PackHomeScreen)
        burst = b"T000700\r" + (f"{mug.item.barcode}\r" * 2 + f"{lamp.item.barcode}\r").encode()
        await feed_terminal_bytes(app, burst)
        box: PackBoxScreen = await on_screen(pilot, PackBoxScreen)
        carton = box.desk.carton()
        assert carton is not None
        assert carton.contents == {"PK-MUG": 2, "PK-LAMP": 1}
        code = box.expected_scan()
        assert code is not None
        await feed_terminal_bytes(app, f"{code}\r".encode())
        assert await wait_until(pilot, lambda: (box.desk.carton() or carton).box_scanned)


class _FilterApp(ScanInputApp[None]):
    def on_mount(self) -> None:
        self.push_screen(FilterDialog(PoolFilter(), None))


async def test_fast_tabs_and_text_in_a_dialog_land_in_the_fields_tab_moved_to() -> None:
    app = _FilterApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        untouched = dialog.typed()
        await feed_terminal_bytes(app, TAB * 3 + b"X" + TAB + b"Y")
        assert await wait_until(pilot, lambda: dialog.typed()["priorities"] == "Y")
        assert dialog.typed() == untouched | {"ship_by": "X", "priorities": "Y"}


class _SlowScreen(Screen[None]):
    """Works each scan on a worker, then moves to a new screen: what came next must wait."""

    ACCEPTS_SCANS = True

    def __init__(self, log: list[tuple[str, str]]) -> None:
        super().__init__()
        self.scan_log = log

    def compose(self) -> ComposeResult:
        yield Static("slow")

    def on_scan_received(self, message: ScanReceived) -> None:
        self.scan_log.append(("slow", message.raw))
        self.run_worker(self._work(message.keep()))

    async def _work(self, done: Any) -> None:
        try:
            for _ in range(5):
                await self.app.animator.wait_for_idle()  # a few turns of the loop
            self.app.push_screen(_QuickScreen(self.scan_log))
        finally:
            done()


class _QuickScreen(Screen[None]):
    ACCEPTS_SCANS = True

    def __init__(self, log: list[tuple[str, str]]) -> None:
        super().__init__()
        self.scan_log = log

    def on_scan_received(self, message: ScanReceived) -> None:
        self.scan_log.append(("quick", message.raw))


class _SlowApp(ScanInputApp[None]):
    def __init__(self) -> None:
        super().__init__()
        self.scan_log: list[tuple[str, str]] = []

    def get_default_screen(self) -> Screen[None]:
        return _SlowScreen(self.scan_log)


async def test_scans_behind_a_kept_scan_go_to_the_screen_it_opened() -> None:
    app = _SlowApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, b"A1\rB2\rC3\r")
        assert await wait_until(pilot, lambda: len(app.scan_log) == 3)
        assert app.scan_log == [("slow", "A1"), ("quick", "B2"), ("quick", "C3")]
        assert not app.input_waiting


async def test_the_demo_key_pressed_three_times_fast_scans_three_different_labels(
    tmp_path: Path,
) -> None:
    """Each F9 asks the screen what it waits for only after the previous scan is worked."""
    task = cart_task()
    app = offline_app(tmp_path, [task])
    first = task.lines[0]  # two units at the first stop
    setup = b"B00101\r1111\r" + F2 + b"C0001\r"
    setup += b"".join(f"C0001-S{slot:02d}\rT00004{slot}\r".encode() for slot in range(1, 5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, setup)
        stop: NextStopScreen = await on_screen(pilot, NextStopScreen)
        await feed_terminal_bytes(app, F9 * 3)
        assert await wait_until(pilot, lambda: stop.walk.in_hand == 2)
        await settle(pilot)
        assert stop.walk.at_location == first.location
        assert stop.walk.in_hand == 2
        assert not app.input_waiting


async def test_a_whole_task_by_the_demo_key_in_one_burst_then_home_and_the_next_task(
    tmp_path: Path,
) -> None:
    """Cart set-up, every stop, the finish: forty F9 in one read cross every walk screen."""
    app = offline_app(tmp_path, [cart_task(42), cart_task(43)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, b"B00101\r1111\r" + F2)
        await on_screen(pilot, CartSetupScreen)
        # 9 scans set the cart up and 25 pick its 6 stops; the rest find nothing to scan.
        await feed_terminal_bytes(app, F9 * 40)
        done: TaskCompleteScreen = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert done.done.units_picked == 13
        # Enter goes home and F2 asks for the next task; the cart scan reaches its set-up.
        await feed_terminal_bytes(app, b"\r" + F2 + b"C0001\r")
        setup: CartSetupScreen = await on_screen(pilot, CartSetupScreen)
        assert await wait_until(pilot, lambda: setup.walk.cart == "C0001")
        assert setup.walk.task.id == 43
