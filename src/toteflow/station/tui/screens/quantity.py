"""Bulk quantity: after one scan of the item, type how many units were taken."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from toteflow.station.services.picker import StopView
from toteflow.station.tui.screens.base import StationDialog


class QuantityScreen(StationDialog):
    """One number and Enter; Escape keeps the count the scans made."""

    def __init__(self, stop: StopView) -> None:
        super().__init__()
        self.stop = stop

    def compose(self) -> ComposeResult:
        stop = self.stop
        with Vertical(id="dialog"):
            yield Static("QUANTITY", classes="dialog-title")
            yield Static(
                f"How many {stop.description} ({stop.pack}) are you taking? 1 to {stop.quantity}.",
                classes="dialog-text",
            )
            yield Input(str(stop.quantity), type="integer", id="quantity")
            yield Static("", id="quantity-error", classes="dialog-error")

    def on_mount(self) -> None:
        field = self.query_one("#quantity", Input)
        field.cursor_blink = False  # steady: easier to find under floor lighting
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#quantity")
    def _entered(self, event: Input.Submitted) -> None:
        try:
            quantity = int(event.value.strip())
        except ValueError:
            quantity = 0
        if not 1 <= quantity <= self.stop.quantity:
            self.query_one("#quantity-error", Static).update(
                f"Type a number from 1 to {self.stop.quantity}"
            )
            return
        self.dismiss(quantity)
