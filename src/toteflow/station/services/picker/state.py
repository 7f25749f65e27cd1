"""A pick walk's state: the task as this station holds it, and what the person is doing now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from toteflow.contracts.tasks import Task, TaskContainer, TaskLine
from toteflow.domain import picking
from toteflow.domain.errors import NotFound
from toteflow.domain.pick_checks import ItemTaken, ScanRefused
from toteflow.domain.zone_pass import PACK, destination_words, next_zone
from toteflow.station.services.events import StationView
from toteflow.station.services.picker.outcome import n_units

Phase = Literal["cart", "slot", "tote", "new_tote", "location", "item", "put", "done", "cancelled"]
DEFAULT_DESTINATION = PACK


@dataclass(frozen=True)
class ClosedTote:
    slot: int
    tote: str
    order_reference: str
    destination: str
    units: int
    # True for a tote closed because it was full, before the end of the task.
    full: bool = False

    @property
    def where(self) -> str:
        return destination_words(self.destination)


@dataclass(frozen=True)
class SlotView:
    slot: int
    order_reference: str
    tote: str | None
    status: str
    needs_tote: bool


class WalkState:
    """One task being worked by one person: the task as last read, and what they do now.

    Durable state lives in the station store (lines, totes, events); this keeps what a
    person is doing right now (the cart and slot being set up, the location they stand at,
    the units in their hand, stops they skipped, picks they may undo) and the task, re-read
    after a change from the feed and updated in memory after each change this walk records.
    """

    def __init__(self, task_id: int, view: StationView) -> None:
        self.task_id = task_id
        self.view = view
        self.task = self._load()
        self.notices_due = True
        # Set-up: the cart taken, and the slot whose tote is scanned next.
        self.cart: str | None = self.task.cart
        self.cart_scanned = False
        self.setup_slot: int | None = None
        # The slot whose tote is full, waiting for a new tote.
        self.new_tote_for: int | None = None
        # The stop: where the person stands, and the units in their hand.
        self.at_location: str | None = None
        self.last_location: str | None = None
        self.in_hand = 0
        # The line the units in hand were taken for: the feed may cancel it meanwhile, and
        # the stop on screen moves on, but those units still go back to its shelf.
        self.hand_line: int | None = None
        self.in_hand_lot: str | None = None
        self.in_hand_expiry: date | None = None
        # Units in hand that were keyed in rather than scanned (recorded with the pick).
        self.in_hand_keyed = 0
        self.substituted = False
        self.skipped: list[int] = []
        self.current: int | None = None
        # Picks recorded in this walk, oldest first: (event id, line id, units).
        self.picks: list[tuple[UUID, int, int]] = []
        # Totes closed full during the walk; lines whose units went back to the shelf.
        self.closed: list[ClosedTote] = []
        self.returned: set[int] = set()

    # -- the task -------------------------------------------------------------------------

    def _load(self) -> Task:
        task = self.view.task(self.task_id)
        if task is None:
            raise NotFound(f"this station no longer holds task {self.task_id}")
        return task

    def refresh(self) -> None:
        """Re-read the task (after a recorded change, or when the change feed brought one)."""
        self.task = self._load()
        # Notices come only from the change feed, which a full refresh follows: look again.
        self.notices_due = True

    def recorded(self, line_id: int, *, picked: int = 0, shorted: int = 0) -> None:
        """Apply a just-committed pick, short or undo to the task held in memory.

        The store applied the same rule in the same transaction (domain.picking), so
        re-reading the task is not needed: that keeps the confirming scan fast on a long
        task. Changes from the feed come with a full refresh.
        """
        lines = []
        for line in self.task.lines:
            if line.id == line_id:
                new_picked, new_shorted = line.picked + picked, line.shorted + shorted
                status = (
                    line.status
                    if line.status == "cancelled"
                    else picking.line_status(line.quantity, new_picked, new_shorted)
                )
                line = line.model_copy(
                    update={"picked": new_picked, "shorted": new_shorted, "status": status}
                )
            lines.append(line)
        self.task = self.task.model_copy(update={"lines": lines})

    @property
    def kind(self) -> str:
        return self.task.kind

    def container(self, slot: int) -> TaskContainer | None:
        for container in self.task.containers:
            if container.slot == slot:
                return container
        return None

    def line(self, line_id: int) -> TaskLine | None:
        for line in self.task.lines:
            if line.id == line_id:
                return line
        return None

    def open_lines(self) -> list[TaskLine]:
        return [line for line in self.task.lines if line.status == "open"]

    # -- slots and totes ------------------------------------------------------------------

    def slots(self) -> list[SlotView]:
        """Each slot with its order and tote, and whether it still needs a tote scanned."""
        busy = {line.slot for line in self.open_lines()}
        return [
            SlotView(
                c.slot,
                c.order_reference,
                c.tote,
                c.status,
                needs_tote=c.slot in busy and (not c.tote or c.status == "closed"),
            )
            for c in self.task.containers
        ]

    def slot_needing_tote(self) -> int | None:
        needing = [s.slot for s in self.slots() if s.needs_tote]
        return needing[0] if needing else None

    def totes_in_use(self) -> dict[str, int]:
        return {c.tote: c.slot for c in self.task.containers if c.tote and c.status == "open"}

    def destination(self, slot: int, *, full: bool = False) -> str:
        container = self.container(slot)
        # The server names the destination when it plans the work (the next zone of a
        # zone-picked order, consolidation); otherwise totes go to packing.
        preset = container.destination if container is not None else ""
        if full and next_zone(preset) is not None:
            # A full tote cannot take the next zone's units: it goes to packing, where the
            # pack desk waits for every tote of the order; the new tote passes on.
            return PACK
        return preset or DEFAULT_DESTINATION

    def arriving(self, slot: int) -> tuple[str, str | None] | None:
        """The tote the order's zone before sent on to this slot, and that zone; or None."""
        container = self.container(slot)
        if container is None or not container.arriving_tote or container.tote:
            return None
        return container.arriving_tote, container.arriving_from

    def units_in_tote(self, slot: int) -> int:
        """Units picked into the slot's open tote: not in a tote closed full before it."""
        # Units of a cancelled line or order go back to the shelf (the picker is told where).
        picked = sum(
            ln.picked
            for ln in self.task.lines
            if ln.slot == slot and ln.status != "cancelled" and ln.id not in self.returned
        )
        return picked - sum(t.units for t in self.closed if t.slot == slot)

    # -- where the walk is ----------------------------------------------------------------

    def current_line(self) -> TaskLine | None:
        """The stop being worked: the one in hand, else the next open one in route order.

        Skipped stops come after every other open stop, in the order they were skipped.
        """
        open_lines = self.open_lines()
        by_id = {line.id: line for line in open_lines}
        if self.current in by_id:
            return by_id[self.current]
        ahead = [line for line in open_lines if line.id not in self.skipped]
        if ahead:
            chosen = ahead[0]
        else:
            later = [by_id[i] for i in self.skipped if i in by_id]
            if not later:
                self.current = None
                return None
            chosen = later[0]
        self.current = chosen.id
        return chosen

    def stop_ended(self, line_id: int) -> None:
        """The line is picked or shorted: the walk goes on to the next stop."""
        self.current = None
        if line_id in self.skipped:
            self.skipped.remove(line_id)

    @property
    def phase(self) -> Phase:
        if self.task.status == "cancelled":
            return "cancelled"
        if self.new_tote_for is not None:
            return "new_tote"
        needing = self.slot_needing_tote()
        if needing is not None:
            if self.kind == "cart" and not self.cart_scanned:
                return "cart"
            if self.kind == "cart" and self.setup_slot is None:
                return "slot"
            return "tote"
        line = self.current_line()
        if line is None:
            return "done"
        if self.at_location != line.location:
            return "location"
        return "put" if self.in_hand else "item"

    @property
    def setting_up(self) -> bool:
        return self.phase in ("cart", "slot", "tote")

    # -- the units in hand ----------------------------------------------------------------

    def hand_cancelled(self) -> TaskLine | None:
        """The line the units in hand are for, when it is no longer open (its order was
        cancelled): those units go back to its shelf."""
        line = self.line(self.hand_line) if self.in_hand and self.hand_line is not None else None
        return line if line is not None and line.status != "open" else None

    def take(self, taken: ItemTaken, line_id: int) -> None:
        if self.in_hand and taken.lot != self.in_hand_lot:
            raise ScanRefused(
                f"another lot ({taken.lot or 'none'}): put the {n_units(self.in_hand)} of lot "
                f"{self.in_hand_lot or 'none'} in the tote first"
            )
        self.in_hand += taken.units
        self.hand_line = line_id
        self.in_hand_keyed += taken.units if taken.keyed else 0
        self.in_hand_lot = taken.lot
        self.in_hand_expiry = taken.expiry
        self.substituted = taken.substituted

    def drop_hand(self) -> None:
        self.in_hand = 0
        self.hand_line = None
        self.in_hand_keyed = 0
        self.in_hand_lot = None
        self.in_hand_expiry = None
        self.substituted = False
