"""Open floor exceptions (shorts, shortages at release, rejected station events), to resolve."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from toteflow.contracts import waves as wv
from toteflow.station.services.wave_console import WaveConsole
from toteflow.station.tui.screens.supervisor_base import (
    OFFLINE,
    SupervisorScreen,
    clock,
    one_table_layout,
    refill,
    selected_key,
)
from toteflow.station.tui.screens.supervisor_dialogs import ExceptionDetail, ResolveDialog

IDLE = "Arrows choose an exception · Enter shows it whole · F5 resolves it"


def exception_cells(item: wv.FloorException) -> tuple[str, ...]:
    return (
        str(item.id),
        item.kind.replace("_", " "),
        item.order_reference or "-",
        clock(item.created_at),
        item.reason,
    )


class ExceptionsScreen(SupervisorScreen):
    """Newest first; refreshed every few seconds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f5", "resolve", "Resolve"),
    ]

    def __init__(self, console: WaveConsole) -> None:
        super().__init__(console)
        self.found: dict[str, wv.FloorException] = {}
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="exceptions", cursor_type="row", zebra_stripes=True)
        table.add_columns("Id", "Kind", "Order", "At", "What")
        yield from one_table_layout("Open exceptions · reading…", table, IDLE)

    def on_mount(self) -> None:
        self.start_refreshing("exceptions")

    def reload(self) -> None:
        self._reload()

    @work(exclusive=True, group="exceptions")
    async def _reload(self) -> None:
        found = await self.ask(
            self.console.exceptions(), "CANNOT READ THE EXCEPTIONS", background=True
        )
        title = self.query_one("#sup-title", Static)
        if found is None:
            if self.offline:
                title.update(f"Open exceptions · {OFFLINE}")
            return
        self.refreshes += 1
        table: DataTable[str] = self.query_one("#exceptions", DataTable)
        self.found = {str(item.id): item for item in found}
        refill(table, ((key, exception_cells(item)) for key, item in self.found.items()))
        title.update(f"Open exceptions · {len(found)}")

    @on(DataTable.RowSelected, "#exceptions")
    def show(self, event: DataTable.RowSelected) -> None:
        """Enter: the exception in full, from which F5 resolves it."""
        item = self.found.get(str(event.row_key.value))
        if item is None:
            return

        def then(resolve: bool | None) -> None:
            if resolve and item is not None:
                self._resolve_dialog(item)

        self.app.push_screen(ExceptionDetail(item), then)

    def action_resolve(self) -> None:
        key = selected_key(self.query_one("#exceptions", DataTable))
        item = self.found.get(key) if key is not None else None
        if item is None:
            self.signal(False, "NOTHING TO RESOLVE", "no open exception is chosen")
            return
        self._resolve_dialog(item)

    def _resolve_dialog(self, item: wv.FloorException) -> None:
        def resolve(answer: tuple[wv.ResolveAction, str] | None) -> None:
            if answer is not None and item is not None:
                self._resolve(item, *answer)

        self.app.push_screen(ResolveDialog(item), resolve)

    @work(exclusive=True, group="exceptions-resolve")
    async def _resolve(self, item: wv.FloorException, action: wv.ResolveAction, note: str) -> None:
        done = await self.ask(self.console.resolve(item.id, action, note), "NOT RESOLVED")
        if done is None:
            return
        still = " (still open: some units are missing)" if done.exception.status == "open" else ""
        self.signal(True, f"EXCEPTION {item.id} RESOLVED", done.exception.resolution + still)
        self.reload()
