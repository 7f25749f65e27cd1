"""The packer's home: scan a tote (or an order's barcode) to open the order to pack."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Static

from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.pack_desk import PackDesk
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

PROMPT = "Scan a tote, or an order's barcode"


class PackHomeScreen(StationScreen[None]):
    """The base of the packer mode: every order starts and ends here."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f4", "stock", "Stock")]

    def __init__(self, services: StationServices, person: Person) -> None:
        super().__init__()
        self.desk: PackDesk | None = services.pack_desk(person)
        self.person = person
        self.opening = False

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(
            f"Hello {self.person.first_name}. {PROMPT} to pack its order.", id="home-hello"
        )
        yield Static("", id="pack-totes")
        yield ScanFeedback(PROMPT, id="feedback")
        yield ScanPrompt(PROMPT)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = ""
        self.refresh_totes()

    def on_screen_resume(self) -> None:
        self.station.task_label = ""
        self.refresh_totes()

    def refresh_totes(self) -> None:
        totes = self.desk.totes_to_pack() if self.desk is not None else []
        if totes:
            listed = "\n".join(f"  {tote}  order {reference}" for tote, reference in totes[:8])
            more = f"\n  … and {len(totes) - 8} more" if len(totes) > 8 else ""
            text = Content.assemble(
                ("Totes picked at this station for packing:\n", "bold"), listed + more
            )
        else:
            text = Content("No tote picked at this station waits: scan the tote in front of you.")
        self.query_one("#pack-totes", Static).update(text)

    def action_stock(self) -> None:
        from toteflow.station.tui.screens.stock_inquiry import open_stock_inquiry

        open_stock_inquiry(self.app, self.services, self.person)

    def expected_scan(self) -> str | None:
        totes = self.desk.totes_to_pack() if self.desk is not None else []
        return totes[0][0] if totes else None

    def on_scan_received(self, message: ScanReceived) -> None:
        if self.desk is None:
            self.signal(False, "NO PACKING HERE", "this station has no packing set up")
        elif self.opening:
            self.signal(False, "WAIT", "still opening the last order")
        else:
            self.opening = True
            # The next scan (the first item) waits for the order's screen.
            self._open(message.raw, message.keep())

    @work(exclusive=True, group="open-order")
    async def _open(self, raw: str, done: Callable[[], None]) -> None:
        try:
            await self._open_order(raw)
        finally:
            self.opening = False
            done()

    async def _open_order(self, raw: str) -> None:
        assert self.desk is not None
        self.query_one(ScanFeedback).idle(f"Asking the server for {raw.strip()}…")
        outcome = await self.desk.open(raw)
        if not outcome.ok:
            self.signal(False, outcome.headline, outcome.detail)
            return
        self.query_one(ScanFeedback).idle(PROMPT)
        from toteflow.station.tui.screens.pack_order import PackOrderScreen

        self.app.push_screen(PackOrderScreen(self.desk, outcome))
