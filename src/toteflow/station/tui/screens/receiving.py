"""Receiving a notice: pallets whole or case by case, damage, short lines, plates, the finish."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Static

from toteflow.station.services.receiving import LineRow, ReceiveOutcome, ReceivingDesk
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

# 80 columns: line, SKU, lot, then the three numbers a receiver looks for.
HEADER = f"{'LINE':<5}{'SKU':<16}{'LOT':<12}{'EXPECTED':>9}{'RECEIVED':>9}{'OPEN':>7}  "
SHOWN_LINES = 9


def _row(row: LineRow) -> Content:
    text = f"{row.line_no:<5}{row.sku[:15]:<16}{(row.lot or '-')[:11]:<12}"
    numbers = f"{row.expected:>9}{row.received:>9}"
    if row.closed:
        state, style = f"{'-':>7}  closed {(row.short_reason or '').replace('_', ' ')}", "dim"
    elif row.still_open:
        state, style = f"{row.still_open:>7}", "bold"
    else:
        state, style = f"{0:>7}  done" + (f", {row.over} over" if row.over else ""), "bold green"
    damaged = f"  {row.damaged} damaged" if row.damaged else ""
    held = f"  {row.held} held" if row.held else ""
    return Content.assemble(text, numbers, (state, style), (damaged, "bold red"), (held, "bold"))


class ReceivingScreen(StationScreen[ReceiveOutcome | None]):
    """One receipt: each scan is a pallet or case label; keys for what a scan cannot say."""

    ACCEPTS_SCANS = True
    # 80 columns hold the footer's first four and F1/F9; F1 lists the rest too.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f4", "break_pallet", "Break pallet"),
        Binding("f5", "damage", "Damaged"),
        Binding("f6", "close_line", "Short line"),
        Binding("f10", "finish", "Finish"),
        Binding("f7", "new_plate", "New plate", show=False),
        Binding("f8", "reprint", "Reprint label", show=False),
        Binding("escape", "leave", "Back", show=False),
    ]

    def __init__(self, desk: ReceivingDesk, outcome: ReceiveOutcome | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.first_outcome = outcome
        self._busy = False

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="receive-heading")
        yield Static("", id="receive-lines")
        yield Static("", id="receive-plates")
        yield Static("", id="receive-damage")
        yield ScanFeedback(self.desk.prompt(), id="feedback")
        yield ScanPrompt(self.desk.prompt())
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.render_receipt()
        if self.first_outcome is not None:
            self.show(self.first_outcome)
        # Another station's receipts (and the server's plates) arrive with the sync.
        self.watch(self.app, "sync_status", self._synced, init=False)

    def _synced(self, _status: object) -> None:
        # A scan being worked on its thread renders when it is done; a covered screen waits.
        if not self._busy and self.app.screen is self:
            self.render_receipt()

    def render_receipt(self) -> None:
        notice = self.desk.notice
        self.station.task_label = f"receiving {notice.reference}" if notice else "receiving"
        self.query_one("#receive-heading", Static).update(
            Content.assemble((self.desk.heading(), "bold"))
        )
        rows = self.desk.lines()
        if rows:
            shown = [_row(row) for row in rows[:SHOWN_LINES]]
            if len(rows) > SHOWN_LINES:
                shown.append(Content(f"… and {len(rows) - SHOWN_LINES} more lines"))
            table = Content("\n").join([Content.assemble((HEADER, "bold reverse")), *shown])
        else:
            table = Content("No notice: every case is received as scanned (blind receipt).")
        self.query_one("#receive-lines", Static).update(table)
        # One row at 80 columns: the newest of the server's plates, and how many more.
        plates = self.desk.server_plates()
        more = f" (+{len(plates) - 1} more)" if len(plates) > 1 else ""
        self.query_one("#receive-plates", Static).update(
            Content.assemble(("Server plate ", "bold"), plates[0][: 66 - len(more)], more)
            if plates
            else Content("")
        )
        damage = self.desk.damage_words()
        self.query_one("#receive-damage", Static).update(
            Content.assemble((f"Next case has damaged units: {damage}", "bold red"))
            if damage
            else Content("")
        )
        prompt = self.query_one(ScanPrompt)
        if prompt.hint != self.desk.prompt():
            prompt.hint = self.desk.prompt()
            prompt.refresh()

    def expected_scan(self) -> str | None:
        # The desk is being changed on the worker thread: ask again once the scan is done.
        return None if self._busy else self.desk.expected_scan()

    def show(self, outcome: ReceiveOutcome) -> None:
        self.signal(outcome.ok, outcome.headline, outcome.detail)
        if outcome.supervisor:
            from toteflow.station.tui.screens.receive_dialogs import SupervisorDialog

            self.app.push_screen(SupervisorDialog(self.desk), self._approved)

    async def on_scan_received(self, message: ScanReceived) -> None:
        """Work one scan on a thread (it commits); the next one waits until it is shown."""
        self._busy = True
        try:
            outcome = await asyncio.to_thread(self.desk.scan, message.raw)
        finally:
            self._busy = False
        self.after(outcome)

    def after(self, outcome: ReceiveOutcome) -> None:
        if outcome.finished:
            self.dismiss(outcome)  # the home says it, once it is back
            return
        self.render_receipt()
        self.show(outcome)

    def _approved(self, outcome: ReceiveOutcome | None) -> None:
        self.after(outcome if outcome is not None else self.desk.set_aside())

    # -- keys ----------------------------------------------------------------------------

    def action_break_pallet(self) -> None:
        self.after(self.desk.toggle_break())

    def action_damage(self) -> None:
        from toteflow.station.tui.screens.receive_dialogs import DamageDialog

        def chosen(answer: tuple[str, int] | None) -> None:
            if answer is not None:
                self.after(self.desk.add_damage(*answer))

        self.app.push_screen(DamageDialog(), chosen)

    def action_close_line(self) -> None:
        short = [row for row in self.desk.lines() if row.still_open]
        if not short:
            self.after(ReceiveOutcome(False, "NO SHORT LINE", "every line is received or closed"))
            return
        from toteflow.station.tui.screens.receive_dialogs import CloseLineDialog

        def chosen(answer: tuple[int, str] | None) -> None:
            if answer is not None:
                self.after(self.desk.close_line(*answer))

        self.app.push_screen(CloseLineDialog(short), chosen)

    def action_new_plate(self) -> None:
        self.after(self.desk.new_plate())

    def action_reprint(self) -> None:
        self.after(self.desk.reprint())

    def action_finish(self) -> None:
        self.after(self.desk.finish())

    def action_leave(self) -> None:
        # A case read half-way is dropped first; the next Escape goes home.
        dropped = self.desk.drop_reading()
        if dropped is not None:
            self.after(dropped)
            return
        self.desk.leave()
        self.dismiss(None)
