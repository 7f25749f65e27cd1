"""Refused events and cancelled orders' picked units at the station: a person puts units back
or sees to it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.station.services.refusals import Refusal, RefusalDesk, Resolved, Waiting
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


def refusal_words(refusal: Refusal) -> Content:
    """Three lines: what was refused, the server's reason, what to do now."""
    return Content.assemble(
        (refusal.headline, "bold"),
        "\n",
        ("why: ", "dim"),
        refusal.reason,
        "\n",
        ("do: ", "dim"),
        (refusal.to_do, "bold"),
    )


class StationExceptionsScreen(StationScreen[None]):
    """The station's refused events, oldest first; the highlighted one is the one resolved."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "seen_to", "Seen to"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, desk: RefusalDesk) -> None:
        super().__init__()
        self.desk = desk
        self.refusals: list[Refusal] = []

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="refused-title")
        yield OptionList(id="refused-list")
        yield ScanFeedback("", id="feedback")
        yield ScanPrompt("Scan the shelf where you put the units back · F2: seen to · Esc: back")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self, keep: int | None = None) -> None:
        """Re-read the open refusals; the highlight stays on the same row number."""
        self.refusals = self.desk.open()
        options = self.query_one("#refused-list", OptionList)
        options.clear_options()
        options.add_options([Option(refusal_words(r), id=str(r.id)) for r in self.refusals])
        title = self.query_one("#refused-title", Static)
        feedback = self.query_one(ScanFeedback)
        if not self.refusals:
            title.update("Nothing to resolve here: no refused events, nothing to put back")
            feedback.idle("Esc: back")
            options.display = False
            return
        options.display = True
        options.highlighted = min(keep or 0, len(self.refusals) - 1)
        options.focus()
        put_backs = sum(1 for r in self.refusals if r.cancelled)
        waiting = Waiting(refused=len(self.refusals) - put_backs, put_backs=put_backs)
        title.update(f"To resolve at this station: {waiting.words}")
        feedback.idle(self.refusals[options.highlighted].to_do)

    def expected_scan(self) -> str | None:
        # The demo key puts the units back where they were taken from.
        chosen = self.selected()
        return chosen.taken_from or None if chosen is not None and chosen.units else None

    def selected(self) -> Refusal | None:
        options = self.query_one("#refused-list", OptionList)
        if not self.refusals or options.highlighted is None:
            return None
        return self.refusals[min(options.highlighted, len(self.refusals) - 1)]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.query_one(ScanFeedback).idle(chosen.to_do)

    def _answer(self, answer: Resolved) -> None:
        options = self.query_one("#refused-list", OptionList)
        if answer.ok:
            self.reload(keep=options.highlighted)
        self.signal(answer.ok, answer.headline, answer.detail)

    def on_scan_received(self, message: ScanReceived) -> None:
        chosen = self.selected()
        if chosen is None:
            self.signal(False, "NOTHING TO RESOLVE", "press Esc to go back")
            return
        self._answer(self.desk.put_back(chosen.id, self.services.read_scan(message.raw)))

    def action_seen_to(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.signal(False, "NOTHING TO RESOLVE", "press Esc to go back")
            return
        self._answer(self.desk.seen_to(chosen.id))

    def action_back(self) -> None:
        self.app.pop_screen()
