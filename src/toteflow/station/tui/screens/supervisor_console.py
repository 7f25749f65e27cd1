"""The supervisor's home: every wave with its live progress; keys to build, release and follow."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.wave_console import (
    WaveConsole,
    WaveLine,
    short_names,
    status_words,
)
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.screens.supervisor_base import (
    OFFLINE,
    REFRESH_SECONDS,
    SupervisorScreen,
    clock,
    one_table_layout,
    refill,
    selected_key,
)
from toteflow.station.tui.screens.supervisor_counts import CountApprovalsScreen
from toteflow.station.tui.screens.supervisor_dialogs import ReasonDialog
from toteflow.station.tui.screens.supervisor_exceptions import ExceptionsScreen
from toteflow.station.tui.screens.supervisor_held import HeldStockScreen
from toteflow.station.tui.screens.supervisor_pool import PoolScreen
from toteflow.station.tui.screens.supervisor_preview import WavePreviewScreen
from toteflow.station.tui.screens.supervisor_progress import WaveProgressScreen
from toteflow.station.tui.widgets.status_bar import StatusBar

IDLE = (
    "F2 order pool and new wave · F3 preview and release · F4 progress · F5 exceptions"
    " · F7 held stock"
)


# The wave column's width at 80 columns; longer names are cut in the middle, never so that
# two look alike.
NAME_WIDTH = 26


def wave_cells(line: WaveLine, name: str | None = None) -> tuple[str, ...]:
    wave, progress = line.wave, line.progress
    if progress is not None:
        done = f"{progress.lines_done}/{progress.lines}"
        if progress.lines_short:
            done += f", {progress.lines_short} short"
        percent = f"{progress.percent_done:.0f}%"
    elif wave.status == "done" and wave.lines:
        # Not read yet (read once, on the next refresh): every line of a done wave is finished.
        done, percent = f"{wave.lines}/{wave.lines}", "100%"
    else:
        done = f"-/{wave.lines}" if wave.lines else "-"
        percent = "-"
    status = "done" if progress is not None and progress.finished else status_words(wave)
    return (
        name or wave.name,
        status,
        str(wave.orders or "-"),
        done,
        percent,
        clock(wave.released_at),
    )


# What each key acts on: the wave under the cursor must be in one of these states.
KEY_STATES: dict[str, tuple[str, ...]] = {
    "preview": ("planned",),
    "progress": ("released", "on_hold", "done", "cancelled"),
    "hold": ("released", "on_hold"),
    "cancel_wave": ("planned", "released", "on_hold"),
}


class SupervisorConsoleScreen(SupervisorScreen):
    """Waves newest first, refreshed every few seconds; the cursor picks the wave a key acts on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "pool", "Pool"),
        Binding("f3", "preview", "Preview"),
        Binding("f4", "progress", "Progress"),
        Binding("f5", "exceptions", "Exceptions"),
        Binding("f6", "hold", "Hold"),
        Binding("f7", "held_stock", "Held stock"),
        Binding("f8", "cancel_wave", "Cancel"),
        # Not in the footer (it keeps to 80 columns at its fullest): F1's list names it.
        Binding("f10", "counts", "Counts to approve", show=False),
    ]

    def __init__(self, console: WaveConsole) -> None:
        super().__init__(console)
        self.lines: dict[str, WaveLine] = {}
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="sup-waves", cursor_type="row", zebra_stripes=True)
        table.add_columns("Wave", "Status", "Orders", "Lines done", "%", "Released")
        yield from one_table_layout("Waves", table, IDLE)

    def on_mount(self) -> None:
        self.start_refreshing("sup-waves")

    def reload(self) -> None:
        self._reload()

    @work(exclusive=True, group="sup-waves")
    async def _reload(self) -> None:
        lines = await self.ask(self.console.overview(), "CANNOT READ THE WAVES", background=True)
        title = self.query_one("#sup-title", Static)
        if lines is None:
            if self.offline:
                title.update(f"Waves · {OFFLINE}: retrying every {REFRESH_SECONDS:.0f} s")
            return
        self.refreshes += 1
        table: DataTable[str] = self.query_one("#sup-waves", DataTable)
        self.lines = {str(line.wave.id): line for line in lines}
        names = short_names([line.wave.name for line in lines], NAME_WIDTH)
        refill(
            table,
            ((key, wave_cells(line, names[line.wave.name])) for key, line in self.lines.items()),
        )
        self.refresh_bindings()
        live = sum(1 for ln in lines if ln.wave.status in ("released", "on_hold"))
        title.update(
            f"Waves · {len(lines)} shown, {live} being picked · live, every {REFRESH_SECONDS:.0f} s"
        )

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key that would do nothing for the wave under the cursor leaves the footer."""
        states = KEY_STATES.get(action)
        if states is None:
            return True
        line = self._under_cursor()
        if line is None:
            return False
        if action == "progress" and status_words(line.wave) == "discarded":
            return False  # never released: no progress to show
        return line.wave.status in states

    def _under_cursor(self) -> WaveLine | None:
        if not self.is_mounted:
            return None
        key = selected_key(self.query_one("#sup-waves", DataTable))
        return self.lines.get(key) if key is not None else None

    def _selected(self) -> WaveLine | None:
        key = selected_key(self.query_one("#sup-waves", DataTable))
        line = self.lines.get(key) if key is not None else None
        if line is None:
            self.signal(False, "NO WAVE CHOSEN", "F2 builds a wave from the order pool")
        return line

    def action_pool(self) -> None:
        self.app.push_screen(PoolScreen(self.console))

    def action_exceptions(self) -> None:
        self.app.push_screen(ExceptionsScreen(self.console))

    def action_held_stock(self) -> None:
        held = self.services.held_stock(self.console.person)
        if held is None:
            self.signal(False, "NO HELD STOCK HERE", "this station has no server held-stock API")
            return
        self.app.push_screen(HeldStockScreen(self.console, held))

    def action_counts(self) -> None:
        approvals = self.services.count_approvals(self.console.person)
        if approvals is None:
            self.signal(False, "NO COUNTS HERE", "this station has no server count API")
            return
        self.app.push_screen(CountApprovalsScreen(self.console, approvals))

    def action_preview(self) -> None:
        line = self._selected()
        if line is None:
            return
        if line.wave.status != "planned":
            self.signal(
                False,
                "ALREADY " + line.wave.status.replace("_", " ").upper(),
                "only a planned wave is previewed and released: F4 shows its progress",
            )
            return
        self._preview(line.wave.id)

    @work(exclusive=True, group="sup-action")
    async def _preview(self, wave_id: int) -> None:
        preview = await self.ask(self.console.preview(wave_id), "NO PREVIEW")
        line = self.lines.get(str(wave_id))
        if preview is not None and line is not None:
            self.app.push_screen(WavePreviewScreen(self.console, line.wave, preview))

    def action_progress(self) -> None:
        line = self._selected()
        if line is None:
            return
        if line.wave.status == "planned":
            self.signal(False, "NOT RELEASED YET", "F3 previews and releases a planned wave")
            return
        self.app.push_screen(WaveProgressScreen(self.console, line.wave))

    def action_hold(self) -> None:
        line = self._selected()
        if line is not None:
            self._hold(line)

    @work(exclusive=True, group="sup-action")
    async def _hold(self, line: WaveLine) -> None:
        wave = await self.ask(self.console.hold_or_resume(line.wave), "NOT CHANGED")
        if wave is not None:
            state = (
                "on hold: no more of its tasks are handed out"
                if wave.status == "on_hold"
                else ("resumed: its tasks are handed out again")
            )
            self.signal(True, "WAVE " + wave.name, state)
            self.reload()

    def action_cancel_wave(self) -> None:
        line = self._selected()
        if line is None:
            return

        def cancel(reason: str | None) -> None:
            if reason is not None and line is not None:
                self._cancel(line, reason)

        # A planned wave has taken nothing yet: cancelling it discards it.
        dialog = (
            ReasonDialog(f"DISCARD WAVE {line.wave.name}", "Nothing was released; no order moves.")
            if line.wave.status == "planned"
            else ReasonDialog(
                f"CANCEL WAVE {line.wave.name}",
                "Orders not yet picked go back to the pool; ones being picked finish.",
            )
        )
        self.app.push_screen(dialog, cancel)

    @work(exclusive=True, group="sup-action")
    async def _cancel(self, line: WaveLine, reason: str) -> None:
        planned = line.wave.status == "planned"
        done = await self.ask(
            self.console.cancel(line.wave.id, reason),
            "NOT DISCARDED" if planned else "NOT CANCELLED",
        )
        if done is None:
            return
        if planned:
            self.signal(True, f"WAVE {done.wave.name} DISCARDED", "nothing was released")
        else:
            self.signal(
                True,
                f"WAVE {done.wave.name} CANCELLED",
                f"{len(done.orders_returned)} orders back in the pool, "
                f"{len(done.orders_kept)} finish picking",
            )
        self.reload()


class NoConsoleScreen(StationScreen[None]):
    """Shown when this station was built without the server's wave API."""

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(
            "This station has no wave console: it was set up without the server's wave API.",
            id="sup-missing",
        )
        yield Footer(compact=True)


def supervisor_home(services: StationServices, person: Person) -> StationScreen[None]:
    console = services.wave_console(person)
    return NoConsoleScreen() if console is None else SupervisorConsoleScreen(console)
