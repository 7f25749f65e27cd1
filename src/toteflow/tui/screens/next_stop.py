"""The next stop, large: where to go, what to pick, which slot; the scans of the stop."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Digits, Footer, Static

from toteflow.services.picker import Progress, StopView
from toteflow.tui.screens.walk_screen import WalkScreen
from toteflow.tui.widgets.scan_capture import ScanPrompt
from toteflow.tui.widgets.scan_feedback import ScanFeedback
from toteflow.tui.widgets.status_bar import StatusBar


def progress_words(progress: Progress) -> Content:
    """Stops and units done, metres and minutes left: the line a picker glances at."""
    left = progress.left
    return Content.assemble(
        ("Stop ", "dim"),
        (f"{min(progress.stops_done + 1, progress.stops_total)}/{progress.stops_total}", "bold"),
        (" · done ", "dim"),
        (f"{progress.stops_done}", "bold"),
        (" · left ", "dim"),
        (f"{left.stops}", "bold"),
        (" · units ", "dim"),
        (f"{progress.units_done}/{progress.units_total}", "bold"),
        (" · ", "dim"),
        (f"{left.distance_m:.0f} m", "bold"),
        (" · ~", "dim"),
        (f"{progress.minutes_left} min", "bold"),
        (" left", "dim"),
    )


def where_words(stop: StopView) -> Content:
    parts = []
    if stop.zone:
        parts.append(f"Zone {stop.zone}")
    if stop.aisle is not None:
        parts.append(f"Aisle {stop.aisle:02d}")
    if stop.bay is not None:
        parts.append(f"Bay {stop.bay:03d}")
    if stop.level is not None:
        parts.append(f"Level {stop.level}")
    head = "GO TO" if not stop.at_location else "AT"
    if stop.skipped:
        head += " (skipped before)"
    return Content.assemble((f"{head}\n", "bold"), "  ".join(parts[:2]), "\n", "  ".join(parts[2:]))


def what_words(stop: StopView) -> Content:
    lot = []
    if stop.lot:
        lot.append(f"lot {stop.lot}")
    if stop.expiry is not None:
        lot.append(f"exp {stop.expiry.isoformat()}")
    in_hand = f"in hand {stop.in_hand} of {stop.quantity}" if stop.in_hand else ""
    line3 = " · ".join(x for x in (" ".join(lot), in_hand) if x)
    return Content.assemble(
        (stop.description, "bold"),
        "\n",
        (stop.sku, "bold"),
        f" · {stop.pack}",
        "\n",
        line3,
    )


def put_words(stop: StopView) -> Content:
    tote = f"tote {stop.tote}" if stop.tote else "no tote yet"
    return Content.assemble(("PUT IN SLOT\n", "bold"), tote, "\n", f"order {stop.order_reference}")


class NextStopScreen(WalkScreen):
    """One stop at a time, in route order; the panel for the scan expected now is lit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "short", "Short"),
        Binding("f3", "quantity", "Qty"),
        Binding("f4", "skip", "Skip"),
        Binding("f5", "tote_full", "Full"),
        Binding("f6", "undo", "Undo"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="stop-progress")
        with Horizontal(id="stop-where", classes="panel"):
            yield Static("", id="stop-where-words")
            yield Digits("", id="stop-location")
        with Horizontal(id="stop-what", classes="panel"):
            yield Static("", id="stop-what-words")
            with Vertical(id="stop-qty-box"):
                yield Static("PICK", id="stop-qty-label")
            yield Digits("", id="stop-qty")
        with Horizontal(id="stop-put", classes="panel"):
            yield Static("", id="stop-put-words")
            yield Digits("", id="stop-slot")
        yield ScanFeedback("", id="feedback")
        yield ScanPrompt()
        yield Footer()

    def render_walk(self) -> None:
        walk = self.walk
        stop = walk.stop()
        self.query_one("#stop-progress", Static).update(progress_words(walk.progress()))
        if stop is None:
            return
        phase = walk.phase
        self.query_one("#stop-where-words", Static).update(where_words(stop))
        self.query_one("#stop-location", Digits).update(stop.location)
        self.query_one("#stop-what-words", Static).update(what_words(stop))
        self.query_one("#stop-qty", Digits).update(str(stop.quantity))
        self.query_one("#stop-put-words", Static).update(put_words(stop))
        self.query_one("#stop-slot", Digits).update(str(stop.slot))
        self.query_one("#stop-where").set_class(phase == "location", "-active")
        self.query_one("#stop-what").set_class(phase == "item", "-active")
        self.query_one("#stop-put").set_class(phase in ("put", "new_tote"), "-active")
        feedback = self.query_one(ScanFeedback)
        if not feedback.last_signal:
            feedback.idle(walk.prompt())
        self.query_one(ScanPrompt).hint = walk.prompt()
        self.query_one(ScanPrompt).refresh()

    def action_short(self) -> None:
        stop = self.walk.stop()
        if stop is None:
            return
        from toteflow.tui.screens.short_pick import ShortPickScreen

        def done(answer: tuple[int, str] | None) -> None:
            if answer is not None:
                self.after(self.walk.short(*answer))

        self.app.push_screen(ShortPickScreen(stop, self.walk.in_hand), done)

    def action_quantity(self) -> None:
        stop = self.walk.stop()
        if stop is None:
            return
        if not self.walk.in_hand:
            self.after(self.walk.set_quantity(0))
            return
        from toteflow.tui.screens.quantity import QuantityScreen

        def done(quantity: int | None) -> None:
            if quantity is not None:
                self.after(self.walk.set_quantity(quantity))

        self.app.push_screen(QuantityScreen(stop), done)

    def action_skip(self) -> None:
        self.after(self.walk.skip())

    def action_tote_full(self) -> None:
        self.after(self.walk.tote_full())

    def action_undo(self) -> None:
        self.after(self.walk.undo())
