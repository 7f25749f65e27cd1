"""Task complete: which totes were closed and where each one goes now."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Static

from toteflow.domain.words import plural
from toteflow.domain.zone_pass import next_zone
from toteflow.station.services.picker import Completion
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


def totes_table(done: Completion) -> Content:
    rows = []
    for tote in done.totes:
        full = " (full)" if tote.full else ""
        rows.append(
            Content.assemble(
                (f"{tote.tote}{full}", "bold"),
                f"  slot {tote.slot}  order {tote.order_reference}  "
                f"{plural(tote.units, 'unit')}  →  ",
                (tote.where.upper(), "bold reverse $accent"),
            )
        )
    for code in done.empty_totes:
        rows.append(Content.assemble((code, "bold"), "  empty  →  back to the tote stack"))
    return Content("\n").join(rows)


class TaskCompleteScreen(StationScreen[None]):
    """The end of a task; Enter goes home, F2 asks for the next task straight away."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "home", "Home"),
        Binding("f2", "next_task", "Next task"),
    ]

    def __init__(self, task_id: int, done: Completion | None, cancelled: str | None) -> None:
        super().__init__()
        self.task_id = task_id
        self.done = done
        self.cancelled = cancelled

    def compose(self) -> ComposeResult:
        yield StatusBar()
        done = self.done
        if done is None:
            yield Static(f"TASK {self.task_id} CANCELLED", id="done-title", classes="-cancelled")
            yield Static(self.cancelled or "", id="done-summary")
            yield Static("", id="done-totes")
        else:
            yield Static(f"TASK {self.task_id} DONE", id="done-title")
            summary = (
                f"{plural(done.units_picked, 'unit')} picked into {plural(len(done.totes), 'tote')}"
            )
            if done.lines_short:
                summary += f" · {plural(done.lines_short, 'line')} short (the supervisor is told)"
            if done.lines_cancelled:
                summary += f" · {plural(done.lines_cancelled, 'line')} cancelled"
            yield Static(summary + ". Take each tote where it says:", id="done-summary")
            yield Static(totes_table(done), id="done-totes")
        yield ScanFeedback("Enter: home · F2: next task", id="feedback")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = ""
        done = self.done
        if done is not None:
            passed = [t for t in done.totes if next_zone(t.destination) is not None]
            if len(done.totes) == 1 and passed:
                # A zone's tote handed on: the signal itself names the next zone.
                self.signal(True, "TASK DONE", f"take tote {passed[0].tote} to {passed[0].where}")
            else:
                self.signal(True, "TASK DONE", "totes closed: take them where the list says")

    def on_scan_received(self, message: ScanReceived) -> None:
        self.signal(False, "TASK DONE", "press Enter for home, or F2 for the next task")

    def action_home(self) -> None:
        self.app.pop_screen()

    async def action_next_task(self) -> None:
        await self.app.pop_screen()
        ask = getattr(self.app.screen, "action_ask_work", None)
        if callable(ask):
            ask()
