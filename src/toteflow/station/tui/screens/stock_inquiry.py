"""Stock inquiry: scan a location, an item or a plate and see what is there, or where it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.stock_inquiry import StockAnswer, StockInquiry
from toteflow.station.services.stock_move import HandMoveDesk
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

COLUMNS = ("Location", "SKU", "Description", "Lot", "Expiry", "Plate", "Qty", "Res")


def open_stock_inquiry(app: App[Any], services: StationServices, person: Person) -> None:
    """The stock inquiry over whatever screen is up: one call for every role's home (F4)."""
    app.push_screen(StockInquiryScreen(services.stock_inquiry(person), services.hand_move(person)))


class StockInquiryScreen(StationScreen[None]):
    """Each scan answers: a location's contents, an item's locations, a plate's whereabouts."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back"),
        Binding("f2", "move", "Move stock"),
    ]

    def __init__(self, inquiry: StockInquiry, mover: HandMoveDesk) -> None:
        super().__init__()
        self.inquiry = inquiry
        self.mover = mover
        self.asking = False
        self.answer: StockAnswer | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("STOCK INQUIRY", id="receive-heading")
        yield Static("Scan a location, an item or a plate.", id="stock-headline")
        yield Static("", id="stock-source")
        table: DataTable[str] = DataTable(id="stock-lines", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield ScanFeedback(self.inquiry.prompt(), id="feedback")
        yield ScanPrompt(self.inquiry.prompt())
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = "stock"

    def expected_scan(self) -> str | None:
        return None if self.asking else self.inquiry.demo_scan(self.answer)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only a role that may move stock is offered the move.
        return self.mover.allowed if action == "move" else True

    def on_scan_received(self, message: ScanReceived) -> None:
        if self.asking:
            self.signal(False, "WAIT", "still asking about the last scan")
            return
        self.asking = True
        self._ask(message.raw, message.keep())

    @work(exclusive=True, group="stock")
    async def _ask(self, raw: str, done: Callable[[], None]) -> None:
        try:
            self.query_one(ScanFeedback).idle("Looking it up…")
            self.show(await self.inquiry.ask(raw))
        finally:
            self.asking = False
            done()

    def show(self, answer: StockAnswer) -> None:
        table = self.query_one("#stock-lines", DataTable)
        if not answer.ok:
            self.signal(False, answer.headline, answer.detail)
            return
        self.answer = answer
        table.clear()
        for p in answer.lines:
            table.add_row(
                p.location,
                p.sku,
                p.description[:18],
                p.lot,
                p.expiry.isoformat() if p.expiry else "",
                ", ".join(p.plates),
                str(p.quantity),
                str(p.reserved),
            )
        self.query_one("#stock-headline", Static).update(f"{answer.headline} · {answer.detail}")
        source = self.query_one("#stock-source", Static)
        source.update(answer.cached.upper() if answer.cached else "")
        source.set_class(bool(answer.cached), "-warning")
        self.signal(True, answer.headline, answer.cached or answer.detail)

    def action_move(self) -> None:
        from toteflow.station.tui.screens.stock_move import StockMoveScreen

        self.app.push_screen(StockMoveScreen(self.mover))

    def action_leave(self) -> None:
        self.app.pop_screen()
