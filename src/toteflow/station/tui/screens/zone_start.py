"""Zone start: take the tote arriving from the order's zone before (or a new one) for each order."""

from __future__ import annotations

from toteflow.domain.words import plural
from toteflow.domain.zone_pass import zone_words
from toteflow.station.tui.screens.cart_setup import CartSetupScreen


class ZoneStartScreen(CartSetupScreen):
    """A zone task's totes: the one handed over from the zone before, or a new one."""

    def _title(self) -> str:
        task = self.walk.task
        title = f"ZONE {task.zone or '?'} START · task {task.id}"
        if len(task.containers) != 1:
            return f"{title} · {plural(len(task.containers), 'order')}"
        [container] = task.containers
        title += f" · order {container.order_reference}"
        if container.arriving_tote and not container.tote:
            came = zone_words(container.arriving_from)
            return f"{title} · tote {container.arriving_tote} from {came}"
        return title
