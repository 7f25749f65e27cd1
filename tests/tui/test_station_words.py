"""Words and space at the station: no sentence cut at 80x24, larger terminals list the stops
ahead, counted words read right, help titles in words, F2 at home points to a paused task."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.content import Content
from textual.widget import Widget
from textual.widgets import OptionList

from tests.tui.probe import ProbeApp
from tests.tui.station_fakes import FakeServer, cart_task, offline_app
from tests.tui.station_world import on_screen, press, scan
from tests.tui.terminal_input import feed_terminal_bytes, settle, wait_until
from tests.tui.test_station_snapshots import cart_ready, logged_in
from toteflow.config import default_assets_dir, default_config_dir
from toteflow.shared.layout_file import load_layout
from toteflow.station.ports.store import SyncStatus
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.login import StationLogin
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.help import HelpScreen, help_title
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.paused import PausedScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio


def screen_rows(app: StationApp) -> list[str]:
    """The screen as a person reads it, one string per terminal row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def panel_text(app: StationApp, widget: ScanFeedback) -> str:
    """The words inside a bordered panel, its rows joined as a person reads on."""
    region = widget.content_region
    rows = screen_rows(app)[region.y : region.bottom]
    return " ".join(" ".join(row[region.x : region.right].split()) for row in rows)


# What the pack desk says when the scale disagrees (pack_desk.py, domain/packing.py).
WEIGHT_RECHECK = (
    "box is heavy: 4.20 kg, expected 3.57 kg ± 0.18: check its contents and weigh again. "
    "F4 weighs again; F5 if the box is right as it is"
)


async def test_a_long_sentence_is_never_cut_at_80x24(tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await cart_ready(pilot)
        feedback = stop.query_one(ScanFeedback)
        stop.signal(False, "RE-CHECK THE BOX", WEIGHT_RECHECK)
        await pilot.pause()
        said = panel_text(app, feedback)
        assert "RE-CHECK THE BOX" in said
        assert WEIGHT_RECHECK in said
        # The panel took the row the screen had to spare: the footer is still there.
        assert feedback.content_size.height <= 3
        assert "Help" in screen_rows(app)[-1]
        # A short detail keeps its own row under the headline; the panel goes back to two
        # rows, and after that a scan's words of the same height ask for no layout pass.
        stop.signal(True, "AT 01-004-1", "scan the item")
        await pilot.pause()
        assert feedback.content_size.height == 2
        assert not feedback._height_changes(Content.assemble(" ✓ 1 OF 2 ", "\n", "A-1"))
        region = feedback.content_region
        rows = screen_rows(app)[region.y : region.bottom]
        assert "AT 01-004-1" in rows[0]
        assert "scan the item" in rows[1]


async def test_larger_terminals_list_the_stops_ahead(tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await cart_ready(pilot)
        assert not stop.query_one("#stop-ahead").display
        assert not any("THEN" in row for row in screen_rows(app))
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.pause()
        assert stop.query_one("#stop-ahead").display
        rows = screen_rows(app)
        assert len(rows) == 30
        then = next(i for i, row in enumerate(rows) if row.strip() == "THEN")
        # The five stops after 01-004-1, in route order, as many as the rows hold.
        listed = [row.split()[0] for row in rows[then + 1 : then + 6] if row.strip()]
        assert listed == ["02-017-2", "05-017-2", "06-030-1", "09-012-1", "12-003-1"][: len(listed)]
        assert len(listed) >= 5
        assert "1 x LAMP-LED-C Compact LED Desk Lamp · slot 3" in rows[then + 1]
        # The footer is still the last row: nothing was pushed off the screen.
        assert "Help" in rows[-1]


async def test_a_long_typed_code_shows_its_end_where_the_typing_is() -> None:

    app = ProbeApp()
    url = "https://id.example.com/01/09506000134352/10/LOT-2026-11-A/21/SERIAL-0000123456789?x=1"
    async with app.run_test(size=(80, 24)) as pilot:
        prompt = app.probe.query_one(ScanPrompt)
        await feed_terminal_bytes(app, url.encode())
        assert await wait_until(pilot, lambda: prompt.pending == url)
        assert await wait_until(pilot, lambda: "…" in screen_row_of(app, prompt))
        row = screen_row_of(app, prompt).rstrip()
        # The end of the code is on screen, just before the cursor; its start gave way.
        assert row.endswith("SERIAL-0000123456789?x=1▏")
        assert len(row) <= 80


def screen_row_of(app: App[Any], widget: Widget) -> str:
    return app.screen._compositor.render_strips()[widget.region.y].text


async def test_help_titles_are_words(tmp_path: Path) -> None:

    app = offline_app(tmp_path, [cart_task()])
    async with app.run_test(size=(80, 24)) as pilot:
        await cart_ready(pilot)
        await pilot.press("f1")
        shown = await on_screen(pilot, HelpScreen)
        assert shown.title_words == "Next stop"
        assert any("KEYS · Next stop" in row for row in screen_rows(app))

    class WaveRestartDialogScreen:
        pass

    # A screen not named in the table yet still gets words, not its class name.
    assert help_title(WaveRestartDialogScreen()) == "Wave restart dialog"


async def test_f2_at_home_points_to_the_paused_task_first(tmp_path: Path) -> None:

    second = cart_task(43)
    app = offline_app(tmp_path, [cart_task(), second])
    async with app.run_test(size=(80, 24)) as pilot:
        await cart_ready(pilot)
        await press(pilot, "f7")
        await on_screen(pilot, PausedScreen)
        await press(pilot, "ctrl+l")
        await logged_in(pilot)
        home: PickerHomeScreen = await on_screen(pilot, PickerHomeScreen)
        assert "Task 42 is paused: F3 resumes it." in str(home.query_one("#home-hello").render())
        assert "1 stop" not in task_line(home)  # six stops, in words that add up
        assert "6 stops, 13 units" in task_line(home)
        await press(pilot, "f2")
        said = str(home.query_one(ScanFeedback).render())
        assert "TASK 42 IS PAUSED" in said
        assert "F3 resumes it · F2 again asks for new work all the same" in said
        assert app.screen is home  # no new task was asked for
        await press(pilot, "f2")
        await on_screen(pilot, CartSetupScreen)
        assert [t.id for t in home.desk.held_tasks()] == [42, 43]


def task_line(home: object) -> str:
    assert isinstance(home, PickerHomeScreen)
    options = home.query_one("#home-held", OptionList)
    return str(options.get_option_at_index(0).prompt)


def reopened_app(folder: Path) -> StationApp:
    """The station started again on the store it had before (a restart after a crash)."""
    engine = open_store(folder / "station.db")
    uow = SqlStationUnitOfWorkFactory(engine)
    server = FakeServer([])
    services = StationServices(
        login=StationLogin(server, pin_required=True),
        floor=FloorActions(uow),
        view=StationView(uow),
        tasks=server,
        layout=load_layout(default_config_dir() / "warehouse.toml"),
        today=lambda: date(2026, 11, 22),
    )
    app = StationApp(
        services, css_path=default_assets_dir() / "station.tcss", tune_gc=False, demo=True
    )
    app.sync_status = SyncStatus("online")
    return app


async def test_after_a_restart_the_last_committed_pick_is_shown(tmp_path: Path) -> None:
    task = cart_task()
    first = task.lines[0]
    app = offline_app(tmp_path, [task])
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await cart_ready(pilot)
        for raw in ("01-004-1", first.units[0].barcode, first.units[0].barcode, "C0001-S01"):
            await scan(pilot, raw)
        assert stop.walk.current_line() is not None
        assert stop.walk.current_line().location == "02-017-2"  # type: ignore[union-attr]
    # The station stops here (a crash, a power cut): the pick was committed.
    again = reopened_app(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await logged_in(pilot)
        await press(pilot, "f3")
        resumed: NextStopScreen = await on_screen(pilot, NextStopScreen)
        said = str(resumed.query_one(ScanFeedback).render())
        assert f"2 units of {first.sku} from 01-004-1 into tote T000011" in said
        assert said.startswith("Last recorded at ")
        assert "Go to 02-017-2 and scan the location label" in said


async def test_a_skipped_stop_is_listed_last_among_the_stops_ahead(tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    async with app.run_test(size=(120, 34)) as pilot:
        stop = await cart_ready(pilot)
        await press(pilot, "f4")  # skip 01-004-1
        assert await wait_until(pilot, lambda: stop.walk.current_line() is not None)
        await settle(pilot)
        rows = screen_rows(app)
        then = next(i for i, row in enumerate(rows) if row.strip() == "THEN")
        listed = [row.split()[0] for row in rows[then + 1 : then + 6]]
        assert listed == ["05-017-2", "06-030-1", "09-012-1", "12-003-1", "01-004-1"]
        assert rows[then + 5].rstrip().endswith("(skipped before)")
