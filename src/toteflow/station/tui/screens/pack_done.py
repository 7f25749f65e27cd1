"""The order is packed: its boxes, SSCCs and tracking numbers, and where the labels went."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from toteflow.station.services.pack_desk import PackDesk, PackOutcome
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.status_bar import StatusBar


class PackDoneScreen(StationScreen[None]):
    """The packing slip on screen; Enter goes back for the next tote."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next", "Next tote"),
        Binding("escape", "next", "Next tote", show=False),
    ]

    def __init__(self, desk: PackDesk, outcome: PackOutcome) -> None:
        super().__init__()
        self.desk = desk
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        desk = self.desk
        labels = desk.packing.prints.printer_where(desk.label_printer())
        yield StatusBar()
        yield Static(self.outcome.headline, id="done-title")
        yield Static("\n".join(desk.slip_lines()), id="done-totes")
        slip = (
            f"\n{self.outcome.detail[:1].upper()}{self.outcome.detail[1:]}."
            if self.outcome.detail
            else ""
        )
        yield Static(
            f"Labels: {labels}{slip}\nPress Enter for the next tote.",
            id="done-summary",
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.station.task_label = ""

    async def action_next(self) -> None:
        self.desk.close()
        # The packer's home is the bottom of the packer mode's stack: pop back down to it.
        while len(self.app.screen_stack) > 1:
            await self.app.pop_screen()
