"""The receiver's dialogs: damaged units and why, a short line closed, a supervisor's badge."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.domain.receipt_lines import DamageReason, ShortReason
from toteflow.domain.scan import BadgeScan, ScanError, label_name
from toteflow.station.services.receiving import LineRow, ReceivingDesk
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationDialog
from toteflow.station.tui.screens.choice_reason import ChoiceThenReasonDialog


def _words(reason: str) -> str:
    return reason.replace("_", " ")


class DamageDialog(StationDialog):
    """Why units are damaged (arrows, Enter), then how many; they go with the next case."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-warning"):
            yield Static("DAMAGED UNITS", classes="dialog-title")
            yield Static("What is wrong with them? (arrows, then Enter)", id="damage-ask")
            yield OptionList(
                *(Option(_words(r.value), id=r.value) for r in DamageReason), id="damage-why"
            )
            yield Input(id="damage-units", placeholder="units, then Enter", max_length=7)
            yield Static("", id="damage-error", classes="dialog-error")

    def on_mount(self) -> None:
        self.reason: str | None = None
        self.query_one("#damage-units").display = False
        reasons = self.query_one("#damage-why", OptionList)
        reasons.highlighted = 0
        reasons.focus()

    @on(OptionList.OptionSelected, "#damage-why")
    def _reason(self, event: OptionList.OptionSelected) -> None:
        self.reason = event.option.id
        self.query_one("#damage-why").display = False
        self.query_one("#damage-ask", Static).update(
            f"{_words(self.reason or '')}: how many units of the next case? (Enter)"
        )
        units = self.query_one("#damage-units", Input)
        units.display = True
        units.focus()

    @on(Input.Submitted, "#damage-units")
    def _units(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text.isdigit() or int(text) <= 0 or self.reason is None:
            self.query_one("#damage-error", Static).update("type a number of units from 1")
            return
        self.dismiss((self.reason, int(text)))


class CloseLineDialog(ChoiceThenReasonDialog):
    """Which short line to close (arrows, Enter), then why; Escape leaves it open."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back (leave open)")]

    def __init__(self, short: list[LineRow]) -> None:
        super().__init__(
            "CLOSE A SHORT LINE",
            "Which line? (arrows, then Enter)",
            [
                (
                    str(r.line_no),
                    f"line {r.line_no} {r.sku}: {r.received} of {r.expected}, {r.still_open} short",
                )
                for r in short
            ],
            [(r.value, _words(r.value)) for r in ShortReason],
            lambda line: f"Why is line {line} short?",
        )
        self.short = short

    def result(self, chosen: str, reason: str) -> object:
        return (int(chosen), reason)


class SupervisorDialog(StationDialog):
    """A quantity beyond the tolerance: a supervisor scans their badge (and types the PIN).

    Dismisses with the desk's outcome once the case is received; Escape sets it aside.
    """

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Set the case aside")]
    signals = 0
    """How many scans this dialog answered (tests wait on it, as on a screen's signals)."""

    def __init__(self, desk: ReceivingDesk) -> None:
        super().__init__()
        self.desk = desk
        self.badge: str | None = None
        self.asking = False

    def compose(self) -> ComposeResult:
        words = self.desk.waiting.words if self.desk.waiting else ""
        with Vertical(id="dialog", classes="-alert"):
            yield Static("SUPERVISOR", classes="dialog-title")
            yield Static(
                f"{words}.\nA supervisor scans their badge to approve.\n"
                "(Escape: the case is not received.)",
                id="supervisor-ask",
                classes="dialog-text",
            )
            yield Input(
                id="supervisor-pin", password=True, placeholder="PIN, then Enter", max_length=12
            )
            yield Static("", id="supervisor-error", classes="dialog-error")

    def on_mount(self) -> None:
        pin = self.query_one("#supervisor-pin", Input)
        pin.display = False
        pin.cursor_blink = False

    def on_scan_received(self, message: ScanReceived) -> None:
        if self.asking:
            self._say("still asking the server about the last badge")
            return
        scan = self.station.services.read_scan(message.raw)
        if isinstance(scan, ScanError):
            self._say(f"{scan.reason}: scan a supervisor's badge")
        elif not isinstance(scan, BadgeScan):
            self._say(f"that was a {label_name(scan)}: scan a supervisor's badge")
        elif self.desk.login.pin_required:
            self.badge = scan.code
            self._say(f"badge {scan.code}: the supervisor types their PIN", bad=False)
            pin = self.query_one("#supervisor-pin", Input)
            pin.value = ""
            pin.display = True
            pin.focus()
        else:
            self._ask(scan.code, None)

    @on(Input.Submitted, "#supervisor-pin")
    def _pin(self, event: Input.Submitted) -> None:
        if self.badge is not None and not self.asking:
            self._ask(self.badge, event.value.strip())

    @work(exclusive=True, group="receiving-approval")
    async def _ask(self, badge: str, pin: str | None) -> None:
        self.asking = True
        self.query_one("#supervisor-error", Static).update(f"checking badge {badge}…")
        try:
            outcome = await self.desk.approve(badge, pin)
        finally:
            self.asking = False
        if outcome.ok:
            self.signals += 1
            self.dismiss(outcome)
            return
        self.query_one("#supervisor-pin", Input).value = ""
        self._say(outcome.detail)

    def _say(self, text: str, *, bad: bool = True) -> None:
        self.signals += 1
        self.query_one("#supervisor-error", Static).update(text)
        if bad:
            self.app.bell()
