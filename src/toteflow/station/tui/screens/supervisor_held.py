"""Held stock: the held plates, oldest first; a plate scanned or chosen is released or rejected."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from toteflow.contracts import putaway as pa
from toteflow.domain.errors import ServiceError
from toteflow.station.services.held_stock import Decision, HeldStock, held_cells, plate_words
from toteflow.station.services.wave_console import WaveConsole
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationDialog
from toteflow.station.tui.screens.supervisor_base import (
    OFFLINE,
    SupervisorScreen,
    one_table_layout,
    refill,
    selected_key,
)

IDLE = "Scan a plate's label, or choose it and press Enter: release it or reject it"


class HeldStockScreen(SupervisorScreen):
    """Held plates (damaged, quality hold, not on the notice); refreshed every few seconds."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f4", "stock", "Stock"),
        Binding("f5", "decide", "Release/reject"),
    ]

    def __init__(self, console: WaveConsole, held: HeldStock) -> None:
        super().__init__(console)
        self.held = held
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="held-plates", cursor_type="row", zebra_stripes=True)
        table.add_columns("Plate", "SKU", "Lot", "Units", "At", "Held for", "Notice")
        yield from one_table_layout("Held stock · reading…", table, IDLE)

    def on_mount(self) -> None:
        self.start_refreshing("held-plates")

    def reload(self) -> None:
        self._reload()

    def action_stock(self) -> None:
        # The supervisor's way to the stock inquiry (the console's own keys are all taken).
        from toteflow.station.tui.screens.stock_inquiry import open_stock_inquiry

        open_stock_inquiry(self.app, self.services, self.console.person)

    @work(exclusive=True, group="held")
    async def _reload(self) -> None:
        found = await self.ask(self.held.refresh(), "CANNOT READ THE HELD STOCK", background=True)
        title = self.query_one("#sup-title", Static)
        if found is None:
            if self.offline:
                title.update(f"Held stock · {OFFLINE}")
            return
        self.refreshes += 1
        refill(
            self.query_one("#held-plates", DataTable),
            ((p.code, held_cells(p)) for p in found),
        )
        title.update(f"Held stock · {len(found)} plates, oldest first")

    def on_scan_received(self, message: ScanReceived) -> None:
        try:
            plate = self.held.scanned(message.raw)
        except ServiceError as problem:
            self.signal(False, "NOT A PLATE", str(problem))
            return
        if plate is not None:
            # The keys behind the scan (a note, F2) wait for the dialog, not this screen.
            self._dialog(plate, message.keep())
        else:
            # Not on the list shown: read it again; the next input waits for the answer.
            self._find(message.raw, message.keep())

    @work(exclusive=True, group="held-find")
    async def _find(self, raw: str, done: Callable[[], None]) -> None:
        try:
            plate = await self.ask(self.held.find(raw), "NOT HELD")
        except BaseException:
            done()
            raise
        if plate is None:
            done()
        else:
            self._dialog(plate, done)

    @on(DataTable.RowSelected, "#held-plates")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        plate = self.held.plates.get(str(event.row_key.value))
        if plate is not None:
            self._dialog(plate)

    def action_decide(self) -> None:
        key = selected_key(self.query_one("#held-plates", DataTable))
        plate = self.held.plates.get(key) if key is not None else None
        if plate is None:
            self.signal(False, "NO PLATE CHOSEN", "nothing is held, or scan a plate's label")
            return
        self._dialog(plate)

    def _dialog(self, plate: pa.HeldPlate, shown: Callable[[], None] | None = None) -> None:
        def then(answer: tuple[Decision, str] | None) -> None:
            if answer is not None:
                self._decide(plate, *answer, self.station.hold_input(self).release)

        self.app.push_screen(HeldDialog(plate, shown), then)

    @work(exclusive=True, group="held-decide")
    async def _decide(
        self, plate: pa.HeldPlate, decision: Decision, words: str, done: Callable[[], None]
    ) -> None:
        try:
            headline = "NOT RELEASED" if decision == "release" else "NOT REJECTED"
            answer = await self.ask(self.held.decide(plate, decision, words), headline)
            if answer is not None:
                self.signal(True, answer.headline, answer.detail)
                self.reload()
        finally:
            done()


class HeldDialog(StationDialog):
    """One held plate: F2 releases it (the text is a note), F3 or F4 reject it (the text is
    the reason, needed). Dismisses with (decision, text); Escape changes nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back"),
        Binding("f2", "decide('release')", "Release"),
        Binding("f3", "decide('scrap')", "Scrap"),
        Binding("f4", "decide('return_to_vendor')", "Return to vendor"),
    ]

    def __init__(self, plate: pa.HeldPlate, shown: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.plate = plate
        self._shown = shown

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-warning"):
            yield Static(f"HELD PLATE {self.plate.code}", classes="dialog-title")
            yield Static(plate_words(self.plate), classes="dialog-text")
            yield Input(id="held-words", placeholder="note, or why rejected", max_length=200)
            yield Static(KEYS, id="held-keys", classes="dialog-text")

    def on_mount(self) -> None:
        self.query_one("#held-words", Input).focus()
        if self._shown is not None:
            # The input that waited behind the scan comes to this dialog's field, once shown.
            self.call_after_refresh(self._shown)

    @on(Input.Submitted, "#held-words")
    def _enter(self) -> None:
        self.query_one("#held-keys", Static).update(f"Choose with a key:\n{KEYS}")

    def action_decide(self, decision: Decision) -> None:
        words = self.query_one("#held-words", Input).value.strip()
        if decision != "release" and not words:
            self.query_one("#held-keys", Static).update(f"Type why it is rejected first.\n{KEYS}")
            return
        self.dismiss((decision, words))


KEYS = "F2 release (may be put away) · F3 reject: scrap · F4 reject: return to vendor · Esc back"
