"""Counting one location: scan each item (or one and F4 a quantity), F10 when finished."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from toteflow.station.services.counting import CountDesk, CountOutcome
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationDialog, StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

SHOWN_LINES = 8


class CountingScreen(StationScreen[CountOutcome | None]):
    """What this counter counted so far (their own scans; the book is never here)."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f4", "quantity", "Quantity"),
        Binding("f10", "finish", "Finished"),
        Binding("escape", "leave", "Leave"),
    ]

    def __init__(self, desk: CountDesk, started: CountOutcome) -> None:
        super().__init__()
        self.desk = desk
        self.started = started

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="count-where")
        yield Static("", id="count-lines")
        yield ScanFeedback(self.desk.prompt(), id="feedback")
        yield ScanPrompt(self.desk.prompt())
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = "count"
        self.render_count()
        self.signal(self.started.ok, self.started.headline, self.started.detail)

    def render_count(self) -> None:
        task = self.desk.current
        where = self.query_one("#count-where", Static)
        if task is not None:
            why = "recount" if task.recount else task.reason.replace("_", " ")
            where.update(Content.assemble((f"COUNT {task.location}\n", "bold reverse"), why))
        lines = self.desk.counted()
        shown = [line.words() for line in lines[-SHOWN_LINES:]]
        if len(lines) > SHOWN_LINES:
            shown.insert(0, f"  … {len(lines) - SHOWN_LINES} more lines")
        text = "\n".join(shown) if shown else "Nothing counted yet."
        self.query_one("#count-lines", Static).update(text)
        prompt = self.query_one(ScanPrompt)
        if prompt.hint != self.desk.prompt():
            prompt.hint = self.desk.prompt()
            prompt.refresh()

    async def on_scan_received(self, message: ScanReceived) -> None:
        outcome = await asyncio.to_thread(self.desk.scan, message.raw)
        self.after(outcome)

    def after(self, outcome: CountOutcome) -> None:
        self.render_count()
        self.signal(outcome.ok, outcome.headline, outcome.detail)

    def action_quantity(self) -> None:
        if self.desk.last is None:
            self.signal(False, "SCAN FIRST", "scan one of the items, then F4")
            return
        line = self.desk.lines[self.desk.last[0]]
        self.app.push_screen(CountQuantityDialog(line.sku), self._quantity)

    def _quantity(self, quantity: int | None) -> None:
        if quantity is not None:
            self.after(self.desk.set_quantity(quantity))

    def action_finish(self) -> None:
        self._finish(self.station.hold_input(self).release)

    @work(exclusive=True, group="count-finish")
    async def _finish(self, done: Callable[[], None]) -> None:
        try:
            outcome = await asyncio.to_thread(self.desk.finish)
            if outcome.done:
                self.dismiss(outcome)
            else:
                self.after(outcome)
        finally:
            done()

    def action_leave(self) -> None:
        self.desk.leave()
        self.dismiss(CountOutcome(False, "NOT COUNTED", "left without finishing: still open"))


class CountQuantityDialog(StationDialog):
    """How many of what was just scanned (cases counted by one scan); Escape keeps one."""

    def __init__(self, sku: str) -> None:
        super().__init__()
        self.sku = sku

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("QUANTITY", classes="dialog-title")
            yield Static(
                f"How many of the {self.sku} just scanned are there? (1 to 100000)",
                classes="dialog-text",
            )
            yield Input("1", type="integer", id="count-quantity")
            yield Static("", id="count-quantity-error", classes="dialog-error")

    def on_mount(self) -> None:
        field = self.query_one("#count-quantity", Input)
        field.cursor_blink = False
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#count-quantity")
    def _entered(self, event: Input.Submitted) -> None:
        try:
            quantity = int(event.value.strip())
        except ValueError:
            quantity = 0
        if not 1 <= quantity <= 100_000:
            self.query_one("#count-quantity-error", Static).update("Type a number from 1 to 100000")
            return
        self.dismiss(quantity)
