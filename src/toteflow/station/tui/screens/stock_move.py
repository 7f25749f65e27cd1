"""Move stock by hand: scan the source, the item (each scan adds) or a plate, the destination."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from toteflow.domain.stock_moves import MOST_UNITS
from toteflow.station.services.stock_move import HandMoveDesk, MoveOutcome
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationDialog, StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


class StockMoveScreen(StationScreen[None]):
    """One move at a time; a refusal says why and changes nothing."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back"),
        Binding("f3", "quantity", "Quantity"),
        Binding("f4", "again", "Start again"),
    ]

    def __init__(self, desk: HandMoveDesk) -> None:
        super().__init__()
        self.desk = desk
        self.busy = False

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("MOVE STOCK", id="receive-heading")
        yield Static("", id="move-holding")
        yield ScanFeedback(self.desk.prompt(), id="feedback")
        yield ScanPrompt(self.desk.prompt())
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = "move stock"
        self.render_move()

    def render_move(self) -> None:
        self.query_one("#move-holding", Static).update(self.desk.holding())
        prompt = self.query_one(ScanPrompt)
        if prompt.hint != self.desk.prompt():
            prompt.hint = self.desk.prompt()
            prompt.refresh()

    def expected_scan(self) -> str | None:
        return None if self.busy else self.desk.demo_scan()

    def on_scan_received(self, message: ScanReceived) -> None:
        if self.busy:
            self.signal(False, "WAIT", "still working the last scan")
            return
        self.busy = True
        self._scan(message.raw, message.keep())

    @work(exclusive=True, group="move")
    async def _scan(self, raw: str, done: Callable[[], None]) -> None:
        try:
            self.after(await self.desk.scan(raw))
        finally:
            self.busy = False
            done()

    def after(self, outcome: MoveOutcome) -> None:
        self.render_move()
        self.signal(outcome.ok, outcome.headline, outcome.detail)

    def action_quantity(self) -> None:
        if self.desk.sku is None:
            self.after(MoveOutcome(False, "ITEM FIRST", self.desk.prompt()))
            return
        self.app.push_screen(MoveQuantityDialog(self.desk.units), self._typed)

    def _typed(self, units: int | None) -> None:
        if units is not None:
            self.after(self.desk.set_quantity(units))

    def action_again(self) -> None:
        self.desk.reset()
        self.after(MoveOutcome(True, "START AGAIN", self.desk.prompt()))

    def action_leave(self) -> None:
        self.app.pop_screen()


class MoveQuantityDialog(StationDialog):
    """How many units move: one number and Enter; Escape keeps the count the scans made."""

    def __init__(self, units: int) -> None:
        super().__init__()
        self.units = units

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("QUANTITY", classes="dialog-title")
            yield Static(f"How many units move? 1 to {MOST_UNITS:,}.", classes="dialog-text")
            yield Input(str(max(1, self.units)), type="integer", id="move-quantity")
            yield Static("", id="quantity-error", classes="dialog-error")

    def on_mount(self) -> None:
        field = self.query_one("#move-quantity", Input)
        field.cursor_blink = False
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#move-quantity")
    def _entered(self, event: Input.Submitted) -> None:
        try:
            units = int(event.value.strip())
        except ValueError:
            units = 0
        if not 1 <= units <= MOST_UNITS:
            self.query_one("#quantity-error", Static).update(
                f"Type a number from 1 to {MOST_UNITS:,}"
            )
            return
        self.dismiss(units)
