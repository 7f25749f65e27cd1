"""The counter's home: the open counts (blind: where and why, never how many); scan a
location to count it."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Static

from toteflow.station.services.bundle import StationServices
from toteflow.station.services.counting import CountDesk, CountOutcome
from toteflow.station.services.login import Person
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

SHOWN = 10


class CountHomeScreen(StationScreen[None]):
    """The base of the counter mode: every count starts here and comes back here."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "refresh", "Refresh"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, services: StationServices, person: Person) -> None:
        super().__init__()
        self.desk: CountDesk = services.count_desk(person)
        self.person = person
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(f"Hello {self.person.first_name}. {self.desk.prompt()}.", id="home-hello")
        yield Static("", id="count-list")
        yield ScanFeedback(self.desk.prompt(), id="feedback")
        yield ScanPrompt(self.desk.prompt())
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = ""
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.station.task_label = ""
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Back only where counting was opened from another home (anyone may count).
        return len(self.app.screen_stack) > 1 if action == "leave" else True

    def action_leave(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_refresh(self) -> None:
        self._refresh()

    @work(exclusive=True, group="count-list")
    async def _refresh(self) -> None:
        words = await self.desk.refresh()
        self.refreshes += 1
        self.show_counts(words)

    def show_counts(self, words: str = "") -> None:
        tasks = self.desk.tasks
        if not tasks:
            text = Content("No count is open for you.")
        else:
            rows = [
                f"  {t.location:<12} {t.zone or '':<10} "
                f"{'recount' if t.recount else t.reason.replace('_', ' ')}"
                for t in tasks[:SHOWN]
            ]
            if len(tasks) > SHOWN:
                rows.append(f"  … and {len(tasks) - SHOWN} more")
            text = Content.assemble(("Locations to count:\n", "bold"), "\n".join(rows))
        if words:
            text = Content.assemble(text, "\n", (words, "italic"))
        self.query_one("#count-list", Static).update(text)

    def expected_scan(self) -> str | None:
        return self.desk.expected_scan()

    async def on_scan_received(self, message: ScanReceived) -> None:
        outcome = await asyncio.to_thread(self.desk.scan, message.raw)
        if self.desk.current is None:
            self.signal(outcome.ok, outcome.headline, outcome.detail)
            return
        self.query_one(ScanFeedback).idle(self.desk.prompt())
        from toteflow.station.tui.screens.counting import CountingScreen

        self.app.push_screen(CountingScreen(self.desk, outcome), self._back)

    def _back(self, outcome: CountOutcome | None) -> None:
        self.show_counts()
        if outcome is not None:
            self.signal(outcome.ok, outcome.headline, outcome.detail)
