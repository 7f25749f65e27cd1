"""A wave's live progress per zone and per picker, and its open tasks to reassign or unassign."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Static

from toteflow.contracts import waves as wv
from toteflow.station.services.wave_console import WaveConsole
from toteflow.station.tui.screens.supervisor_base import (
    OFFLINE,
    REFRESH_SECONDS,
    SupervisorScreen,
    keep_cursor,
    selected_key,
)
from toteflow.station.tui.screens.supervisor_dialogs import PickerDialog
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

IDLE = "Arrows choose a task · F6 gives it to another picker · F7 takes it back"


def summary_words(p: wv.WaveProgress) -> str:
    state = "DONE" if p.finished else p.wave.status.replace("_", " ")
    short = f", {p.lines_short} short" if p.lines_short else ""
    return (
        f"Wave {p.wave.name} · {state} · {p.lines_done}/{p.lines} lines{short} "
        f"({p.percent_done:.0f}%) · {p.lines_per_hour:.0f} lines/h · "
        f"{p.tasks_done}/{p.tasks} tasks done"
    )


class WaveProgressScreen(SupervisorScreen):
    """Refreshed every few seconds by a worker; the keys act on the task under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f6", "reassign", "Reassign"),
        Binding("f7", "unassign", "Unassign"),
    ]

    def __init__(self, console: WaveConsole, wave: wv.Wave) -> None:
        super().__init__(console)
        self.wave = wave
        self.progress: wv.WaveProgress | None = None
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(f"Wave {self.wave.name} · reading progress…", id="sup-title")
        with Horizontal(id="progress-tables"):
            zones: DataTable[str] = DataTable(id="progress-zones", cursor_type="none")
            zones.add_columns("Zone", "Lines done", "Units picked")
            yield zones
            people: DataTable[str] = DataTable(id="progress-pickers", cursor_type="none")
            people.add_columns("Picker", "Tasks", "Lines", "Lines/h")
            yield people
        tasks: DataTable[str] = DataTable(id="progress-tasks", cursor_type="row")
        tasks.add_columns("Task", "Kind", "Zone", "Status", "Picker", "Lines done")
        yield tasks
        yield ScanFeedback(IDLE, id="sup-feedback")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#progress-tasks", DataTable).focus()
        self.reload()
        self.set_interval(REFRESH_SECONDS, self.tick)

    def reload(self) -> None:
        self._reload()

    @work(exclusive=True, group="progress")
    async def _reload(self) -> None:
        progress = await self.ask(
            self.console.progress(self.wave.id), "NO PROGRESS", background=True
        )
        title = self.query_one("#sup-title", Static)
        if progress is None:
            if self.offline:
                title.update(f"Wave {self.wave.name} · {OFFLINE}: figures may be stale")
            return
        self.refreshes += 1
        self.progress = progress
        title.update(summary_words(progress))
        zones: DataTable[str] = self.query_one("#progress-zones", DataTable)
        zones.clear()
        for z in progress.zones:
            zones.add_row(z.zone or "-", f"{z.lines_done}/{z.lines}", f"{z.units_picked}/{z.units}")
        people: DataTable[str] = self.query_one("#progress-pickers", DataTable)
        people.clear()
        for p in progress.pickers:
            people.add_row(p.name[:16], str(p.tasks), str(p.lines_done), f"{p.lines_per_hour:.0f}")
        tasks: DataTable[str] = self.query_one("#progress-tasks", DataTable)
        key = selected_key(tasks)
        tasks.clear()
        for t in progress.open_tasks:
            tasks.add_row(
                str(t.id),
                t.kind,
                t.zone or "-",
                t.status.replace("_", " "),
                (t.name or "-")[:16],
                f"{t.lines_done}/{t.lines}",
                key=str(t.id),
            )
        keep_cursor(tasks, key)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """With no task left open (a finished wave), the task keys leave the footer."""
        if action in ("reassign", "unassign"):
            return self.progress is None or bool(self.progress.open_tasks)
        return True

    def _chosen_task(self) -> wv.TaskProgress | None:
        key = selected_key(self.query_one("#progress-tasks", DataTable))
        found = None
        if key is not None and self.progress is not None:
            found = next((t for t in self.progress.open_tasks if str(t.id) == key), None)
        if found is None:
            self.signal(False, "NO TASK CHOSEN", "every task of this wave is done or cancelled")
        return found

    def action_unassign(self) -> None:
        task = self._chosen_task()
        if task is not None:
            self._unassign(task)

    @work(exclusive=True, group="progress-action")
    async def _unassign(self, task: wv.TaskProgress) -> None:
        done = await self.ask(self.console.unassign(task.id), "NOT UNASSIGNED")
        if done is not None:
            self.signal(True, f"TASK {task.id} UNASSIGNED", "it is back in the queue")
            self.reload()

    def action_reassign(self) -> None:
        task = self._chosen_task()
        if task is not None:
            self._choose_picker(task)

    @work(exclusive=True, group="progress-action")
    async def _choose_picker(self, task: wv.TaskProgress) -> None:
        pickers = await self.ask(self.console.pickers(), "NO PICKERS")
        if pickers is None:
            return
        others = [p for p in pickers if p.user_id != task.user_id]
        if not others:
            self.signal(
                False, "NO ONE TO GIVE IT TO", "no other picker is logged in at a station now"
            )
            return

        def chosen(user: wv.LoggedInPicker | None) -> None:
            if user is not None:
                self._reassign(task, user)

        self.app.push_screen(PickerDialog(task.id, others), chosen)

    @work(exclusive=True, group="progress-give")
    async def _reassign(self, task: wv.TaskProgress, user: wv.LoggedInPicker) -> None:
        done = await self.ask(self.console.reassign(task.id, user), "NOT REASSIGNED")
        if done is not None:
            self.signal(
                True, f"TASK {task.id} GIVEN TO {user.name.upper()}", "their station is told"
            )
            self.reload()
