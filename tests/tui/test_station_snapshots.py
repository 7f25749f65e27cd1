"""Snapshots at 80x24 of the station's log-in, next-stop, exception and task-complete screens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.station_fakes import PICKER, cart_task, offline_app
from tests.tui.station_world import on_screen, press, scan
from tests.tui.terminal_input import wait_until
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.login import LoginScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.short_pick import ShortPickScreen
from toteflow.station.tui.screens.station_exceptions import StationExceptionsScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

Step = Callable[[Pilot[Any]], Awaitable[None]]


async def still(pilot: Pilot[Any]) -> None:
    """Snapshot settled colours, not a moment of the flash."""
    screen = pilot.app.screen
    if isinstance(screen, StationScreen):
        feedback = screen.query_one(ScanFeedback)
        assert await wait_until(pilot, lambda: not feedback.flashing)
    await pilot.pause()


async def logged_in(pilot: Pilot[Any]) -> None:
    await on_screen(pilot, LoginScreen)
    await scan(pilot, "B00101")
    pin = pilot.app.screen.query_one("#login-pin", Input)
    pin.value = "1111"
    await press(pilot, "enter")
    await on_screen(pilot, PickerHomeScreen)


async def cart_ready(pilot: Pilot[Any]) -> NextStopScreen:
    await logged_in(pilot)
    await press(pilot, "f2")
    await on_screen(pilot, CartSetupScreen)
    await scan(pilot, "C0001")
    for slot in range(1, 5):
        await scan(pilot, f"C0001-S{slot:02d}")
        await scan(pilot, f"T00001{slot}")
    screen: NextStopScreen = await on_screen(pilot, NextStopScreen)
    return screen


def run(*steps: Step) -> Step:
    async def run_before(pilot: Pilot[Any]) -> None:
        for step in steps:
            await step(pilot)
        await still(pilot)

    return run_before


async def badge_scanned(pilot: Pilot[Any]) -> None:
    await on_screen(pilot, LoginScreen)
    await scan(pilot, "B00101")


async def item_in_hand(pilot: Pilot[Any]) -> None:
    stop = await cart_ready(pilot)
    await scan(pilot, "01-004-1")
    await scan(pilot, stop.walk.expected_scan() or "")


async def wrong_location(pilot: Pilot[Any]) -> None:
    await cart_ready(pilot)
    await scan(pilot, "01-005-1")


async def short_dialog(pilot: Pilot[Any]) -> None:
    await item_in_hand(pilot)
    # The dialog covers the stop: let the item scan's flash settle underneath it first.
    await still(pilot)
    await press(pilot, "f2")
    await on_screen(pilot, ShortPickScreen)


async def all_done(pilot: Pilot[Any]) -> None:
    stop = await cart_ready(pilot)
    while stop.walk.current_line() is not None:
        raw = stop.walk.expected_scan()
        assert raw is not None
        await scan(pilot, raw)
    await on_screen(pilot, TaskCompleteScreen)


def test_snapshot_login(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(badge_scanned))


def test_snapshot_next_stop(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(item_in_hand))


def test_snapshot_wrong_location_refused(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(wrong_location))


def test_snapshot_short_pick_dialog(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(short_dialog))


def test_snapshot_task_complete(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(all_done))


def refused_pick_and_tote(app: StationApp) -> None:
    """A pick of 2 and a tote the server refused, as the sync worker records them."""
    floor, task = app.services.floor, cart_task()
    app.services.view.store_task(task)
    user = PICKER.user_id
    floor.start_task(user, task.id)
    tote = floor.assign_tote(user, task.id, 1, "T000011")
    pick = floor.confirm_pick(user, task.lines[0].id, 2, tote="T000011")
    at = datetime(2026, 11, 22, 9, 15, tzinfo=UTC)
    with floor.uow() as uow:
        reason = "order SO-1001 was cancelled: put the 2 units back at 01-004-1"
        uow.exceptions.open_for_event(pick, reason, at)
        uow.exceptions.open_for_event(tote, "tote T000011 is in use on task 41", at)
        uow.commit()


async def refused_list(pilot: Pilot[Any]) -> None:
    await logged_in(pilot)
    await press(pilot, "f8")
    await on_screen(pilot, StationExceptionsScreen)


def test_snapshot_refused_picks(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    refused_pick_and_tote(app)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run(refused_list))
