"""A dialog that asks which one (arrows, Enter), then why: dismissed with both choices."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from toteflow.station.tui.screens.base import StationDialog

Choice = tuple[str, str]  # (id, the words shown)


class ChoiceThenReasonDialog(StationDialog):
    """A choice from a list, then a reason from another: dismissed with (choice id, reason id).

    Escape leaves without either. Subclasses give the words: the packer's missing item and
    the receiver's short line ask the same two questions of different things.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back")]

    def __init__(
        self,
        title: str,
        ask: str,
        choices: Sequence[Choice],
        reasons: Sequence[Choice],
        why: Callable[[str], str],
    ) -> None:
        super().__init__()
        self._title, self._ask, self._why = title, ask, why
        self._choices, self._reasons = list(choices), list(reasons)
        self.chosen: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-warning"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._ask, id="choice-ask")
            yield OptionList(*(Option(w, id=i) for i, w in self._choices), id="choice-which")
            yield OptionList(*(Option(w, id=i) for i, w in self._reasons), id="choice-why")

    def on_mount(self) -> None:
        self.query_one("#choice-why").display = False
        which = self.query_one("#choice-which", OptionList)
        which.highlighted = 0
        which.focus()

    @on(OptionList.OptionSelected, "#choice-which")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.chosen = event.option.id or ""
        self.query_one("#choice-which").display = False
        self.query_one("#choice-ask", Static).update(self._why(self.chosen))
        reasons = self.query_one("#choice-why", OptionList)
        reasons.display = True
        reasons.highlighted = 0
        reasons.focus()

    @on(OptionList.OptionSelected, "#choice-why")
    def _reason(self, event: OptionList.OptionSelected) -> None:
        assert self.chosen is not None
        assert event.option.id is not None
        self.dismiss(self.result(self.chosen, event.option.id))

    def result(self, chosen: str, reason: str) -> object:
        return (chosen, reason)
