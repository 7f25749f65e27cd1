"""The supervisor's home: every wave with its live progress; keys to build, release and follow."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.wave_console import WaveConsole, WaveLine
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
from toteflow.station.tui.screens.supervisor_dialogs import ReasonDialog
from toteflow.station.tui.screens.supervisor_exceptions import ExceptionsScreen
from toteflow.station.tui.screens.supervisor_pool import PoolScreen
from toteflow.station.tui.screens.supervisor_preview import WavePreviewScreen
from toteflow.station.tui.screens.supervisor_progress import WaveProgressScreen
from toteflow.station.tui.widgets.status_bar import StatusBar

IDLE = "F2 order pool and new wave · F3 preview and release · F4 progress · F5 exceptions"


def wave_cells(line: WaveLine) -> tuple[str, ...]:
    wave, progress = line.wave, line.progress
    if progress is not None:
        done = f"{progress.lines_done}/{progress.lines}"
        percent = f"{progress.percent_done:.0f}%"
        rate = f"{progress.lines_per_hour:.0f}"
    elif wave.status == "done" and wave.lines:
        # Not followed once done (no progress fetched): every line of a done wave is finished.
        done, percent, rate = f"{wave.lines}/{wave.lines}", "100%", "-"
    else:
        done = f"-/{wave.lines}" if wave.lines else "-"
        percent = rate = "-"
    status = "done" if progress is not None and progress.finished else wave.status
    return (
        wave.name[:24],
        status.replace("_", " "),
        str(wave.orders or "-"),
        done,
        percent,
        rate,
        clock(wave.released_at),
    )


class SupervisorConsoleScreen(SupervisorScreen):
    """Waves newest first, refreshed every few seconds; the cursor picks the wave a key acts on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "pool", "Pool"),
        Binding("f3", "preview", "Preview"),
        Binding("f4", "progress", "Progress"),
        Binding("f5", "exceptions", "Exceptions"),
        Binding("f6", "hold", "Hold"),
        # Rare and drastic: in the F1 help, not the footer (which keeps room for F1 itself).
        Binding("f8", "cancel_wave", "Cancel wave", show=False),
    ]

    def __init__(self, console: WaveConsole) -> None:
        super().__init__(console)
        self.lines: dict[str, WaveLine] = {}
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="sup-waves", cursor_type="row", zebra_stripes=True)
        table.add_columns("Wave", "Status", "Orders", "Lines done", "%", "Lines/h", "Released")
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
        refill(table, ((key, wave_cells(line)) for key, line in self.lines.items()))
        live = sum(1 for ln in lines if ln.wave.status in ("released", "on_hold"))
        title.update(
            f"Waves · {len(lines)} shown, {live} being picked · live, every {REFRESH_SECONDS:.0f} s"
        )

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

        self.app.push_screen(
            ReasonDialog(
                f"CANCEL WAVE {line.wave.name}",
                "Orders not yet picked go back to the pool; ones being picked finish.",
            ),
            cancel,
        )

    @work(exclusive=True, group="sup-action")
    async def _cancel(self, line: WaveLine, reason: str) -> None:
        done = await self.ask(self.console.cancel(line.wave.id, reason), "NOT CANCELLED")
        if done is not None:
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
