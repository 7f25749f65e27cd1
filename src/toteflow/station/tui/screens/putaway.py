"""The put-away walk: a plate scanned, its location and the way there, the location scanned."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.domain.putaway import ElsewhereReason
from toteflow.station.services.putaway import PutawayDesk, PutawayOutcome
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationDialog, StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


class PutawayScreen(StationScreen[None]):
    """One plate at a time: scan it, walk to the location shown, scan the location."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Back")]

    def __init__(self, desk: PutawayDesk) -> None:
        super().__init__()
        self.desk = desk
        self.asking = False

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("PUT AWAY", id="receive-heading")
        yield Static("", id="putaway-where")
        yield Static("", id="putaway-route")
        yield ScanFeedback(self.desk.prompt(), id="feedback")
        yield ScanPrompt(self.desk.prompt())
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = "put-away"
        self.render_plan()

    def render_plan(self) -> None:
        leg, plan = self.desk.leg(), self.desk.plan
        where = self.query_one("#putaway-where", Static)
        if leg is None or plan is None:
            where.update(Content("Scan a plate to put away."))
        else:
            where.update(
                Content.assemble(
                    (f"{leg.location}\n", "bold reverse"),
                    f"plate {plan.plate} · {plan.sku} · {leg.quantity} units\n{leg.reason}",
                )
            )
        self.query_one("#putaway-route", Static).update(self.desk.route())
        prompt = self.query_one(ScanPrompt)
        if prompt.hint != self.desk.prompt():
            prompt.hint = self.desk.prompt()
            prompt.refresh()

    def expected_scan(self) -> str | None:
        # A suggestion being asked for: the location comes once it is shown.
        return None if self.asking else self.desk.expected_scan()

    def on_scan_received(self, message: ScanReceived) -> None:
        if self.asking:
            self.signal(False, "WAIT", "still asking the server about the last plate")
        elif self.desk.plan is None:
            self.asking = True
            # The next scan (the location) waits until the suggestion is shown.
            self._suggest(message.raw, message.keep())
        else:
            self._location(message.raw, message.keep())

    @work(exclusive=True, group="putaway")
    async def _suggest(self, raw: str, done: Callable[[], None]) -> None:
        try:
            self.query_one(ScanFeedback).idle("Asking the server where it goes…")
            self.after(await self.desk.suggest(raw))
        finally:
            self.asking = False
            done()

    @work(exclusive=True, group="putaway")
    async def _location(self, raw: str, done: Callable[[], None]) -> None:
        try:
            self.after(await asyncio.to_thread(self.desk.scan_location, raw))
        finally:
            done()

    def after(self, outcome: PutawayOutcome) -> None:
        self.render_plan()
        self.signal(outcome.ok, outcome.headline, outcome.detail)
        if outcome.reason:
            self.app.push_screen(ElsewhereDialog(), self._reason)

    def _reason(self, reason: str | None) -> None:
        self.after(self.desk.confirm_elsewhere(reason) if reason else self.desk.cancel_elsewhere())

    def action_leave(self) -> None:
        self.app.pop_screen()


class ElsewhereDialog(StationDialog):
    """Why the plate went to another location than suggested (arrows, Enter)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back (not there)")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-warning"):
            yield Static("ANOTHER LOCATION", classes="dialog-title")
            yield Static("Why not the suggested one? (arrows, then Enter)", classes="dialog-text")
            yield OptionList(
                *(Option(r.value.replace("_", " "), id=r.value) for r in ElsewhereReason),
                id="elsewhere-why",
            )

    def on_mount(self) -> None:
        reasons = self.query_one("#elsewhere-why", OptionList)
        reasons.highlighted = 0
        reasons.focus()

    @on(OptionList.OptionSelected, "#elsewhere-why")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
