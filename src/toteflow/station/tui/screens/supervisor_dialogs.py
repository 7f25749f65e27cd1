"""Supervisor dialogs: why cancel a wave, an exception in full and how to resolve it, whom to
give a task."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.contracts import waves as wv
from toteflow.station.services.wave_console import resolutions
from toteflow.station.tui.screens.base import StationDialog

RESOLUTIONS: dict[wv.ResolveAction, str] = {
    "close": "Close it: noted, nothing else changes",
    "reallocate": "Re-allocate: reserve the missing units elsewhere now",
    "cancel_line": "Cut the missing units from the order line",
}


class ReasonDialog(StationDialog):
    """A sentence why (Enter confirms); Escape changes nothing. Dismisses with the text."""

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.title_words = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-alert"):
            yield Static(self.title_words, classes="dialog-title")
            yield Static(self.question, classes="dialog-text")
            yield Input(id="reason", placeholder="why (optional), then Enter", max_length=200)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def confirm(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())


def exception_words(found: wv.FloorException) -> str:
    """Everything an exception says, each on its own line, the sentence whole."""
    at = found.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    text = [
        found.reason,
        "",
        f"Order {found.order_reference or '-'} · {found.status} · raised {at}",
        f"Station {found.station or found.station_id or '-'} · "
        f"by {found.user_name or found.user_id or '-'}"
        + (f" · task line {found.task_line_id}" if found.task_line_id is not None else ""),
    ]
    shown = {k: v for k, v in found.detail.items() if not isinstance(v, (dict, list))}
    if shown:
        text.append(" · ".join(f"{k.replace('_', ' ')} {v}" for k, v in shown.items()))
    if found.resolution:
        text.append(f"Resolved: {found.resolution}")
    return "\n".join(text)


class ExceptionDetail(StationDialog):
    """An exception in full (its sentence is cut in the list): F5 resolves it, Escape goes
    back. Dismisses with True when F5 was pressed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back"),
        Binding("f5", "resolve", "Resolve"),
    ]

    def __init__(self, exception: wv.FloorException) -> None:
        super().__init__()
        self.exception = exception

    def compose(self) -> ComposeResult:
        found = self.exception
        with Vertical(id="dialog", classes="-warning"):
            yield Static(
                f"EXCEPTION {found.id} · {found.kind.replace('_', ' ')}", classes="dialog-title"
            )
            yield Static(exception_words(found), id="exception-text", classes="dialog-text")
            yield Static("F5 resolves it · Escape goes back", classes="dialog-text")

    def action_resolve(self) -> None:
        self.dismiss(True)


class ResolveDialog(StationDialog):
    """Choose what to do (arrows, Enter), add a note, Enter: dismisses with (action, note)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back (unchanged)")]

    def __init__(self, exception: wv.FloorException) -> None:
        super().__init__()
        self.exception = exception

    def compose(self) -> ComposeResult:
        found = self.exception
        with Vertical(id="dialog", classes="-warning"):
            yield Static(f"RESOLVE EXCEPTION {found.id}", classes="dialog-title")
            yield Static(f"{found.kind.replace('_', ' ')}: {found.reason}", classes="dialog-text")
            yield OptionList(
                *(Option(RESOLUTIONS[action], id=action) for action in resolutions(found)),
                id="resolve-action",
            )
            yield Input(
                id="resolve-note", placeholder="a note (optional), then Enter", max_length=200
            )

    def on_mount(self) -> None:
        options = self.query_one("#resolve-action", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#resolve-action")
    def chosen(self) -> None:
        self.query_one("#resolve-note", Input).focus()

    @on(Input.Submitted, "#resolve-note")
    def confirm(self, event: Input.Submitted) -> None:
        options = self.query_one("#resolve-action", OptionList)
        index = options.highlighted or 0
        action = options.get_option_at_index(index).id
        self.dismiss((action, event.value.strip()))


class PickerDialog(StationDialog):
    """Whom to give a task to (arrows, Enter): dismisses with the LoggedInPicker."""

    def __init__(self, task_id: int, pickers: list[wv.LoggedInPicker]) -> None:
        super().__init__()
        self.task_id = task_id
        self.pickers = {str(p.user_id): p for p in pickers}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"GIVE TASK {self.task_id} TO", classes="dialog-title")
            yield Static(
                "People logged in at a station now; the task goes to that station "
                "(arrows, then Enter).",
                classes="dialog-text",
            )
            yield OptionList(
                *(
                    Option(f"{p.name} ({p.badge}) at {p.station}", id=key)
                    for key, p in self.pickers.items()
                ),
                id="pickers",
            )

    def on_mount(self) -> None:
        options = self.query_one("#pickers", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#pickers")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.pickers[event.option.id])
