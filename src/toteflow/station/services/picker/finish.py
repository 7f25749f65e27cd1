"""How stops and the task end other than by a pick: a short, a skip, a pause, the finish."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.errors import Refused, ServiceError
from toteflow.domain.words import plural
from toteflow.station.services.events import FloorActions
from toteflow.station.services.picker.outcome import Outcome, bad, good, n_units
from toteflow.station.services.picker.state import ClosedTote, WalkState
from toteflow.station.services.picker.views import prompt

SHORT_REASONS = {"empty": "Location empty", "damaged": "Damaged", "not_found": "Not found"}


@dataclass(frozen=True)
class Completion:
    task_id: int
    totes: tuple[ClosedTote, ...]
    # Totes that received nothing (every line shorted or cancelled): back to the tote stack.
    empty_totes: tuple[str, ...]
    units_picked: int
    lines_short: int
    lines_cancelled: int


class Finishing:
    """A stop shorted or skipped; the task started, paused, resumed and finished."""

    def __init__(self, state: WalkState, floor: FloorActions, user_id: int) -> None:
        self.state = state
        self.floor = floor
        self.user_id = user_id

    # -- a stop that cannot be picked whole -----------------------------------------------

    def short_refusal(self) -> Outcome | None:
        """Why F2 (short) makes no sense now, or None: every unit still needed is in hand."""
        state = self.state
        line = state.current_line()
        if line is None:
            return bad("there is no stop to short")
        need = line.quantity - line.picked - line.shorted
        if state.in_hand >= need:
            one = need == 1
            return bad(
                f"the {n_units(need)} needed {'is' if one else 'are'} in hand: "
                f"scan slot {line.slot} to put {'it' if one else 'them'}",
                headline="NOTHING IS SHORT",
            )
        return None

    def short(self, found: int, reason: str) -> Outcome:
        """Not all there: `found` units go into the tote now, the rest is reported missing."""
        state = self.state
        line = state.current_line()
        if line is None:
            return bad("there is no stop to short")
        if reason not in SHORT_REASONS:
            return bad(f"choose a reason: {', '.join(SHORT_REASONS)}")
        need = line.quantity - line.picked - line.shorted
        if not 0 <= found < need:
            return bad(f"found is 0 to {need - 1} (all {need} found is not a short)")
        container = state.container(line.slot)
        try:
            # Two records, each committed with its event: a crash between them leaves the
            # found units picked and the rest still open, to short again.
            if found:
                event = self.floor.confirm_pick(
                    self.user_id,
                    line.id,
                    found,
                    tote=container.tote if container else None,
                    lot=state.in_hand_lot,
                    expiry=state.in_hand_expiry,
                    keyed=min(state.in_hand_keyed, found),
                )
                state.picks.append((event.id, line.id, found))
            self.floor.short_pick(self.user_id, line.id, reason)
        except ServiceError as refusal:
            state.refresh()
            return bad(str(refusal))
        state.drop_hand()
        state.stop_ended(line.id)
        state.recorded(line.id, picked=found, shorted=need - found)
        put = f"{found} in slot {line.slot}, " if found else ""
        return good(
            "SHORT RECORDED",
            f"{put}{need - found} missing at {line.location} ({SHORT_REASONS[reason].lower()})",
            advanced=True,
        )

    def skip(self) -> Outcome:
        """Leave this stop for later: it comes back after every other open stop."""
        state = self.state
        line = state.current_line()
        if line is None:
            return bad("there is no stop to skip")
        if state.in_hand:
            return bad(f"put the {n_units(state.in_hand)} in hand in the tote first")
        open_ids = {ln.id for ln in state.open_lines()}
        if open_ids <= {line.id}:
            return bad("this is the last stop: pick it or short it")
        if line.id in state.skipped:
            state.skipped.remove(line.id)
        state.skipped.append(line.id)
        state.current = None
        state.at_location = None
        nxt = state.current_line()
        where = nxt.location if nxt is not None else ""
        return good(
            "STOP SKIPPED", f"{line.location} comes back later; next: {where}", advanced=True
        )

    # -- the task as a whole --------------------------------------------------------------

    def start(self) -> None:
        """Record that work on the task began (or resumed after a pause)."""
        state = self.state
        if state.task.status in ("assigned", "paused"):
            self.floor.start_task(self.user_id, state.task_id)
            state.refresh()

    def pause(self) -> Outcome:
        state = self.state
        if state.task.status != "in_progress":
            return bad(f"the task is {state.task.status.replace('_', ' ')}")
        self.floor.pause_task(self.user_id, state.task_id)
        state.refresh()
        return good("PAUSED", "the task waits for you: resume it here or after logging in")

    def resume(self) -> Outcome:
        self.start()
        # Back from a break: the picker may have moved, so the location is scanned again.
        self.state.at_location = None
        return good("RESUMED", prompt(self.state))

    def finish(self) -> Completion:
        """Close every tote that holds units, then complete the task (only when all is done)."""
        state = self.state
        state.refresh()
        if state.open_lines():
            raise Refused(
                f"{plural(len(state.open_lines()), 'stop')} still open: pick or short them"
            )
        closed: list[ClosedTote] = []
        empty: list[str] = []
        for container in state.task.containers:
            if not container.tote or container.status == "closed":
                continue
            units = state.units_in_tote(container.slot)
            if units <= 0:
                empty.append(container.tote)
                continue
            destination = state.destination(container.slot)
            self.floor.close_tote(
                self.user_id, state.task_id, container.slot, container.tote, destination
            )
            closed.append(
                ClosedTote(
                    container.slot,
                    container.tote,
                    container.order_reference,
                    destination,
                    units,
                )
            )
        if state.task.status != "done":
            self.start()
            self.floor.complete_task(self.user_id, state.task_id)
        state.refresh()
        lines = state.task.lines
        return Completion(
            task_id=state.task_id,
            totes=tuple(state.closed) + tuple(closed),
            empty_totes=tuple(empty),
            units_picked=sum(ln.picked for ln in lines),
            lines_short=sum(1 for ln in lines if ln.shorted),
            lines_cancelled=sum(1 for ln in lines if ln.status == "cancelled"),
        )
