"""Snapshots at 80x24 of the supervisor's wave console, pool, filters and a wave's progress."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.tui.station_fakes import offline_app
from tests.tui.station_world import on_screen, press, until
from tests.tui.wave_fakes import AT, SUPERVISOR, FakeWaveServer
from toteflow.contracts import waves as wv
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.supervisor_console import NoConsoleScreen, SupervisorConsoleScreen
from toteflow.station.tui.screens.supervisor_dialogs import ExceptionDetail, ReasonDialog
from toteflow.station.tui.screens.supervisor_exceptions import ExceptionsScreen
from toteflow.station.tui.screens.supervisor_filters import FilterDialog
from toteflow.station.tui.screens.supervisor_pool import PoolScreen
from toteflow.station.tui.screens.supervisor_preview import WavePreviewScreen
from toteflow.station.tui.screens.supervisor_progress import WaveProgressScreen


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen are local: pin the zone so the pictures are the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def console_app(folder: Path) -> StationApp:
    app = offline_app(folder, [])
    app.services.waves = FakeWaveServer()
    return app


async def signed_in(pilot: Pilot[Any]) -> SupervisorConsoleScreen:
    app = pilot.app
    assert isinstance(app, StationApp)
    await app.sign_in(SUPERVISOR)
    screen: SupervisorConsoleScreen = await on_screen(pilot, SupervisorConsoleScreen)
    assert await until(pilot, lambda: screen.refreshes > 0)
    await pilot.pause()
    return screen


async def wave_progress(pilot: Pilot[Any]) -> None:
    await signed_in(pilot)
    await press(pilot, "down", "down")  # the released wave, under the discarded one
    await press(pilot, "f4")
    screen: WaveProgressScreen = await on_screen(pilot, WaveProgressScreen)
    assert await until(pilot, lambda: screen.refreshes > 0)
    await pilot.pause()


async def pool_with_template(pilot: Pilot[Any]) -> None:
    """The pool with the template chosen: its filters on the line above the groups."""
    await signed_in(pilot)
    await press(pilot, "f2")
    screen: PoolScreen = await on_screen(pilot, PoolScreen)
    assert await until(pilot, lambda: len(screen.groups) == 1)
    await press(pilot, "down")
    assert await until(pilot, lambda: screen.template == "ups-ground-1500")
    await pilot.pause()


async def filters_refused(pilot: Pilot[Any]) -> None:
    """The filter dialog after Enter on a priority that is not one: said, still open."""
    await pool_with_template(pilot)
    await press(pilot, "f2")
    dialog: FilterDialog = await on_screen(pilot, FilterDialog)
    dialog.query_one("#filter-priorities", Input).value = "1,12"
    await press(pilot, "enter")
    await pilot.pause()


def test_snapshot_wave_pool(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = console_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=pool_with_template)


def test_snapshot_wave_filters(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = console_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=filters_refused)


def test_snapshot_wave_console(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = console_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=signed_in)


def test_snapshot_wave_progress(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = console_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=wave_progress)


LONG_REASON = (
    "event pick.confirmed from pick-02 refused: task line 118 of task 41 was cancelled when "
    "wave express-20261122-0915 was cancelled (truck is late); put the 2 units of SKU-B back"
)


def floor_exception() -> wv.FloorException:
    return wv.FloorException(
        id=7,
        kind="rejected_event",
        status="open",
        reason=LONG_REASON,
        order_reference="SO-1042",
        task_line_id=118,
        station_id=2,
        user_id=1,
        detail={"event_type": "pick.confirmed", "quantity": 2},
        created_at=AT,
        resolved_at=None,
        resolved_by=None,
        resolution="",
        station="pick-02",
        user_name="Pat Picker",
    )


async def exception_in_full(pilot: Pilot[Any]) -> None:
    """Enter on an exception: its sentence whole, which the list cuts at 80 columns."""
    await signed_in(pilot)
    await press(pilot, "f5")
    screen: ExceptionsScreen = await on_screen(pilot, ExceptionsScreen)
    assert await until(pilot, lambda: screen.refreshes > 0)
    await press(pilot, "enter")
    await on_screen(pilot, ExceptionDetail)
    await pilot.pause()


def test_snapshot_exception_detail(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = offline_app(tmp_path, [])
    app.services.waves = FakeWaveServer(exceptions_shown=[floor_exception()])
    assert snap_compare(app, terminal_size=(80, 24), run_before=exception_in_full)


def preview_figures() -> wv.WavePreview:
    return wv.WavePreview(
        orders=2,
        lines=4,
        units=7,
        zones=[wv.ZoneLoad(zone="A", lines=3, units=5), wv.ZoneLoad(zone="D", lines=1, units=2)],
        shortages=[],
        short_units=0,
        orders_left=["SO-6"],
        orders_cancelled=[],
        tasks=1,
        carts=1,
        totes=2,
        distance_m=212.0,
        walking_seconds=212.0,
        picking_seconds=40.0,
        pick_seconds=252.0,
        cutoff_at=None,
        shortage_policy="partial",
        waiting=9,
        matched=3,
        left_out=[
            wv.LeftOut(filter="profile", words="profile multi line", orders=5),
            wv.LeftOut(filter="max_lines", words="max lines 5", orders=1),
        ],
    )


async def wave_preview(pilot: Pilot[Any]) -> None:
    """A planned wave's preview: what the filters left out of the pool, by name."""
    home = await signed_in(pilot)
    planned = home.lines["6"].wave
    pilot.app.push_screen(WavePreviewScreen(home.console, planned, preview_figures()))
    await on_screen(pilot, WavePreviewScreen)
    await pilot.pause()


def test_snapshot_wave_preview(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = console_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=wave_preview)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_a_station_without_the_wave_api_says_so(tmp_path: Path) -> None:
    app = offline_app(tmp_path, [])  # services.waves is None: no console to offer
    async with app.run_test(size=(80, 24)) as pilot:
        await app.sign_in(SUPERVISOR)
        screen = await on_screen(pilot, NoConsoleScreen)
        assert "no wave console" in str(screen.query_one("#sup-missing", Static).render())


@pytest.mark.anyio
async def test_a_long_refusal_is_shown_whole_at_80x24(tmp_path: Path) -> None:
    app = console_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await signed_in(pilot)
        feedback = screen.query_one("#sup-feedback")
        assert feedback.size.height == 2  # at rest: the two lines of keys
        sentence = (
            "floor exception 1 (pack_short) names no missing units of an order line: "
            "it can only be closed"
        )
        screen.signal(False, "NOT RESOLVED", sentence)
        await pilot.pause()
        # The headline and both lines of the sentence (its end was cut off at height 4).
        assert feedback.size.height == 3


@pytest.mark.anyio
async def test_keys_follow_the_wave_under_the_cursor(tmp_path: Path) -> None:
    """Only keys that act on the wave under the cursor are offered; F8 on a planned wave
    discards it; a done wave's progress offers no task keys (it has no open task)."""
    app = console_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await signed_in(pilot)

        def footer() -> set[str]:
            return {b.binding.key for b in app.active_bindings.values() if b.binding.show}

        assert {"f2", "f3", "f5", "f8"} <= footer()  # the planned wave
        assert not {"f4", "f6"} & footer()
        await press(pilot, "down")  # discarded: nothing to preview, follow, hold or cancel
        assert not {"f3", "f4", "f6", "f8"} & footer()
        await press(pilot, "down")  # released
        assert {"f4", "f6", "f8"} <= footer()
        assert "f3" not in footer()
        await press(pilot, "up", "up", "f8")
        dialog = await on_screen(pilot, ReasonDialog)
        assert dialog.title_words == "DISCARD WAVE ups-ground-1500-20261122-093012"
        await press(pilot, "escape")
        await on_screen(pilot, SupervisorConsoleScreen)
        await press(pilot, "down", "down", "down", "down", "f4")  # the done wave
        progress: WaveProgressScreen = await on_screen(pilot, WaveProgressScreen)
        assert await until(pilot, lambda: progress.refreshes > 0)
        title = str(progress.query_one("#sup-title", Static).render())
        assert "demo-cart · DONE · 4/4 lines, 1 short (100%)" in title
        assert not {"f6", "f7"} & footer()
        assert home.lines["0"].progress is not None
