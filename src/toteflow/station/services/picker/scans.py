"""A pick walk's scans: each one checked by the pure rules (domain.pick_checks), then acted on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from toteflow.contracts.tasks import TaskContainer, TaskLine
from toteflow.domain.errors import ServiceError
from toteflow.domain.pick_checks import (
    PackSize,
    ScanRefused,
    StopSpec,
    check_item,
    check_location,
    check_put,
)
from toteflow.domain.scan import CartSlotScan, ScanResult, ToteScan
from toteflow.station.ports.store import Notice
from toteflow.station.services.events import FloorActions
from toteflow.station.services.picker.outcome import Outcome, bad, good, n_units
from toteflow.station.services.picker.state import WalkState
from toteflow.station.services.picker.totes import Totes


def _stop_spec(line: TaskLine, container: TaskContainer | None, cart: str | None) -> StopSpec:
    return StopSpec(
        location=line.location,
        sku=line.sku,
        description=line.description,
        packs=[PackSize(u.barcode, u.uom, u.units) for u in line.units],
        lot_tracked=line.lot_tracked,
        expiry_tracked=line.expiry_tracked,
        lot_substitution=line.lot_substitution,
        lot=line.lot,
        expiry=line.expiry,
        open_quantity=line.quantity - line.picked - line.shorted,
        slot=line.slot,
        tote=container.tote if container is not None else None,
        cart=cart,
    )


class ScanRules:
    """Turns each scan into an outcome for the walk's phase; a bad outcome recorded nothing.

    Notices from the change feed come first. The set-up phases' scans go to `Totes`; at a
    stop, the location's label, then the item (as many scans as units, or one and the
    quantity key), then the tote or slot label, which records the pick.
    """

    def __init__(
        self,
        state: WalkState,
        floor: FloorActions,
        user_id: int,
        totes: Totes,
        today: Callable[[], date],
        *,
        allow_keyed: bool = False,
    ) -> None:
        self.state = state
        self.floor = floor
        self.user_id = user_id
        self.totes = totes
        self.today = today
        # [station] allow_keyed_items: the SKU typed from the screen counts, marked as keyed.
        self.allow_keyed = allow_keyed

    # -- notices from the change feed -----------------------------------------------------

    def pending_notices(self) -> tuple[Notice, ...]:
        return tuple(self.state.view.notices(self.state.task_id))

    def hand_words(self) -> str:
        """The units in the picker's hand for a line the feed cancelled, as the notice says
        it: the server never counted them, so no notice from the feed names them."""
        line = self.state.hand_cancelled()
        if line is None:
            return ""
        return (
            f"Also put the {n_units(self.state.in_hand)} of {line.sku} in your hand back "
            f"at {line.location}."
        )

    def acknowledge(self, notices: tuple[Notice, ...]) -> str:
        """The picker read these: mark them seen and take in what the feed changed.

        Returns what else to do: units in hand for a line that was cancelled go back too.
        """
        state = self.state
        for notice in notices:
            if notice.line_id is not None:
                # "Put the units of this line back": they are no longer in the tote.
                state.returned.add(notice.line_id)
            state.view.notice_seen(notice.id)
        held = state.hand_line if state.in_hand else state.current
        state.refresh()
        line = state.line(held) if held is not None else None
        if line is not None and line.status != "open":
            count, where = state.in_hand, line.location
            state.drop_hand()
            state.current = None
            state.at_location = None
            if count:
                return f"also put the {n_units(count)} in your hand back at {where}"
        return ""

    # -- scans ----------------------------------------------------------------------------

    def scan(self, result: ScanResult) -> Outcome:
        """Act on one scan for the current phase; a bad outcome recorded nothing."""
        state = self.state
        if state.notices_due:
            notices = self.pending_notices()
            if notices:
                return Outcome(False, "READ THIS FIRST", notices[0].message, notices=notices)
            state.notices_due = False
        phase = state.phase
        try:
            match phase:
                case "cart":
                    return self.totes.scan_cart(result)
                case "slot":
                    return self.totes.scan_slot(result)
                case "tote":
                    return self.totes.scan_tote(result)
                case "new_tote":
                    return self.totes.scan_new_tote(result)
                case "location":
                    return self._scan_location(result)
                case "item" | "put":
                    return self._scan_item_or_put(result)
                case "done":
                    return bad("every stop is done: press Enter to finish the task")
                case _:
                    return bad("this task was cancelled: go back to the home screen")
        except ScanRefused as refusal:
            return bad(str(refusal))
        except ServiceError as refusal:
            return bad(str(refusal))

    def _spec(self, line: TaskLine) -> StopSpec:
        return _stop_spec(line, self.state.container(line.slot), self.state.cart)

    def _scan_location(self, result: ScanResult) -> Outcome:
        state = self.state
        line = state.current_line()
        assert line is not None
        check_location(result, self._spec(line))
        state.at_location = line.location
        state.last_location = line.location
        return good(f"AT {line.location}", f"scan {line.description} ({line.sku})")

    def _scan_item_or_put(self, result: ScanResult) -> Outcome:
        state = self.state
        line = state.current_line()
        assert line is not None
        spec = self._spec(line)
        if state.in_hand and isinstance(result, ToteScan | CartSlotScan):
            check_put(result, spec)
            return self._confirm(line, spec)
        still = replace(spec, open_quantity=spec.open_quantity - state.in_hand)
        taken = check_item(result, still, self.today(), allow_keyed=self.allow_keyed)
        state.take(taken, line.id)
        need = spec.open_quantity
        lot = f" · lot {taken.lot}" if taken.lot else ""
        if taken.substituted:
            lot += f" (instead of {line.lot}: recorded)"
        if taken.keyed:
            lot += " · keyed in (recorded)"
        return good(f"{state.in_hand} OF {need}", f"{line.sku}{lot}")

    def _confirm(self, line: TaskLine, spec: StopSpec) -> Outcome:
        """The put scan: the units in hand are recorded as picked into the stop's tote.

        The latency-sensitive path (benchmarks/bench_pick_latency.py): one commit, then the
        task in memory is updated without re-reading it.
        """
        state = self.state
        quantity = state.in_hand
        event = self.floor.confirm_pick(
            self.user_id,
            line.id,
            quantity,
            tote=spec.tote,
            lot=state.in_hand_lot,
            expiry=state.in_hand_expiry,
            keyed=state.in_hand_keyed,
        )
        state.picks.append((event.id, line.id, quantity))
        state.drop_hand()
        state.recorded(line.id, picked=quantity)
        done = state.line(line.id)
        if done is not None and done.status == "open":
            left = done.quantity - done.picked - done.shorted
            return good(f"{quantity} IN SLOT {line.slot}", f"{left} more to pick here")
        state.stop_ended(line.id)
        nxt = state.current_line()
        detail = f"next: {nxt.location}" if nxt is not None else "every stop is done"
        return good(f"{quantity} IN SLOT {line.slot} ✓", detail, advanced=True)

    # -- the quantity key -----------------------------------------------------------------

    def set_quantity(self, quantity: int) -> Outcome:
        """Bulk: after one scan of the item, the number of units taken (counted by hand)."""
        state = self.state
        line = state.current_line()
        if line is None or state.phase not in ("item", "put"):
            return bad("scan the location and the item first")
        if not state.in_hand:
            return bad("scan the item once first, then enter the quantity")
        need = line.quantity - line.picked - line.shorted
        if not 1 <= quantity <= need:
            return bad(f"enter 1 to {need}")
        if state.in_hand_keyed:
            # One keyed entry and a count: every unit of it stands on that typed entry.
            state.in_hand_keyed = quantity
        state.in_hand = quantity
        return good(f"{quantity} OF {need}", f"scan slot {line.slot} to put them")
