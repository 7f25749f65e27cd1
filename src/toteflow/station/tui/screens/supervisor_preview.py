"""A planned wave's preview: what releasing it now would take, make and cost; F5 releases it."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from toteflow.contracts import waves as wv
from toteflow.station.services.wave_console import WaveConsole, left_out_words
from toteflow.station.tui.screens.supervisor_base import SupervisorScreen, clock, minutes
from toteflow.station.tui.screens.supervisor_dialogs import ReasonDialog
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def preview_words(preview: wv.WavePreview) -> str:
    """The preview's figures, a few short lines."""
    zones = ", ".join(f"{z.zone or 'no zone'} {z.lines}" for z in preview.zones) or "none"
    text = [
        f"Orders {preview.orders} · lines {preview.lines} · units {preview.units}",
        f"Zones (lines): {zones}",
        f"Tasks {preview.tasks} · carts {preview.carts} · totes {preview.totes}",
        f"Walk {preview.distance_m:,.0f} m · {minutes(preview.walking_seconds)} walking + "
        f"{minutes(preview.picking_seconds)} picking = {minutes(preview.pick_seconds)}",
    ]
    if preview.cutoff_at is not None:
        text.append(f"Carrier cut-off {clock(preview.cutoff_at)}")
    if preview.shortages:
        first = "; ".join(
            f"{s.order_reference} {s.sku} -{s.missing}" for s in preview.shortages[:3]
        )
        more = f" (+{len(preview.shortages) - 3})" if len(preview.shortages) > 3 else ""
        text.append(
            f"SHORT {plural(preview.short_units, 'unit')} on "
            f"{plural(len(preview.shortages), 'line')} "
            f"(policy {preview.shortage_policy}): {first}{more}"
        )
    else:
        text.append("No shortages")
    if preview.orders_left:
        left = len(preview.orders_left)
        verb = "stays" if left == 1 else "stay"
        text.append(f"{plural(left, 'order')} {verb} in the pool (nothing reservable)")
    if preview.orders_cancelled:
        gone = len(preview.orders_cancelled)
        text.append(f"{plural(gone, 'order')} cancelled: every line short (policy cancel_line)")
    if preview.left_out:
        # Where the preview takes fewer than the whole pool, which filter left them out.
        text.append(
            f"Filters take {preview.matched} of {preview.waiting} waiting orders; left out by\n"
            f"  {left_out_words(preview.left_out)}"
        )
    return "\n".join(text)


class WavePreviewScreen(SupervisorScreen):
    """F5 releases the wave (allocate, batch, route, create tasks); F8 discards it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f5", "release", "Release"),
        Binding("f8", "discard", "Discard wave"),
    ]

    def __init__(self, console: WaveConsole, wave: wv.Wave, preview: wv.WavePreview) -> None:
        super().__init__(console)
        self.wave = wave
        self.preview = preview
        self.released: wv.WaveRelease | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(self._title(), id="sup-title")
        yield Static(preview_words(self.preview), id="preview-figures")
        yield ScanFeedback(
            "F5 releases the wave · F8 discards it · Escape keeps it planned", id="sup-feedback"
        )
        yield Footer(compact=True)

    def _title(self) -> str:
        filters = self.wave.filters.model_dump(exclude_none=True)
        said = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in filters.items()) or "no filters"
        return f"PREVIEW · wave {self.wave.name} · {self.wave.strategy} · {said}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Released or discarded: the keys would do nothing, so they leave the footer.
        return action not in ("release", "discard") or self.wave.status == "planned"

    def action_release(self) -> None:
        if self.wave.status == "planned":
            self._release()

    @work(exclusive=True, group="preview")
    async def _release(self) -> None:
        self.say("Releasing: allocating, batching, routing…")
        done = await self.ask(self.console.release(self.wave.id), "NOT RELEASED")
        if done is None:
            return
        self.released = done
        self.wave = done.wave
        self.refresh_bindings()
        self.query_one("#sup-title", Static).update(self._title().replace("PREVIEW", "RELEASED"))
        self.query_one("#preview-figures", Static).update(preview_words(done.result))
        self.signal(
            True,
            f"WAVE {done.wave.name} RELEASED",
            f"{done.result.orders} orders, {len(done.task_ids)} tasks for the pickers",
        )

    def action_discard(self) -> None:
        if self.wave.status != "planned":
            return

        def discard(reason: str | None) -> None:
            if reason is not None:
                self._discard(reason)

        self.app.push_screen(
            ReasonDialog(f"DISCARD WAVE {self.wave.name}", "Nothing was released; no order moves."),
            discard,
        )

    @work(exclusive=True, group="preview")
    async def _discard(self, reason: str) -> None:
        done = await self.ask(self.console.cancel(self.wave.id, reason), "NOT DISCARDED")
        if done is not None:
            self.wave = done.wave
            self.refresh_bindings()
            self.query_one("#sup-title", Static).update(
                self._title().replace("PREVIEW", "DISCARDED")
            )
            self.signal(True, f"WAVE {done.wave.name} DISCARDED", "Escape goes back")
