"""The pool's filter dialog: every wave filter on one small form; a bad value changes nothing."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Input, Label, Static

from toteflow.domain.errors import ServiceError
from toteflow.station.services.wave_filters import FIELDS, PoolFilter, parse_filter
from toteflow.station.tui.screens.base import StationDialog

PLACEHOLDERS: dict[str, str] = {
    "carrier": "any, e.g. UPS",
    "service": "any, e.g. GROUND",
    "cutoff": "none, e.g. 15:00 (the pick-up time)",
    "ship_by": "any, e.g. 2026-11-22 (on or before)",
    "priorities": "any, e.g. 1,3 (1 is the most urgent)",
    "zones": "any, e.g. A,B (every line in them)",
    "profile": "any, single unit, single line or multi line",
    "max_orders": "no limit",
    "max_lines": "no limit",
}
HELP = "Tab moves · Enter applies · Escape leaves the filters as they were"


class FilterDialog(StationDialog):
    """The filters, one field each; Enter checks them all and dismisses with a PoolFilter."""

    def __init__(self, current: PoolFilter, template: str | None) -> None:
        super().__init__()
        self.current = current
        self.template = template

    def compose(self) -> ComposeResult:
        title = "WAVE FILTERS" + (f" · template {self.template}" if self.template else "")
        texts = self.current.texts()
        with Vertical(id="dialog"):
            yield Static(title, classes="dialog-title")
            with Grid(id="filter-form"):
                for field, label in FIELDS.items():
                    yield Label(label.capitalize())
                    yield Input(
                        texts[field],
                        id=f"filter-{field.replace('_', '-')}",
                        placeholder=PLACEHOLDERS[field],
                        max_length=200,
                        compact=True,
                    )
            yield Static("", id="filter-error", classes="dialog-error", markup=False)
            yield Static(HELP, id="filter-help")

    def on_mount(self) -> None:
        self.query_one("#filter-carrier", Input).focus()

    def typed(self) -> dict[str, str]:
        return {
            field: self.query_one(f"#filter-{field.replace('_', '-')}", Input).value
            for field in FIELDS
        }

    @on(Input.Submitted)
    def confirm(self) -> None:
        try:
            chosen = parse_filter(self.typed())
        except ServiceError as refusal:
            self.query_one("#filter-error", Static).update(str(refusal))
            self.app.bell()
            return
        self.dismiss(chosen)
