"""The scan check screen and the good/bad scan signals: interpretation, bells, flash, snapshots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.tui.terminal_input import feed_terminal_bytes, settle, wait_until
from toteflow.station.tui.gc_tuning import restore_gc, tune_gc_after_startup
from toteflow.station.tui.scan_check_app import ScanCheckApp
from toteflow.station.tui.scan_messages import ScannerStatus
from toteflow.station.tui.screens.scan_check import ScanCheckScreen
from toteflow.station.tui.widgets.scan_capture import GS
from toteflow.station.tui.widgets.scan_feedback import BAD_BELLS, GOOD_BELLS, ScanFeedback

GOOD_GS1 = f"]C10109501101530003{GS}10LOT42{GS}21SER9"
BAD_GTIN = "4006381333932"  # check digit should be 1


class CountingScanCheckApp(ScanCheckApp):
    def __init__(self) -> None:
        super().__init__(tune_gc=False)
        self.bells = 0

    def bell(self) -> None:
        self.bells += 1

    @property
    def check(self) -> ScanCheckScreen:
        screen = self.screen
        assert isinstance(screen, ScanCheckScreen)
        return screen


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_good_scan_shows_kind_and_fields_and_rings_once() -> None:
    app = CountingScanCheckApp()
    async with app.run_test() as pilot:
        await feed_terminal_bytes(app, GOOD_GS1.encode() + b"\r")
        assert await wait_until(pilot, lambda: app.check.scan_count == 1)
        feedback = app.check.query_one(ScanFeedback)
        assert feedback.last_signal == "good"
        assert await wait_until(pilot, lambda: not feedback.flashing)
        assert feedback.has_class("-good")
        await settle(pilot)
        assert app.bells == len(GOOD_BELLS) == 1
        fields = str(app.check.query_one("#scan-check-fields", Static).render())
        assert "lot: LOT42" in fields
        assert "serial: SER9" in fields
        assert "␝" in fields  # GS shown, not lost


@pytest.mark.anyio
async def test_bad_scan_shows_the_reason_and_rings_three_times() -> None:
    app = CountingScanCheckApp()
    async with app.run_test() as pilot:
        await feed_terminal_bytes(app, BAD_GTIN.encode() + b"\r")
        assert await wait_until(pilot, lambda: app.check.scan_count == 1)
        feedback = app.check.query_one(ScanFeedback)
        assert feedback.last_signal == "bad"
        assert "check digit wrong: expected 1" in str(feedback.render())
        # The later bells come from timers: wait for them, then make sure no more come.
        assert await wait_until(pilot, lambda: app.bells >= len(BAD_BELLS))
        await settle(pilot)
        assert app.bells == len(BAD_BELLS) == 3
        assert feedback.has_class("-bad")


@pytest.mark.anyio
async def test_good_signal_cuts_off_the_bad_pattern() -> None:
    app = CountingScanCheckApp()
    async with app.run_test() as pilot:
        feedback = app.check.query_one(ScanFeedback)
        # Back to back, with no await between: the bad pattern's timed bells cannot have
        # fired yet, whatever the machine's speed.
        feedback.bad("check digit wrong: expected 1")
        feedback.good("LOCATION LABEL", "05-017-2")
        assert await wait_until(pilot, lambda: not feedback.flashing)
        await pilot.pause(max(BAD_BELLS) + 0.1)
        # Bad's immediate bell, then good's one; the rest of the bad pattern was cancelled.
        assert app.bells == 2
        assert feedback.has_class("-good")
        assert not feedback.has_class("-bad")


@pytest.mark.anyio
async def test_scanner_status_shows_in_the_title() -> None:
    app = CountingScanCheckApp()
    async with app.run_test() as pilot:
        app.post_message(ScannerStatus("/dev/ttyACM0", connected=False, detail="unplugged"))
        title = app.check.query_one("#scan-check-title", Static)
        assert await wait_until(pilot, lambda: title.has_class("-offline"))
        assert "disconnected" in str(title.render())
        app.post_message(ScannerStatus("/dev/ttyACM0", connected=True))
        assert await wait_until(pilot, lambda: not title.has_class("-offline"))


def test_gc_tuning_freezes_and_restores() -> None:
    import gc

    before = gc.get_threshold()
    state = tune_gc_after_startup((10_000, 20, 30))
    try:
        assert gc.get_threshold() == (10_000, 20, 30)
        assert gc.get_freeze_count() > 0
    finally:
        restore_gc(state)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def _scans_then_still(*scans: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, ScanCheckApp)
        screen = app.screen
        assert isinstance(screen, ScanCheckScreen)
        await feed_terminal_bytes(app, *(scan.encode() + b"\r" for scan in scans))
        assert await wait_until(pilot, lambda: screen.scan_count == len(scans))
        feedback = screen.query_one(ScanFeedback)
        # Snapshot the settled colours, not a moment of the flash.
        assert await wait_until(pilot, lambda: not feedback.flashing)
        await pilot.pause()

    return run_before


def test_snapshot_good_then_bad(snap_compare: Callable[..., bool]) -> None:
    app = ScanCheckApp(tune_gc=False)
    assert snap_compare(
        app, terminal_size=(80, 24), run_before=_scans_then_still(GOOD_GS1, BAD_GTIN)
    )


def test_snapshot_bad_then_good(snap_compare: Callable[..., bool]) -> None:
    app = ScanCheckApp(tune_gc=False)
    assert snap_compare(
        app, terminal_size=(80, 24), run_before=_scans_then_still(BAD_GTIN, GOOD_GS1)
    )
