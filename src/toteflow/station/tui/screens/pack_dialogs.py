"""The pack station's dialogs: an item short, a weight typed or accepted, a choice from a list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.domain.packing import WEIGHT_REASONS
from toteflow.domain.scan import BadgeScan, ScanError, label_name
from toteflow.station.services.pack_desk import SHORT_REASONS, PackOutcome, parse_kg
from toteflow.station.services.packing.views import LineView
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationDialog
from toteflow.station.tui.screens.choice_reason import ChoiceThenReasonDialog


class PackShortScreen(ChoiceThenReasonDialog):
    """Which item is missing (arrows, Enter), then why; every unit not checked is reported."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back (no short)")]

    def __init__(self, missing: list[LineView]) -> None:
        super().__init__(
            "ITEM MISSING",
            "Which item is not in the tote? (arrows, then Enter)",
            [(li.sku, f"{li.sku} {li.description}: {li.to_verify} not checked") for li in missing],
            list(SHORT_REASONS.items()),
            lambda sku: f"Why is {sku} missing?",
        )
        self.missing = missing


class PackWeightScreen(StationDialog):
    """No stable reading from a scale: the packer types the weight in kilograms."""

    def __init__(self, why: str, prefill_g: int | None = None) -> None:
        super().__init__()
        self.why = why
        self.prefill = "" if prefill_g is None else f"{prefill_g / 1000:.3f}"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("WEIGHT", classes="dialog-title")
            demo = (
                "\n(Demo: it starts at the expected weight; Enter takes it.)"
                if self.prefill
                else ""
            )
            yield Static(
                f"{self.why}\nType the box's weight in kg (e.g. 1.25) and Enter.{demo}",
                classes="dialog-text",
            )
            yield Input(self.prefill, id="pack-weight", placeholder="kg")
            yield Static("", id="pack-weight-error", classes="dialog-error")

    def on_mount(self) -> None:
        field = self.query_one("#pack-weight", Input)
        field.cursor_blink = False  # steady: easier to find under floor lighting
        field.focus()

    @on(Input.Submitted, "#pack-weight")
    def _entered(self, event: Input.Submitted) -> None:
        grams = parse_kg(event.value)
        if grams is None:
            self.query_one("#pack-weight-error", Static).update(
                "Type a weight in kg, more than 0 and up to 1000, such as 1.25"
            )
            return
        self.dismiss(grams)


class PackChoiceScreen(StationDialog):
    """One choice from a list (a carrier service, a printer): arrows and Enter."""

    def __init__(self, title: str, text: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.text, classes="dialog-text")
            yield OptionList(
                *(Option(words, id=key) for key, words in self.options), id="pack-choice"
            )

    def on_mount(self) -> None:
        options = self.query_one("#pack-choice", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#pack-choice")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


Approve = Callable[[str, str], Awaitable[PackOutcome]]


class PackWeightReasonScreen(StationDialog):
    """Why the weight stands though out of tolerance; further off, a supervisor's badge too.

    Dismisses with the reason's key, or (after a supervisor's badge scan approved it) with
    the desk's outcome; Escape accepts nothing.
    """

    ACCEPTS_SCANS = True
    signals = 0
    """How many scans this dialog answered (tests wait on it, as on a screen's signals)."""

    def __init__(self, approve: Approve | None = None) -> None:
        super().__init__()
        # None: a reason is enough. Otherwise it asks the server about the badge scanned.
        self.approve = approve
        self.reason: str | None = None
        self.asking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-warning"):
            yield Static("ACCEPT THE WEIGHT", classes="dialog-title")
            yield Static("Why is the box right as it is? (arrows, then Enter)", id="weight-ask")
            yield OptionList(
                *(Option(words, id=key) for key, words in WEIGHT_REASONS.items()),
                id="weight-why",
            )
            yield Static("", id="weight-error", classes="dialog-error")

    def on_mount(self) -> None:
        reasons = self.query_one("#weight-why", OptionList)
        reasons.highlighted = 0
        reasons.focus()

    @on(OptionList.OptionSelected, "#weight-why")
    def _reason_chosen(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        if self.approve is None:
            self.dismiss(event.option.id)
            return
        self.reason = event.option.id
        self.query_one("#weight-why").display = False
        self.query_one("#weight-ask", Static).update(
            f"Reason: {WEIGHT_REASONS[self.reason]}.\n"
            "That far off, a supervisor scans their badge to approve it.\n"
            "(Escape: the weight is not accepted.)"
        )

    def on_scan_received(self, message: ScanReceived) -> None:
        if self.approve is None or self.reason is None:
            self._say("choose the reason first (arrows, then Enter)")
            return
        if self.asking:
            self._say("still asking the server about the last badge")
            return
        scan = self.station.services.read_scan(message.raw)
        if isinstance(scan, ScanError):
            self._say(f"{scan.reason}: scan a supervisor's badge")
        elif not isinstance(scan, BadgeScan):
            self._say(f"that was a {label_name(scan)}: scan a supervisor's badge")
        else:
            self._ask(self.reason, scan.code)

    @work(exclusive=True, group="weight-approval")
    async def _ask(self, reason: str, badge: str) -> None:
        assert self.approve is not None
        self.asking = True
        self.query_one("#weight-error", Static).update(f"asking the server about badge {badge}…")
        try:
            outcome = await self.approve(reason, badge)
        finally:
            self.asking = False
        if outcome.ok:
            self.signals += 1
            self.dismiss(outcome)
        else:
            self._say(outcome.detail)

    def _say(self, text: str, *, bad: bool = True) -> None:
        self.signals += 1
        self.query_one("#weight-error", Static).update(text)
        if bad:
            self.app.bell()
