"""The replenisher's screen: open replenishments listed; one worked source, plate or items, face."""

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

from toteflow.station.ports.store import SyncStatus
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.replenish import HOME_PROMPT, ReplenDesk, ReplenOutcome
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationDialog, StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

SHOWN = 8


class ReplenishScreen(StationScreen[None]):
    """The replenisher's home (or a picker's, by F6): every replenishment starts here."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "start", "Start first"),
        Binding("f3", "count", "Type count"),
        Binding("f4", "stock", "Stock"),
        Binding("f7", "short", "Source short"),
        Binding("f5", "refresh", "Refresh"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, services: StationServices, person: Person, *, home: bool = False) -> None:
        super().__init__()
        self.desk: ReplenDesk = services.replen_desk(person)
        self.person = person
        self.home = home
        self._cursor: int | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(f"Hello {self.person.first_name}. REPLENISH", id="replen-heading")
        yield Static("", id="replen-job")
        yield Static("", id="replen-list")
        yield ScanFeedback(HOME_PROMPT, id="feedback")
        yield ScanPrompt(HOME_PROMPT)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = "replenish"
        self.render_jobs()
        status = self.station.sync_status
        self._cursor = status.cursor if status is not None else None
        self.watch(self.app, "sync_status", self._sync_changed, init=False)

    def _sync_changed(self, status: SyncStatus | None) -> None:
        # New or re-sourced replenishments from the change feed.
        if status is None or status.cursor == self._cursor:
            return
        self._cursor = status.cursor
        self.render_jobs()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        working = self.desk.job is not None
        if action == "start":
            return not working
        if action in ("count", "short"):
            return (
                working
                and self.desk.at_source
                and self.desk.job is not None
                and (self.desk.job.step == "")
            )
        if action == "leave":
            return not self.home
        return True

    def render_jobs(self) -> None:
        job = self.desk.job
        where = self.query_one("#replen-job", Static)
        if job is None:
            where.update(Content("Scan a source location below, or F2 for the first."))
        else:
            target = job.location if job.step == "taken" else job.source
            what = f"plate {job.plate}" if job.plate else f"{job.quantity} × {job.sku}"
            where.update(
                Content.assemble(
                    (f"{target}\n", "bold reverse"),
                    f"{what} · {job.description[:40]} · from {job.source} to {job.location}",
                )
            )
        jobs = self.desk.jobs()
        if not jobs:
            listing = Content("No replenishment is open.")
        else:
            rows = [
                f"  {j.source:<10} → {j.location:<10} {j.sku[:16]:<16} {j.quantity:>6}"
                + ("  (wave)" if j.before_task_id else "")
                + ("  taken" if j.step == "taken" else "")
                for j in jobs[:SHOWN]
            ]
            if len(jobs) > SHOWN:
                rows.append(f"  … and {len(jobs) - SHOWN} more")
            listing = Content.assemble(("Open replenishments:\n", "bold"), "\n".join(rows))
        self.query_one("#replen-list", Static).update(listing)
        prompt = self.query_one(ScanPrompt)
        if prompt.hint != self.desk.prompt():
            prompt.hint = self.desk.prompt()
            prompt.refresh()
        self.refresh_bindings()

    def expected_scan(self) -> str | None:
        return self.desk.expected_scan()

    def on_scan_received(self, message: ScanReceived) -> None:
        self._scan(message.raw, message.keep())

    @work(exclusive=True, group="replenish")
    async def _scan(self, raw: str, done: Callable[[], None]) -> None:
        try:
            self.after(await asyncio.to_thread(self.desk.scan, raw))
        finally:
            done()

    def after(self, outcome: ReplenOutcome) -> None:
        self.render_jobs()
        self.signal(outcome.ok, outcome.headline, outcome.detail)

    def action_start(self) -> None:
        self.after(self.desk.start())

    def action_refresh(self) -> None:
        self.render_jobs()

    def action_short(self) -> None:
        self.after(self.desk.short())

    def action_count(self) -> None:
        job = self.desk.job
        if job is not None:
            self.app.push_screen(CountDialog(job.sku, job.quantity), self._counted)

    def _counted(self, units: int | None) -> None:
        if units is not None:
            self.after(self.desk.count(units))

    def action_stock(self) -> None:
        from toteflow.station.tui.screens.stock_inquiry import open_stock_inquiry

        open_stock_inquiry(self.app, self.services, self.person)

    def action_leave(self) -> None:
        if not self.home:
            self.app.pop_screen()


class CountDialog(StationDialog):
    """The units taken from the source, typed: 0 (nothing there) to the quantity asked."""

    def __init__(self, sku: str, quantity: int) -> None:
        super().__init__()
        self.sku, self.quantity = sku, quantity

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("COUNT", classes="dialog-title")
            yield Static(
                f"How many {self.sku} are you taking? 0 to {self.quantity} "
                "(fewer: the source is short).",
                classes="dialog-text",
            )
            yield Input(str(self.quantity), type="integer", id="replen-count")
            yield Static("", id="count-error", classes="dialog-error")

    def on_mount(self) -> None:
        field = self.query_one("#replen-count", Input)
        field.cursor_blink = False
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#replen-count")
    def _entered(self, event: Input.Submitted) -> None:
        try:
            units = int(event.value.strip())
        except ValueError:
            units = -1
        if not 0 <= units <= self.quantity:
            self.query_one("#count-error", Static).update(
                f"Type a number from 0 to {self.quantity}"
            )
            return
        self.dismiss(units)
