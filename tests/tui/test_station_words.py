"""Words and space at the station: no sentence cut at 80x24, larger terminals list the stops
ahead, counted words read right, help titles in words, F2 at home points to a paused task."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.station_fakes import cart_task, offline_app
from tests.tui.test_station_snapshots import cart_ready
from toteflow.station.tui.app import StationApp
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
        # A short detail keeps its own row under the headline.
        stop.signal(True, "AT 01-004-1", "scan the item")
        await pilot.pause()
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
