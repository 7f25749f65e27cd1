"""The receiver's home: scan a notice, a pallet's SSCC or a dock to start (or resume) a receipt."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Static

from toteflow.station.ports.store import SyncStatus
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.receiving import HOME_PROMPT, ReceiveOutcome, ReceivingDesk
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

SHOWN_NOTICES = 8


class ReceiveHomeScreen(StationScreen[None]):
    """The base of the receiver mode: every receipt starts here and comes back here."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f3", "putaway", "Put away"),
        Binding("f4", "stock", "Stock"),
        Binding("f5", "refresh", "Refresh"),
        Binding("f8", "refusals", "To resolve"),
        # Only where the site lets anyone count ([counts] anyone_may_count).
        Binding("f7", "count", "Count"),
    ]

    def __init__(self, services: StationServices, person: Person) -> None:
        super().__init__()
        self.desk: ReceivingDesk = services.receiving_desk(person)
        self.person = person
        self._cursor: int | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(f"Hello {self.person.first_name}. {HOME_PROMPT}.", id="home-hello")
        yield Static("", id="receive-notices")
        yield ScanFeedback(HOME_PROMPT, id="feedback")
        yield ScanPrompt(HOME_PROMPT)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = ""
        self.refresh_notices()
        self._policy()
        status = self.station.sync_status
        self._cursor = status.cursor if status is not None else None
        self.watch(self.app, "sync_status", self._sync_changed, init=False)

    def _sync_changed(self, status: SyncStatus | None) -> None:
        # New notices from the change feed: list them, and fetch their products and docks.
        if status is None or status.cursor == self._cursor:
            return
        self._cursor = status.cursor
        self.refresh_notices()
        self._policy()

    def on_screen_resume(self) -> None:
        self.station.task_label = ""
        self.refresh_notices()

    def action_putaway(self) -> None:
        from toteflow.station.tui.screens.putaway import PutawayScreen

        self.app.push_screen(PutawayScreen(self.services.putaway_desk(self.person)))

    def action_stock(self) -> None:
        from toteflow.station.tui.screens.stock_inquiry import open_stock_inquiry

        open_stock_inquiry(self.app, self.services, self.person)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.services.anyone_may_count if action == "count" else True

    def action_count(self) -> None:
        from toteflow.station.tui.screens.count_home import CountHomeScreen

        self.app.push_screen(CountHomeScreen(self.services, self.person))

    def action_refusals(self) -> None:
        # Receipts the server refused (a case already received elsewhere, a closed notice).
        from toteflow.station.tui.screens.station_exceptions import StationExceptionsScreen

        self.app.push_screen(StationExceptionsScreen(self.services.refusals(self.person)))

    def action_refresh(self) -> None:
        self.refresh_notices()
        self._policy()

    @work(exclusive=True, group="receiving-policy")
    async def _policy(self) -> None:
        words = await self.desk.refresh_policy()
        if words:
            self.query_one(ScanFeedback).idle(f"{HOME_PROMPT} ({words})")

    def refresh_notices(self) -> None:
        notices = self.desk.open_notices()
        if not notices:
            # Said the same before the first notice arrives and after the last one is closed.
            text = Content(
                "No open notice for this station: scan a notice's paper to receive against it."
            )
        else:
            rows = [
                f"  {n.reference:<16} {n.supplier.name[:22]:<22} {n.expected_on.isoformat()}"
                f"  {n.dock or 'any dock':<10} {len(n.lines)} lines"
                for n in notices[:SHOWN_NOTICES]
            ]
            more = len(notices) - SHOWN_NOTICES
            if more > 0:
                rows.append(f"  … and {more} more")
            text = Content.assemble(("Notices expected:\n", "bold"), "\n".join(rows))
        self.query_one("#receive-notices", Static).update(text)

    def expected_scan(self) -> str | None:
        notices = self.desk.open_notices()
        return notices[0].reference if notices else None

    async def on_scan_received(self, message: ScanReceived) -> None:
        """Open the receipt off the event loop (it commits); the next scan waits for its screen."""
        outcome = await asyncio.to_thread(self.desk.open, message.raw)
        self.after(outcome)

    def after(self, outcome: ReceiveOutcome) -> None:
        if not outcome.opened:
            self.signal(outcome.ok, outcome.headline, outcome.detail)
            return
        self.query_one(ScanFeedback).idle(HOME_PROMPT)
        from toteflow.station.tui.screens.receiving import ReceivingScreen

        self.app.push_screen(ReceivingScreen(self.desk, outcome), self._back)

    def _back(self, outcome: ReceiveOutcome | None) -> None:
        if outcome is not None:
            self.signal(outcome.ok, outcome.headline, outcome.detail)
