"""Cart set-up: scan the cart, then for each slot its label and an empty tote (discrete: a tote)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Digits, Footer, Static

from toteflow.domain.words import plural
from toteflow.station.services.picker import SlotView
from toteflow.station.tui.screens.walk_screen import WalkScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


def slot_lines(slots: list[SlotView], current: int | None) -> Content:
    """One row per slot: its order and tote, the one being set up marked."""
    rows = []
    for slot in slots:
        mark = "▶" if slot.slot == current else " "
        if slot.needs_tote:
            tote = Content.styled("scan a tote", "bold $warning")
        elif slot.tote:
            tote = Content.styled(f"✓ {slot.tote}", "bold $success")
        else:
            tote = Content.styled("no picks", "$text-muted")
        rows.append(
            Content.assemble(
                (f"{mark} slot {slot.slot:>2}  ", "bold"),
                f"order {slot.order_reference:<14} ",
                tote,
            )
        )
    return Content("\n").join(rows)


class CartSetupScreen(WalkScreen):
    """Before the first stop: every slot with work gets an empty tote, scanned into it."""

    TITLE_WORD = "CART SET-UP"

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="setup-title")
        with Horizontal(id="setup-ask", classes="panel"):
            yield Static("", id="setup-ask-words")
            yield Digits("", id="setup-slot")
        yield Static("", id="setup-slots")
        yield ScanFeedback("", id="feedback")
        yield ScanPrompt()
        yield Footer(compact=True)

    def _title(self) -> str:
        task = self.walk.task
        if self.walk.kind == "cart":
            cart = self.walk.cart or task.cart
            which = f"cart {cart}" if cart else "any cart"
            return f"{self.TITLE_WORD} · task {task.id} · {which} · {plural(task.slots, 'slot')}"
        return f"TOTE SET-UP · task {task.id} · order {task.containers[0].order_reference}"

    def _asked_slot(self) -> int | None:
        walk = self.walk
        if walk.phase == "cart":
            return None
        return walk.setup_slot or next((s.slot for s in walk.slots() if s.needs_tote), None)

    def render_walk(self) -> None:
        walk = self.walk
        slot = self._asked_slot()
        self.query_one("#setup-title", Static).update(self._title())
        self.query_one("#setup-ask-words", Static).update(
            Content.assemble(("NEXT\n", "bold"), walk.prompt())
        )
        self.query_one("#setup-slot", Digits).update(str(slot) if slot else "")
        self.query_one("#setup-slots", Static).update(slot_lines(walk.slots(), slot))
        feedback = self.query_one(ScanFeedback)
        if not feedback.last_signal:
            feedback.idle(walk.prompt())
