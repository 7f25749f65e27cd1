"""Something changed while picking (an order cancelled): told in large text before anything else."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
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

    def __init__(self, notices: tuple[Notice, ...], in_hand: str = "") -> None:
        super().__init__()
        self.notices = notices
        # Units in the picker's hand for a cancelled line: no notice from the feed names
        # them (the server never counted them), so the walk says it here.
        self.in_hand = in_hand

    def compose(self) -> ComposeResult:
        # It scrolls only when there is more than a screen can hold (many orders cancelled
        # at once); it opens at the top, so the first thing to read is never hidden.
        with VerticalScroll(id="dialog", classes="-alert -notices"):
            yield Static("STOP: READ THIS", classes="dialog-title")
            for notice in self.notices:
                yield Static(notice.message[0].upper() + notice.message[1:], classes="notice")
            if self.in_hand:
                yield Static(self.in_hand, classes="notice", id="notice-hand")
            yield Static("Press Enter when done.", classes="dialog-text")

    def on_mount(self) -> None:
        self.query_one("#dialog").scroll_home(animate=False, immediate=True)

    def on_scan_received(self, message: ScanReceived) -> None:
        BellPlayer(self.app).play(BAD_BELLS)
        self.notify("Read the message and press Enter first.", severity="error")

    def action_read(self) -> None:
        self.dismiss(self.notices)
