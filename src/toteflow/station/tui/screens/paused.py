"""A paused task: it waits here (or after a log-out) until the picker resumes it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Static

from toteflow.station.services.picker import PickWalk
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


class PausedScreen(StationScreen[bool]):
    """Enter or F7 resumes; ctrl+l logs out and the task stays held for this person."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f7", "resume", "Resume"),
        Binding("enter", "resume", "Resume", show=False),
    ]

    def __init__(self, walk: PickWalk) -> None:
        super().__init__()
        self.walk = walk

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Vertical(id="paused-body"):
            yield Static("TASK PAUSED", id="paused-title")
            progress = self.walk.progress()
            yield Static(
                f"Task {self.walk.task_id}: {progress.stops_done} of {progress.stops_total} "
                f"stops done, {progress.units_done} of {progress.units_total} units.\n\n"
                "Press Enter (or F7) to resume. Ctrl+L logs you out: the task waits for you.",
                id="paused-text",
            )
        yield ScanFeedback("The task is paused", id="feedback")
        yield Footer(compact=True)

    def on_scan_received(self, message: ScanReceived) -> None:
        self.signal(False, "PAUSED", "press Enter to resume the task first")

    def action_resume(self) -> None:
        self.dismiss(False)
