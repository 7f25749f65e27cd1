"""What every station screen shares: the status line, the app's services, the scan signal."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar, cast

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen

from toteflow.station.services.bundle import StationServices
from toteflow.station.tui.host import StationHost
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

R = TypeVar("R")


class StationScreen(Screen[R], Generic[R]):
    """A full station screen. Bindings use function keys, Escape or ctrl+letter only:
    printable keys are scan text on screens that take scans."""

    # Nothing takes focus by itself: a focused text field would swallow the scanner's keys
    # (None would mean "the App's choice", which is the first focusable widget).
    AUTO_FOCUS: ClassVar[str | None] = ""
    BINDINGS: ClassVar[list[BindingType]] = []

    @property
    def station(self) -> StationHost:
        return cast(StationHost, self.app)

    @property
    def services(self) -> StationServices:
        return self.station.services

    signals = 0
    """How many good/bad signals this screen gave (tests and benchmarks wait on it)."""

    def expected_scan(self) -> str | None:
        """The label this screen waits for (the demo key scans it); None when none."""
        return None

    def signal(self, ok: bool, headline: str, detail: str = "") -> None:
        """The good or bad scan signal on this screen's feedback panel (bells and flash)."""
        self.signals += 1
        feedback = self.query_one(ScanFeedback)
        if ok:
            feedback.good(headline, detail)
        else:
            feedback.bad(detail, headline=headline)


class StationDialog(ModalScreen[Any]):
    """A dialog over a station screen; Escape closes it without doing anything."""

    # A modal screen shuts the App's own keys out, F1 among them: each dialog brings it back.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back"),
        Binding("f1", "app.help", "Help", show=False),
    ]

    @property
    def station(self) -> StationHost:
        return cast(StationHost, self.app)

    def expected_scan(self) -> str | None:
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)
