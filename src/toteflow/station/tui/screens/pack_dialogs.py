"""The pack station's dialogs: report an item short, type a weight, choose from a list."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.station.services.pack_desk import SHORT_REASONS, parse_kg
from toteflow.station.services.packing.views import LineView
from toteflow.station.tui.screens.base import StationDialog


class PackShortScreen(StationDialog):
    """Which item is missing (arrows, Enter), then why; every unit not checked is reported."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back (no short)")]

    def __init__(self, missing: list[LineView]) -> None:
        super().__init__()
        self.missing = missing
        self.sku: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-warning"):
            yield Static("ITEM MISSING", classes="dialog-title")
            yield Static("Which item is not in the tote? (arrows, then Enter)", id="short-ask")
            yield OptionList(
                *(
                    Option(f"{li.sku} {li.description}: {li.to_verify} not checked", id=li.sku)
                    for li in self.missing
                ),
                id="short-sku",
            )
            yield OptionList(
                *(Option(words, id=reason) for reason, words in SHORT_REASONS.items()),
                id="short-why",
            )

    def on_mount(self) -> None:
        self.query_one("#short-why").display = False
        items = self.query_one("#short-sku", OptionList)
        items.highlighted = 0
        items.focus()

    @on(OptionList.OptionSelected, "#short-sku")
    def _item_chosen(self, event: OptionList.OptionSelected) -> None:
        self.sku = event.option.id
        self.query_one("#short-sku").display = False
        self.query_one("#short-ask", Static).update(f"Why is {self.sku} missing?")
        reasons = self.query_one("#short-why", OptionList)
        reasons.display = True
        reasons.highlighted = 0
        reasons.focus()

    @on(OptionList.OptionSelected, "#short-why")
    def _reason_chosen(self, event: OptionList.OptionSelected) -> None:
        assert self.sku is not None
        assert event.option.id is not None
        self.dismiss((self.sku, event.option.id))


class PackWeightScreen(StationDialog):
    """No stable reading from a scale: the packer types the weight in kilograms."""

    def __init__(self, why: str, prefill_g: int | None = None) -> None:
        super().__init__()
        self.why = why
        self.prefill = "" if prefill_g is None else f"{prefill_g / 1000:.3f}"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("WEIGHT", classes="dialog-title")
            demo = (
                "\n(Demo: it starts at the expected weight; Enter takes it.)"
                if self.prefill
                else ""
            )
            yield Static(
                f"{self.why}\nType the box's weight in kg (e.g. 1.25) and Enter.{demo}",
                classes="dialog-text",
            )
            yield Input(self.prefill, id="pack-weight", placeholder="kg")
            yield Static("", id="pack-weight-error", classes="dialog-error")

    def on_mount(self) -> None:
        field = self.query_one("#pack-weight", Input)
        field.cursor_blink = False  # steady: easier to find under floor lighting
        field.focus()

    @on(Input.Submitted, "#pack-weight")
    def _entered(self, event: Input.Submitted) -> None:
        grams = parse_kg(event.value)
        if grams is None:
            self.query_one("#pack-weight-error", Static).update(
                "Type a weight in kg, more than 0 and up to 1000, such as 1.25"
            )
            return
        self.dismiss(grams)


class PackChoiceScreen(StationDialog):
    """One choice from a list (a carrier service, a printer): arrows and Enter."""

    def __init__(self, title: str, text: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.text, classes="dialog-text")
            yield OptionList(
                *(Option(words, id=key) for key, words in self.options), id="pack-choice"
            )

    def on_mount(self) -> None:
        options = self.query_one("#pack-choice", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#pack-choice")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
