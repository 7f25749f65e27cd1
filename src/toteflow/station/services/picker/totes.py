"""Carts and totes in a pick walk: the cart, a tote for each slot, a new tote for a full one."""

from __future__ import annotations

from toteflow.domain.errors import Refused
from toteflow.domain.pick_checks import check_new_tote
from toteflow.domain.scan import CartScan, CartSlotScan, ScanError, ScanResult, ToteScan, label_name
from toteflow.domain.zone_pass import PACK, destination_words, zone_words
from toteflow.station.services import registry
from toteflow.station.services.events import FloorActions, record
from toteflow.station.services.picker.outcome import Outcome, bad, good
from toteflow.station.services.picker.state import ClosedTote, WalkState
from toteflow.station.services.picker.views import prompt


class Totes:
    """The scans that put totes on the cart (or in the picker's hands), and the full-tote key.

    A cart task starts with its cart's label, then each slot's label and a tote for it; a
    discrete or zone task starts with its totes. A tote that fills up mid-walk is closed
    and a new one takes its slot.
    """

    def __init__(self, state: WalkState, floor: FloorActions, user_id: int) -> None:
        self.state = state
        self.floor = floor
        self.user_id = user_id

    def scan_cart(self, result: ScanResult) -> Outcome:
        state = self.state
        if isinstance(result, ScanError):
            return bad(result.reason)
        if not isinstance(result, CartScan):
            return bad(f"scan the cart's label first: that was a {label_name(result)}")
        if state.task.cart and result.code != state.task.cart:
            return bad(f"wrong cart {result.code}: take cart {state.task.cart}")
        # Not registered, or in another task: refused here, from the station's registry.
        self.floor.assign_cart(self.user_id, state.task_id, result.code)
        state.cart = result.code
        state.cart_scanned = True
        return good(f"CART {result.code}", prompt(state))

    def another_cart(self, result: CartScan) -> Outcome:
        """Another cart before any tote is on this one: the picker took the wrong cart."""
        state = self.state
        if any(c.tote for c in state.task.containers):
            return bad(f"totes are on cart {state.cart} already: carry on with it")
        outcome = self.scan_cart(result)
        if outcome.ok:
            state.setup_slot = None
        return outcome

    def scan_slot(self, result: ScanResult) -> Outcome:
        state = self.state
        if isinstance(result, CartScan):
            return self.another_cart(result)
        if isinstance(result, ToteScan):
            # A tote straight away goes into the slot the screen asks for.
            state.setup_slot = state.slot_needing_tote()
            return self.scan_tote(result)
        if isinstance(result, ScanError):
            return bad(result.reason)
        if not isinstance(result, CartSlotScan):
            return bad(f"scan a slot label on the cart: that was a {label_name(result)}")
        if state.cart and result.cart != state.cart:
            return bad(f"wrong cart {result.cart}: this task uses cart {state.cart}")
        view = {s.slot: s for s in state.slots()}.get(result.slot)
        if view is None:
            return bad(f"this task has no slot {result.slot}: it uses slots 1-{state.task.slots}")
        if not view.needs_tote:
            return bad(f"slot {result.slot} already holds tote {view.tote}")
        state.setup_slot = result.slot
        return good(f"SLOT {result.slot}", f"order {view.order_reference}: scan its tote")

    def scan_tote(self, result: ScanResult) -> Outcome:
        """A tote for the slot being set up (the slot scanned, else the first needing one)."""
        state = self.state
        if isinstance(result, CartScan) and state.kind == "cart":
            return self.another_cart(result)
        slot = state.setup_slot or state.slot_needing_tote()
        assert slot is not None
        closed = frozenset(t.tote for t in state.closed)
        tote = check_new_tote(result, slot, state.totes_in_use(), closed)
        arriving = state.arriving(slot)
        self.floor.assign_tote(self.user_id, state.task_id, slot, tote)
        state.setup_slot = None
        state.refresh()
        container = state.container(slot)
        order = container.order_reference if container else ""
        if arriving is not None:
            came, zone = arriving
            if came == tote:
                return good(
                    f"TOTE {tote} TAKEN", f"order {order}, from {zone_words(zone)}", advanced=True
                )
            # The server sends the tote that came on to packing when it sees this one.
            return good(
                f"NEW TOTE {tote} · ORDER {order}",
                f"tote {came} from {zone_words(zone)} goes on to {destination_words(PACK)}: "
                "the pack desk waits for both",
                advanced=True,
            )
        return good(f"TOTE {tote} → SLOT {slot}", f"order {order}", advanced=True)

    # -- a full tote ----------------------------------------------------------------------

    def tote_full(self) -> Outcome:
        """The current stop's tote is full: close it, then a new tote takes its slot."""
        state = self.state
        line = state.current_line()
        if line is None or state.setting_up:
            return bad("no tote is being filled now")
        container = state.container(line.slot)
        if container is None or not container.tote:
            return bad(f"slot {line.slot} has no tote yet")
        if state.new_tote_for is not None:
            state.new_tote_for = None
            return good("CARRY ON", f"tote {container.tote} stays in slot {line.slot}")
        if state.units_in_tote(line.slot) <= 0:
            # A closed empty tote would travel to packing with nothing for the packer.
            return bad(
                f"tote {container.tote} has nothing in it yet: it cannot be full",
                headline="TOTE IS EMPTY",
            )
        state.new_tote_for = line.slot
        return good(f"TOTE {container.tote} FULL", f"scan a new empty tote for slot {line.slot}")

    def scan_new_tote(self, result: ScanResult) -> Outcome:
        state = self.state
        slot = state.new_tote_for
        assert slot is not None
        closed = frozenset(t.tote for t in state.closed)
        container = state.container(slot)
        tote = check_new_tote(
            result, slot, state.totes_in_use(), closed, container.tote if container else None
        )
        full = self._replace_tote(slot, tote)
        state.new_tote_for = None
        state.refresh()
        return good(
            f"NEW TOTE {tote} → SLOT {slot}",
            f"tote {full.tote} closed: take it to {full.where}",
            advanced=True,
        )

    def _replace_tote(self, slot: int, new: str) -> ClosedTote:
        """Close the slot's full tote and put `new` in its place, in one transaction."""
        state = self.state
        container = state.container(slot)
        assert container is not None
        assert container.tote
        old = container.tote
        destination = state.destination(slot, full=True)
        units = state.units_in_tote(slot)
        task_id, user = state.task_id, self.user_id
        with self.floor.uow() as uow:
            current = uow.tasks.container(task_id, slot)
            if current is None or current.tote != old or current.status != "open":
                raise Refused(f"slot {slot} no longer holds tote {old}: scan again")
            registry.take_tote(uow, task_id, slot, new, current.order_reference)
            registry.close_tote(uow, task_id, slot, old, destination, units)
            record(
                uow,
                user,
                "tote.closed",
                {"task_id": task_id, "slot": slot, "tote": old, "destination": destination},
                # The slot keeps its planned destination for the tote that takes its place:
                # a zone's full tote goes to packing, the new one passes on.
                lambda u: u.tasks.set_container(task_id, slot, tote=old, status="closed"),
                now=self.floor.clock,
            )
            record(
                uow,
                user,
                "tote.assigned",
                {"task_id": task_id, "slot": slot, "tote": new},
                lambda u: u.tasks.set_container(task_id, slot, tote=new, status="open"),
                now=self.floor.clock,
            )
            uow.commit()
        if self.floor.on_recorded is not None:
            self.floor.on_recorded()
        closed = ClosedTote(slot, old, container.order_reference, destination, units, full=True)
        state.closed.append(closed)
        return closed
