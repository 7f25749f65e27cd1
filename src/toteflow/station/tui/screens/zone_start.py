"""Zone start: scan the tote arriving from the zone before (or a new one) for each order."""

from __future__ import annotations

from toteflow.domain.words import plural
from toteflow.station.tui.screens.cart_setup import CartSetupScreen


class ZoneStartScreen(CartSetupScreen):
    """A zone task's totes: the ones handed over from the zone before, or new ones."""

    def _title(self) -> str:
        task = self.walk.task
        orders = plural(len(task.containers), "order")
        return f"ZONE {task.zone or '?'} START · task {task.id} · {orders}"
