"""Undo in a pick walk: the units in hand back on the shelf, else the last recorded pick."""

from __future__ import annotations

from toteflow.domain.errors import ServiceError
from toteflow.station.services.events import FloorActions
from toteflow.station.services.picker.outcome import Outcome, bad, good, n_units
from toteflow.station.services.picker.state import WalkState


class Undo:
    """Takes back what the picker did last in this walk.

    Units in hand were never recorded: they only go back. A recorded pick (the last one of
    this walk's `state.picks`) is taken back by a compensating event, and the picker goes
    back to its stop to put the units on the shelf.
    """

    def __init__(self, state: WalkState, floor: FloorActions, user_id: int) -> None:
        self.state = state
        self.floor = floor
        self.user_id = user_id

    def undo(self) -> Outcome:
        """Take back the units in hand, else the last recorded pick (a compensating event)."""
        state = self.state
        if state.in_hand:
            count = state.in_hand
            state.drop_hand()
            return good("UNDONE", f"put the {n_units(count)} in hand back: nothing was recorded")
        if not state.picks:
            return bad("nothing to undo: no pick was recorded in this walk")
        event_id, line_id, quantity = state.picks[-1]
        try:
            self.floor.undo_pick(self.user_id, event_id)
        except ServiceError as refusal:
            return bad(str(refusal))
        state.picks.pop()
        state.recorded(line_id, picked=-quantity)
        line = state.line(line_id)
        container = state.container(line.slot) if line else None
        state.current = line_id
        state.at_location = None
        where = line.location if line else "its location"
        tote = f" out of tote {container.tote}" if container and container.tote else ""
        return good(
            "PICK UNDONE",
            f"take the {n_units(quantity)}{tote} and put {'it' if quantity == 1 else 'them'} "
            f"back at {where}",
            advanced=True,
        )
