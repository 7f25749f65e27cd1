"""The order on the pack bench: its items and what is left to check; each scan ticks a unit."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Static

from toteflow.domain.scan import (
    BadgeScan,
    CartScan,
    CartSlotScan,
    LocationScan,
    ToteScan,
    label_name,
)
from toteflow.station.services.pack_desk import PackDesk, PackOutcome
from toteflow.station.services.packing.views import PackView
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

PROMPT = "Scan each item of the order"


def order_words(view: PackView) -> Content:
    order = view.order
    to = order.ship_to
    totes = f" · tote {', '.join(order.totes)}" if order.totes else ""
    # Units a receipt brought straight to packing: in no tote, picked up at that place.
    totes += "".join(
        f" · {c.quantity} x {c.sku} cross-docked at {c.location}" for c in order.cross_docked
    )
    return Content.assemble(
        (f"ORDER {order.reference}", "bold"),
        f" · {order.customer_name}{totes}\n",
        ("to ", "dim"),
        f"{to.name}, {to.city} {to.postal_code} {to.country}",
        ("  · asked ", "dim"),
        f"{order.carrier} {order.service} by {order.ship_by.isoformat()}",
    )


def _barcode(view: PackView, sku: str) -> str:
    """The single unit's barcode digits: read by eye when a label will not scan."""
    line = next((li for li in view.order.lines if li.sku == sku), None)
    units = sorted((u for u in line.units if u.barcode), key=lambda u: u.units) if line else []
    return units[0].barcode if units else ""


def lines_words(view: PackView) -> Content:
    """One row per line: what to check, what is checked, what is reported short."""
    parts: list[str | tuple[str, str]] = [
        (
            f"{'ITEM':<12} {'BARCODE':<14} {'DESCRIPTION':<14} {'QTY':>4} {'CHECKED':>7} "
            f"{'SHORT':>5}  LEFT\n",
            "dim",
        )
    ]
    for line in view.lines:
        row = (
            f"{line.sku[:12]:<12} {_barcode(view, line.sku)[:14]:<14} "
            f"{line.description[:14]:<14} {line.expected:>4} "
            f"{line.verified:>7} {line.shorted or '':>5}"
        )
        if line.to_verify == 0:
            parts.append((f"{row}  ✓\n", "green"))
        else:
            parts.append((f"{row}  {line.to_verify} to check\n", "bold"))
    return Content.assemble(*parts)


class PackOrderScreen(StationScreen[None]):
    """Items are checked here; once every unit is checked or short, boxing starts."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "short", "Short"),
        Binding("f3", "box", "Box"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, desk: PackDesk, outcome: PackOutcome | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.first = outcome

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="pack-order-head")
        yield Static("", id="pack-lines")
        yield ScanFeedback(PROMPT, id="feedback")
        yield ScanPrompt(PROMPT)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.render_order()
        if self.first is not None:
            self.show(self.first)

    def on_screen_resume(self) -> None:
        # Passing through on the way home after the order closed: nothing to draw.
        if self.desk.reference is not None:
            self.render_order()

    def render_order(self) -> None:
        view = self.desk.view()
        self.station.task_label = f"Packing {view.reference}"
        self.query_one("#pack-order-head", Static).update(order_words(view))
        self.query_one("#pack-lines", Static).update(lines_words(view))

    def show(self, outcome: PackOutcome) -> None:
        self.signal(outcome.ok, outcome.headline, outcome.detail)

    def expected_scan(self) -> str | None:
        return self.desk.next_item_code()

    def on_scan_received(self, message: ScanReceived) -> None:
        label = self.services.read_scan(message.raw)
        if isinstance(label, ToteScan | LocationScan | CartScan | CartSlotScan | BadgeScan):
            # Not a product at all: "set it aside" would be the wrong thing to do with it.
            self.signal(
                False,
                "NOT AN ITEM",
                f"that was a {label_name(label)}: scan the items of order "
                f"{self.desk.reference} (Escape goes back for another tote)",
            )
            return
        self.after(self.desk.scan_item(message.raw))

    def after(self, outcome: PackOutcome) -> None:
        self.render_order()
        self.show(outcome)
        if outcome.boxing:
            from toteflow.station.tui.screens.pack_box import PackBoxScreen

            self.app.push_screen(PackBoxScreen(self.desk, outcome))

    def action_short(self) -> None:
        view = self.desk.view()
        missing = [line for line in view.lines if line.to_verify > 0]
        if not missing:
            self.signal(False, "NOTHING MISSING", "every unit is checked or reported")
            return
        from toteflow.station.tui.screens.pack_dialogs import PackShortScreen

        def done(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.after(self.desk.short(*answer))

        self.app.push_screen(PackShortScreen(missing), done)

    def action_box(self) -> None:
        self.after(self.desk.start_boxing())

    def action_leave(self) -> None:
        # The progress stays in the station's store: scanning the tote again resumes it.
        self.desk.close()
        self.app.pop_screen()
