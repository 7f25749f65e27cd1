"""Short pick: how many were found (they go into the tote) and why the rest are missing."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.station.services.picker import SHORT_REASONS, StopView
from toteflow.station.tui.screens.base import StationDialog


class ShortPickScreen(StationDialog):
    """Type the quantity found, Enter, then pick a reason with the arrows and Enter.

    The arrows work from the quantity too, as the dialog says: they go to the reasons (the
    quantity checked first), so "arrows, then Enter" chooses the reason under the cursor.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back (no short)"),
        # Only reached from the quantity field: the reasons list uses the arrows itself.
        Binding("down", "reason(1)", "Next reason", show=False),
        Binding("up", "reason(-1)", "Previous reason", show=False),
    ]

    def __init__(self, stop: StopView, in_hand: int) -> None:
        super().__init__()
        self.stop = stop
        self.in_hand = in_hand

    def compose(self) -> ComposeResult:
        stop = self.stop
        with Vertical(id="dialog", classes="-warning"):
            yield Static("SHORT PICK", classes="dialog-title")
            yield Static(
                f"{stop.description} ({stop.sku}) at {stop.location}: "
                f"{stop.quantity} still to pick.\n"
                f"How many did you find? They go into slot {stop.slot} now.",
                classes="dialog-text",
            )
            yield Input(
                str(self.in_hand),
                type="integer",
                id="short-found",
                placeholder=f"0 to {stop.quantity - 1}",
            )
            yield Static("", id="short-error", classes="dialog-error")
            yield Static("Why are the others missing? (arrows, then Enter)", classes="dialog-text")
            yield OptionList(
                *(Option(words, id=reason) for reason, words in SHORT_REASONS.items()),
                id="short-reason",
            )

    def on_mount(self) -> None:
        found = self.query_one("#short-found", Input)
        found.cursor_blink = False  # steady: easier to find under floor lighting
        found.focus()
        found.select_all()

    def _found(self) -> int | None:
        text = self.query_one("#short-found", Input).value.strip()
        try:
            found = int(text)
        except ValueError:
            return None
        return found if 0 <= found < self.stop.quantity else None

    def _found_checked(self) -> bool:
        """Whether the quantity typed can be used; if not, the dialog says what to type."""
        error = self.query_one("#short-error", Static)
        if self._found() is None:
            error.update(f"Type a number from 0 to {self.stop.quantity - 1}")
            self.query_one("#short-found", Input).focus()
            return False
        error.update("")
        return True

    @on(Input.Submitted, "#short-found")
    def _found_entered(self) -> None:
        if not self._found_checked():
            return
        reasons = self.query_one("#short-reason", OptionList)
        if reasons.highlighted is None:
            reasons.highlighted = 0
        reasons.focus()

    def action_reason(self, step: int) -> None:
        """An arrow in the quantity field: on to the reasons, one down (or up) the list."""
        if not self._found_checked():
            return
        reasons = self.query_one("#short-reason", OptionList)
        if reasons.highlighted is None:
            reasons.highlighted = 0 if step > 0 else reasons.option_count - 1
        else:
            reasons.highlighted = (reasons.highlighted + step) % reasons.option_count
        reasons.focus()

    @on(OptionList.OptionSelected, "#short-reason")
    def _reason_chosen(self, event: OptionList.OptionSelected) -> None:
        found = self._found()
        if found is None:
            self._found_checked()
            return
        assert event.option.id is not None
        self.dismiss((found, event.option.id))
