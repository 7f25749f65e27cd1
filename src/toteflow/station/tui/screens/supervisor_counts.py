"""Count variances waiting for a supervisor: a count chosen is approved or sent to a recount."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from toteflow.contracts import counts as cc
from toteflow.station.services.count_approvals import CountApprovals, count_cells, count_words
from toteflow.station.services.wave_console import WaveConsole
from toteflow.station.tui.screens.base import StationDialog
from toteflow.station.tui.screens.supervisor_base import (
    OFFLINE,
    SupervisorScreen,
    one_table_layout,
    refill,
    selected_key,
)

IDLE = "Choose a count and press Enter: approve it (the book takes it) or reject it (recount)"


class CountApprovalsScreen(SupervisorScreen):
    """Counts over the approval threshold after a recount; refreshed every few seconds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f5", "decide", "Approve/reject"),
    ]

    def __init__(self, console: WaveConsole, approvals: CountApprovals) -> None:
        super().__init__(console)
        self.approvals = approvals
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(
            id="count-approvals", cursor_type="row", zebra_stripes=True
        )
        table.add_columns("Count", "Location", "Zone", "Counted", "Book", "+/-", "Off", "Why")
        yield from one_table_layout("Counts to approve · reading…", table, IDLE)

    def on_mount(self) -> None:
        self.start_refreshing("count-approvals")

    def reload(self) -> None:
        self._reload()

    @work(exclusive=True, group="count-approvals")
    async def _reload(self) -> None:
        found = await self.ask(self.approvals.refresh(), "CANNOT READ THE COUNTS", background=True)
        title = self.query_one("#sup-title", Static)
        if found is None:
            if self.offline:
                title.update(f"Counts to approve · {OFFLINE}")
            return
        self.refreshes += 1
        refill(
            self.query_one("#count-approvals", DataTable),
            ((str(c.id), count_cells(c)) for c in found),
        )
        title.update(f"Counts to approve · {len(found)} waiting")

    @on(DataTable.RowSelected, "#count-approvals")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        view = self.approvals.counts.get(str(event.row_key.value))
        if view is not None:
            self._dialog(view)

    def action_decide(self) -> None:
        key = selected_key(self.query_one("#count-approvals", DataTable))
        view = self.approvals.counts.get(key) if key is not None else None
        if view is None:
            self.signal(False, "NO COUNT CHOSEN", "no count is waiting for approval")
            return
        self._dialog(view)

    def _dialog(self, view: cc.CountView) -> None:
        def then(answer: tuple[bool, str] | None) -> None:
            if answer is not None:
                self._decide(view, *answer, self.station.hold_input(self).release)

        self.app.push_screen(CountDecisionDialog(view), then)

    @work(exclusive=True, group="count-decide")
    async def _decide(
        self, view: cc.CountView, approve: bool, note: str, done: Callable[[], None]
    ) -> None:
        try:
            headline = "NOT APPROVED" if approve else "NOT REJECTED"
            answer = await self.ask(self.approvals.decide(view, approve, note), headline)
            if answer is not None:
                self.signal(True, answer.headline, answer.detail)
                self.reload()
        finally:
            done()


class CountDecisionDialog(StationDialog):
    """One count's lines against the book: F2 approves, F3 rejects (a recount by someone
    else); the text is the note kept with the decision. Escape changes nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back"),
        Binding("f2", "decide(True)", "Approve"),
        Binding("f3", "decide(False)", "Reject"),
    ]

    def __init__(self, view: cc.CountView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-warning"):
            yield Static(f"COUNT {self.view.id}", classes="dialog-title")
            yield Static(count_words(self.view), classes="dialog-text")
            yield Input(id="count-note", placeholder="note (why)", max_length=200)
            yield Static(KEYS, id="count-keys", classes="dialog-text")

    def on_mount(self) -> None:
        self.query_one("#count-note", Input).focus()

    @on(Input.Submitted, "#count-note")
    def _enter(self) -> None:
        self.query_one("#count-keys", Static).update(f"Choose with a key:\n{KEYS}")

    def action_decide(self, approve: bool) -> None:
        self.dismiss((approve, self.query_one("#count-note", Input).value.strip()))


KEYS = "F2 approve (the book takes the count) · F3 reject (counted again) · Esc back"
