"""The next stop, large: where to go, what to pick, which slot; the scans of the stop."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Digits, Footer, Static

from toteflow.station.services.picker import Progress, StopAhead, StopView
from toteflow.station.tui.screens.walk_screen import WalkScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

ACTIVE_BACKGROUND = Color.parse("#3D3300")
ACTIVE_DIGITS = Color.parse("#FFD400")
# From this size on, the rows left over list the stops after this one (80x24 has none).
AHEAD_FROM = (100, 30)
# The rows of everything else on the screen (status, progress, three panels, feedback,
# prompt, footer: station.tcss); the list gets the rest, its title row among them.
OTHER_ROWS = 23


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
        f" · {stop.barcode}" if stop.barcode else "",
        "\n",
        line3,
    )


def put_words(stop: StopView) -> Content:
    tote = f"tote {stop.tote}" if stop.tote else "no tote yet"
    return Content.assemble(("PUT IN SLOT\n", "bold"), tote, "\n", f"order {stop.order_reference}")


def ahead_words(stops: list[StopAhead]) -> Content:
    """The stops after this one, a row each: where, how many of what, into which slot."""
    if not stops:
        return Content.assemble(("THEN", "bold"), "\n", ("this is the last stop", "dim"))
    rows: list[Content | str | tuple[str, str]] = [("THEN", "bold")]
    for stop in stops:
        later = " (skipped before)" if stop.skipped else ""
        rows += [
            "\n",
            (f"{stop.location}  ", "bold"),
            f"{stop.quantity} x {stop.sku} {stop.description} · slot {stop.slot}{later}",
        ]
    return Content.assemble(*rows)


class NextStopScreen(WalkScreen):
    """One stop at a time, in route order; the panel for the scan expected now is lit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "short", "Short"),
        Binding("f3", "quantity", "Qty"),
        Binding("f4", "skip", "Skip"),
        Binding("f5", "tote_full", "Full"),
        Binding("f6", "undo", "Undo"),
    ]

    _lit: dict[str, bool]
    _shown: dict[str, Content | str]
    _widgets: dict[str, Widget]

    def compose(self) -> ComposeResult:
        self._lit = {}
        self._shown = {}
        self._widgets = {}
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
        yield Static("", id="stop-ahead")
        yield ScanFeedback("", id="feedback")
        yield ScanPrompt()
        yield Footer(compact=True)

    def _show(self, widget_id: str, content: Content | str) -> None:
        # Only what changed is repainted: the frame after a scan costs what it shows.
        # Every panel has a fixed size, so layout=False spares a whole-screen layout pass.
        if self._shown.get(widget_id) == content:
            return
        self._shown[widget_id] = content
        widget = self._widget(widget_id)
        if isinstance(widget, Digits):
            widget.update(str(content))
        elif isinstance(widget, Static):
            widget.update(content, layout=False)

    def _widget(self, widget_id: str) -> Widget:
        # Looked up once: a query matches a selector against the whole screen each time.
        widget = self._widgets.get(widget_id)
        if widget is None:
            widget = self._widgets[widget_id] = self.query_one(widget_id)
        return widget

    def on_resize(self) -> None:
        ahead = self._widget("#stop-ahead")
        wide, tall = AHEAD_FROM
        show = self.size.width >= wide and self.size.height >= tall
        if ahead.display != show:
            ahead.display = show
            self._shown.pop("#stop-ahead", None)
            self.render_walk()

    def render_walk(self) -> None:
        walk = self.walk
        stop = walk.stop()
        self._show("#stop-progress", progress_words(walk.progress()))
        if stop is None:
            return
        ahead = self._widget("#stop-ahead")
        if ahead.display:
            # As many as the rows hold (a title row first); recounted when the size changes.
            rows = max(1, self.size.height - OTHER_ROWS - 1)
            self._show("#stop-ahead", ahead_words(walk.stops_ahead(rows)))
        phase = walk.phase
        self._show("#stop-where-words", where_words(stop))
        self._show("#stop-location", stop.location)
        self._show("#stop-what-words", what_words(stop))
        self._show("#stop-qty", str(stop.quantity))
        self._show("#stop-put-words", put_words(stop))
        self._show("#stop-slot", str(stop.slot))
        self._light("#stop-where", "#stop-location", phase == "location")
        self._light("#stop-what", "#stop-qty", phase == "item")
        self._light("#stop-put", "#stop-slot", phase in ("put", "new_tote"))
        prompt = walk.prompt()
        feedback = self._widget("#feedback")
        assert isinstance(feedback, ScanFeedback)
        if not feedback.last_signal:
            feedback.idle(prompt)
        scan_prompt = self._widget("ScanPrompt")
        assert isinstance(scan_prompt, ScanPrompt)
        if scan_prompt.hint != prompt:
            scan_prompt.hint = prompt
            scan_prompt.refresh()

    def _light(self, panel_id: str, digits_id: str, on: bool) -> None:
        """Light the panel of the scan expected now (the yellow of the floor theme).

        Inline colours, not a CSS class: a class change re-matches the stylesheet for the
        panel and its children on every scan, which costs more than the rest of the frame.
        """
        if self._lit.get(panel_id) == on:
            return
        self._lit[panel_id] = on
        self._widget(panel_id).styles.background = ACTIVE_BACKGROUND if on else None
        self._widget(digits_id).styles.color = ACTIVE_DIGITS if on else None

    def action_short(self) -> None:
        stop = self.walk.stop()
        if stop is None:
            return
        refusal = self.walk.short_refusal()
        if refusal is not None:
            self.after(refusal)
            return
        from toteflow.station.tui.screens.short_pick import ShortPickScreen

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
        from toteflow.station.tui.screens.quantity import QuantityScreen

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
