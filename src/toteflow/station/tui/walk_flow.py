"""Which screen a pick walk needs now: tote set-up, the next stop, or the task's end.

The screens move on through the app (`StationApp.open_walk`, `follow_walk`), which uses this
module, so that no screen imports the screens it leads to and the screens form no circle.
"""

from __future__ import annotations

from textual.screen import Screen

from toteflow.domain.errors import ServiceError
from toteflow.station.services.picker import Outcome, PickWalk
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen
from toteflow.station.tui.screens.zone_start import ZoneStartScreen


def screen_for(walk: PickWalk, outcome: Outcome | None = None) -> Screen[None]:
    """A new screen for the walk's phase; finishing the task happens here, once."""
    phase = walk.phase
    if phase in ("cart", "slot", "tote"):
        if walk.kind == "zone":
            return ZoneStartScreen(walk, outcome)
        return CartSetupScreen(walk, outcome)
    if phase == "done":
        try:
            return TaskCompleteScreen(walk.task_id, walk.finish(), None)
        except ServiceError as refusal:
            return NextStopScreen(walk, Outcome(False, "CANNOT FINISH", str(refusal)))
    if phase == "cancelled":
        return TaskCompleteScreen(walk.task_id, None, "this task was cancelled")
    return NextStopScreen(walk, outcome)


def wants_screen(walk: PickWalk) -> str:
    """The name of the screen class the walk's phase belongs on."""
    phase = walk.phase
    if phase in ("cart", "slot", "tote"):
        return "ZoneStartScreen" if walk.kind == "zone" else "CartSetupScreen"
    if phase in ("done", "cancelled"):
        return "TaskCompleteScreen"
    return "NextStopScreen"
