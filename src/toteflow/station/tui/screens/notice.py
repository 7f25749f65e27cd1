"""Something changed while picking (an order cancelled): told in large text before anything else."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from toteflow.station.ports.store import Notice
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationDialog
from toteflow.station.tui.widgets.scan_feedback import BAD_BELLS, BellPlayer


class NoticeScreen(StationDialog):
    """Read it, do it (put units back), then Enter; scans wait until then."""

    ACCEPTS_SCANS = True
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "read", "Done"),
        Binding("escape", "read", "Done", show=False),
    ]

    def __init__(self, notices: tuple[Notice, ...]) -> None:
        super().__init__()
        self.notices = notices

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-alert"):
            yield Static("STOP: READ THIS", classes="dialog-title")
            for notice in self.notices:
                yield Static(notice.message[0].upper() + notice.message[1:], classes="notice")
            yield Static("Press Enter when done.", classes="dialog-text")

    def on_scan_received(self, message: ScanReceived) -> None:
        BellPlayer(self.app).play(BAD_BELLS)
        self.notify("Read the message and press Enter first.", severity="error")

    def action_read(self) -> None:
        self.dismiss(self.notices)
