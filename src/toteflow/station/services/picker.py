"""The picker's guided walk: totes for the slots, then each stop's location, item and tote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal
from uuid import UUID

from toteflow.contracts.tasks import Task, TaskContainer, TaskLine
from toteflow.domain import picking
from toteflow.domain.errors import NotFound, Refused, ServiceError
from toteflow.domain.layout import Layout
from toteflow.domain.pick_checks import (
    ItemTaken,
    PackSize,
    ScanRefused,
    StopSpec,
    check_item,
    check_location,
    check_new_tote,
    check_put,
)
from toteflow.domain.pick_estimate import Estimator, Remaining
from toteflow.domain.scan import (
    DEFAULT_FORMATS,
    CartScan,
    CartSlotScan,
    CodeFormats,
    ScanError,
    ScanResult,
    ToteScan,
    label_name,
)
from toteflow.station.ports.store import Notice, TaskServer
from toteflow.station.services.events import FloorActions, StationView, record
from toteflow.station.services.login import Person
from toteflow.station.services.refusals import RefusalDesk

Phase = Literal["cart", "slot", "tote", "new_tote", "location", "item", "put", "done", "cancelled"]
SHORT_REASONS = {"empty": "Location empty", "damaged": "Damaged", "not_found": "Not found"}
DEFAULT_DESTINATION = "pack"


def _units(n: int) -> str:
    return f"{n} unit{'s' if n != 1 else ''}"


def destination_words(destination: str) -> str:
    """Where a closed tote goes, as the screen says it: 'the pack stations', 'zone B'."""
    match destination:
        case "" | "pack":
            return "the pack stations"
        case "consolidation":
            return "consolidation"
        case _:
            return destination


@dataclass(frozen=True)
class Outcome:
    """What one scan or key did: a good or bad signal with words, and whether the stop moved.

    A bad outcome changed nothing. With `notices`, the scan was not acted on: the picker is
    told something first (an order cancelled meanwhile) and scans again after reading it.
    """

    ok: bool
    headline: str
    detail: str = ""
    notices: tuple[Notice, ...] = ()
    advanced: bool = False


def _good(headline: str, detail: str = "", *, advanced: bool = False) -> Outcome:
    return Outcome(True, headline, detail, advanced=advanced)


def _bad(reason: str, headline: str = "NOT ACCEPTED") -> Outcome:
    return Outcome(False, headline, reason)


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
class Completion:
    task_id: int
    totes: tuple[ClosedTote, ...]
    # Totes that received nothing (every line shorted or cancelled): back to the tote stack.
    empty_totes: tuple[str, ...]
    units_picked: int
    lines_short: int
    lines_cancelled: int


@dataclass(frozen=True)
class StopView:
    """Everything the next-stop screen shows about the current stop."""

    line_id: int
    number: int  # 1-based position of this stop among the task's stops
    location: str
    zone: str | None
    aisle: int | None
    bay: int | None
    level: int | None
    sku: str
    description: str
    quantity: int  # still to pick on this line
    ordered: int
    pack: str  # e.g. "EA" or "EA · case of 12 (CS)"
    slot: int
    tote: str | None
    order_reference: str
    lot: str
    expiry: date | None
    in_hand: int
    at_location: bool
    skipped: bool


@dataclass(frozen=True)
class Progress:
    stops_done: int
    stops_total: int
    units_done: int
    units_total: int
    left: Remaining

    @property
    def minutes_left(self) -> int:
        return max(0, round(self.left.seconds / 60))


@dataclass(frozen=True)
class SlotView:
    slot: int
    order_reference: str
    tote: str | None
    status: str
    needs_tote: bool


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


def _pack_words(line: TaskLine) -> str:
    units = sorted(line.units, key=lambda u: u.units)
    if not units:
        return "EA"
    words = [units[0].uom if units[0].units == 1 else f"{units[0].uom} of {units[0].units}"]
    words += [f"{u.uom} of {u.units}" for u in units[1:]]
    return " · ".join(words)


class PickWalk:
    """One task being worked at this station by one person: what to scan next, and the scans.

    Durable state lives in the station store (lines, totes, events); this object only keeps
    what a person is doing right now (the location they stand at, the units in their hand,
    stops they skipped, picks they may undo) and re-reads the task after each recorded change.
    """

    def __init__(
        self,
        person: Person,
        task_id: int,
        floor: FloorActions,
        view: StationView,
        *,
        layout: Layout | None = None,
        formats: CodeFormats | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.person = person
        self.task_id = task_id
        self.floor = floor
        self.view = view
        self.layout = layout
        self._estimate = Estimator(layout)
        self.formats = formats or DEFAULT_FORMATS
        self.today = today
        self.task = self._load()
        self.notices_due = True
        self.cart: str | None = self.task.cart
        self.cart_scanned = False
        self.setup_slot: int | None = None
        self.at_location: str | None = None
        self.last_location: str | None = None
        self.in_hand = 0
        self.in_hand_lot: str | None = None
        self.in_hand_expiry: date | None = None
        self.substituted = False
        self.skipped: list[int] = []
        self.new_tote_for: int | None = None
        self.closed: list[ClosedTote] = []
        self.returned: set[int] = set()
        self._current: int | None = None
        self._picks: list[UUID] = []
        self._pick_lines: dict[UUID, tuple[int, int]] = {}

    # -- reading --------------------------------------------------------------------------

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

    def _recorded(self, line_id: int, *, picked: int = 0, shorted: int = 0) -> None:
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

    def _container(self, slot: int) -> TaskContainer | None:
        for container in self.task.containers:
            if container.slot == slot:
                return container
        return None

    def _open_lines(self) -> list[TaskLine]:
        return [line for line in self.task.lines if line.status == "open"]

    def slots(self) -> list[SlotView]:
        """Each slot with its order and tote, and whether it still needs a tote scanned."""
        busy = {line.slot for line in self._open_lines()}
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

    def _slot_needing_tote(self) -> int | None:
        needing = [s.slot for s in self.slots() if s.needs_tote]
        return needing[0] if needing else None

    def current_line(self) -> TaskLine | None:
        """The stop being worked: the one in hand, else the next open one in route order.

        Skipped stops come after every other open stop, in the order they were skipped.
        """
        open_lines = self._open_lines()
        by_id = {line.id: line for line in open_lines}
        if self._current in by_id:
            return by_id[self._current]
        ahead = [line for line in open_lines if line.id not in self.skipped]
        if ahead:
            chosen = ahead[0]
        else:
            later = [by_id[i] for i in self.skipped if i in by_id]
            if not later:
                self._current = None
                return None
            chosen = later[0]
        self._current = chosen.id
        return chosen

    @property
    def phase(self) -> Phase:
        if self.task.status == "cancelled":
            return "cancelled"
        if self.new_tote_for is not None:
            return "new_tote"
        needing = self._slot_needing_tote()
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

    def stop(self) -> StopView | None:
        line = self.current_line()
        if line is None:
            return None
        container = self._container(line.slot)
        stops = [ln for ln in self.task.lines if ln.status != "cancelled"]
        done = sum(1 for ln in stops if ln.status in ("picked", "short"))
        return StopView(
            line_id=line.id,
            number=done + 1,
            location=line.location,
            zone=line.zone,
            aisle=line.aisle,
            bay=line.bay,
            level=line.level,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity - line.picked - line.shorted,
            ordered=line.quantity,
            pack=_pack_words(line),
            slot=line.slot,
            tote=container.tote if container else None,
            order_reference=line.order_reference,
            lot=line.lot,
            expiry=line.expiry,
            in_hand=self.in_hand,
            at_location=self.at_location == line.location,
            skipped=line.id in self.skipped,
        )

    def progress(self) -> Progress:
        lines = [ln for ln in self.task.lines if ln.status != "cancelled"]
        open_lines = [ln for ln in lines if ln.status == "open"]
        current = self.current_line()
        ordered = [current] if current is not None else []
        ordered += [ln for ln in open_lines if current is None or ln.id != current.id]
        left = self._estimate.remaining(
            self.last_location,
            [ln.location for ln in ordered],
            sum(ln.quantity - ln.picked - ln.shorted for ln in open_lines),
            planned_m=self.task.distance_m,
            planned_stops=len(lines),
        )
        return Progress(
            stops_done=len(lines) - len(open_lines),
            stops_total=len(lines),
            units_done=sum(ln.picked for ln in lines),
            units_total=sum(ln.quantity for ln in lines),
            left=left,
        )

    def prompt(self) -> str:
        """The instruction for the next scan, in a few words."""
        phase = self.phase
        stop = self.stop()
        match phase:
            case "cart":
                return f"Scan the cart{f' {self.cart}' if self.cart else ''}"
            case "slot":
                slot = self._slot_needing_tote()
                return f"Scan the label of slot {slot} on the cart"
            case "tote":
                slot = self.setup_slot or self._slot_needing_tote()
                container = self._container(slot or 0)
                order = container.order_reference if container else ""
                if self.kind == "zone":
                    return f"Scan the tote arriving for order {order} (or a new tote)"
                return f"Scan an empty tote for slot {slot} (order {order})"
            case "new_tote":
                return f"Scan a new empty tote for slot {self.new_tote_for}"
            case "location" if stop is not None:
                return f"Go to {stop.location} and scan the location label"
            case "item" if stop is not None:
                return f"Scan the item: {stop.description}"
            case "put" if stop is not None:
                left = stop.quantity - self.in_hand
                more = f", or scan {left} more" if left > 0 else ""
                where = f"slot {stop.slot}" + (f" · tote {stop.tote}" if stop.tote else "")
                return f"Put {self.in_hand} in {where} and scan it{more}"
            case "done":
                return "All stops done: press Enter to close the totes"
            case _:
                return "This task was cancelled"

    # -- scans ----------------------------------------------------------------------------

    def pending_notices(self) -> tuple[Notice, ...]:
        return tuple(self.view.notices(self.task_id))

    def acknowledge(self, notices: tuple[Notice, ...]) -> str:
        """The picker read these: mark them seen and take in what the feed changed.

        Returns what else to do: units in hand for a line that was cancelled go back too.
        """
        for notice in notices:
            if notice.line_id is not None:
                # "Put the units of this line back": they are no longer in the tote.
                self.returned.add(notice.line_id)
            self.view.notice_seen(notice.id)
        held = self._current
        self.refresh()
        line = self._line(held) if held is not None else None
        if line is not None and line.status != "open":
            count, where = self.in_hand, line.location
            self._drop_hand()
            self._current = None
            self.at_location = None
            if count:
                return f"also put the {_units(count)} in your hand back at {where}"
        return ""

    def scan(self, result: ScanResult) -> Outcome:
        """Act on one scan for the current phase; a bad outcome recorded nothing."""
        if self.notices_due:
            notices = self.pending_notices()
            if notices:
                return Outcome(False, "READ THIS FIRST", notices[0].message, notices=notices)
            self.notices_due = False
        phase = self.phase
        try:
            match phase:
                case "cart":
                    return self._scan_cart(result)
                case "slot":
                    return self._scan_slot(result)
                case "tote":
                    if isinstance(result, CartScan) and self.kind == "cart":
                        return self._another_cart(result)
                    return self._scan_setup_tote(result)
                case "new_tote":
                    return self._scan_new_tote(result)
                case "location":
                    return self._scan_location(result)
                case "item" | "put":
                    return self._scan_item_or_put(result)
                case "done":
                    return _bad("every stop is done: press Enter to finish the task")
                case _:
                    return _bad("this task was cancelled: go back to the home screen")
        except ScanRefused as refusal:
            return _bad(str(refusal))
        except ServiceError as refusal:
            return _bad(str(refusal))

    def _spec(self, line: TaskLine) -> StopSpec:
        return _stop_spec(line, self._container(line.slot), self.cart)

    def _scan_cart(self, result: ScanResult) -> Outcome:
        if isinstance(result, ScanError):
            return _bad(result.reason)
        if not isinstance(result, CartScan):
            return _bad(f"scan the cart's label first: that was a {label_name(result)}")
        if self.task.cart and result.code != self.task.cart:
            return _bad(f"wrong cart {result.code}: take cart {self.task.cart}")
        self.cart = result.code
        self.cart_scanned = True
        return _good(f"CART {result.code}", self.prompt())

    def _another_cart(self, result: CartScan) -> Outcome:
        """Another cart before any tote is on this one: the picker took the wrong cart."""
        if any(c.tote for c in self.task.containers):
            return _bad(f"totes are on cart {self.cart} already: carry on with it")
        outcome = self._scan_cart(result)
        if outcome.ok:
            self.setup_slot = None
        return outcome

    def _scan_slot(self, result: ScanResult) -> Outcome:
        if isinstance(result, CartScan):
            return self._another_cart(result)
        if isinstance(result, ToteScan):
            # A tote straight away goes into the slot the screen asks for.
            self.setup_slot = self._slot_needing_tote()
            return self._scan_setup_tote(result)
        if isinstance(result, ScanError):
            return _bad(result.reason)
        if not isinstance(result, CartSlotScan):
            return _bad(f"scan a slot label on the cart: that was a {label_name(result)}")
        if self.cart and result.cart != self.cart:
            return _bad(f"wrong cart {result.cart}: this task uses cart {self.cart}")
        view = {s.slot: s for s in self.slots()}.get(result.slot)
        if view is None:
            return _bad(f"this task has no slot {result.slot}: it uses slots 1-{self.task.slots}")
        if not view.needs_tote:
            return _bad(f"slot {result.slot} already holds tote {view.tote}")
        self.setup_slot = result.slot
        return _good(f"SLOT {result.slot}", f"order {view.order_reference}: scan its tote")

    def _totes_in_use(self) -> dict[str, int]:
        return {c.tote: c.slot for c in self.task.containers if c.tote and c.status == "open"}

    def _scan_setup_tote(self, result: ScanResult) -> Outcome:
        slot = self.setup_slot or self._slot_needing_tote()
        assert slot is not None
        closed = frozenset(t.tote for t in self.closed)
        tote = check_new_tote(result, slot, self._totes_in_use(), closed)
        self.floor.assign_tote(self.person.user_id, self.task_id, slot, tote)
        self.setup_slot = None
        self.refresh()
        container = self._container(slot)
        order = container.order_reference if container else ""
        return _good(f"TOTE {tote} → SLOT {slot}", f"order {order}", advanced=True)

    def _scan_new_tote(self, result: ScanResult) -> Outcome:
        slot = self.new_tote_for
        assert slot is not None
        closed = frozenset(t.tote for t in self.closed)
        container = self._container(slot)
        tote = check_new_tote(
            result, slot, self._totes_in_use(), closed, container.tote if container else None
        )
        full = self._replace_tote(slot, tote)
        self.new_tote_for = None
        self.refresh()
        return _good(
            f"NEW TOTE {tote} → SLOT {slot}",
            f"tote {full.tote} closed: take it to {full.where}",
            advanced=True,
        )

    def _scan_location(self, result: ScanResult) -> Outcome:
        line = self.current_line()
        assert line is not None
        check_location(result, self._spec(line))
        self.at_location = line.location
        self.last_location = line.location
        return _good(f"AT {line.location}", f"scan {line.description} ({line.sku})")

    def _scan_item_or_put(self, result: ScanResult) -> Outcome:
        line = self.current_line()
        assert line is not None
        spec = self._spec(line)
        if self.in_hand and isinstance(result, ToteScan | CartSlotScan):
            check_put(result, spec)
            return self._confirm(line, spec)
        still = replace(spec, open_quantity=spec.open_quantity - self.in_hand)
        taken = check_item(result, still, self.today())
        self._take(taken)
        need = spec.open_quantity
        lot = f" · lot {taken.lot}" if taken.lot else ""
        if taken.substituted:
            lot += f" (instead of {line.lot}: recorded)"
        return _good(f"{self.in_hand} OF {need}", f"{line.sku}{lot}")

    def _take(self, taken: ItemTaken) -> None:
        if self.in_hand and taken.lot != self.in_hand_lot:
            raise ScanRefused(
                f"another lot ({taken.lot or 'none'}): put the {_units(self.in_hand)} of lot "
                f"{self.in_hand_lot or 'none'} in the tote first"
            )
        self.in_hand += taken.units
        self.in_hand_lot = taken.lot
        self.in_hand_expiry = taken.expiry
        self.substituted = taken.substituted

    def _drop_hand(self) -> None:
        self.in_hand = 0
        self.in_hand_lot = None
        self.in_hand_expiry = None
        self.substituted = False

    def _confirm(self, line: TaskLine, spec: StopSpec) -> Outcome:
        quantity = self.in_hand
        event = self.floor.confirm_pick(
            self.person.user_id,
            line.id,
            quantity,
            tote=spec.tote,
            lot=self.in_hand_lot,
            expiry=self.in_hand_expiry,
        )
        self._picks.append(event.id)
        self._pick_lines[event.id] = (line.id, quantity)
        self._drop_hand()
        self._recorded(line.id, picked=quantity)
        done = self._line(line.id)
        if done is not None and done.status == "open":
            left = done.quantity - done.picked - done.shorted
            return _good(f"{quantity} IN SLOT {line.slot}", f"{left} more to pick here")
        self._current = None
        if line.id in self.skipped:
            self.skipped.remove(line.id)
        nxt = self.current_line()
        detail = f"next: {nxt.location}" if nxt is not None else "every stop is done"
        return _good(f"{quantity} IN SLOT {line.slot} ✓", detail, advanced=True)

    def _line(self, line_id: int) -> TaskLine | None:
        for line in self.task.lines:
            if line.id == line_id:
                return line
        return None

    # -- keys -----------------------------------------------------------------------------

    def set_quantity(self, quantity: int) -> Outcome:
        """Bulk: after one scan of the item, the number of units taken (counted by hand)."""
        line = self.current_line()
        if line is None or self.phase not in ("item", "put"):
            return _bad("scan the location and the item first")
        if not self.in_hand:
            return _bad("scan the item once first, then enter the quantity")
        need = line.quantity - line.picked - line.shorted
        if not 1 <= quantity <= need:
            return _bad(f"enter 1 to {need}")
        self.in_hand = quantity
        return _good(f"{quantity} OF {need}", f"scan slot {line.slot} to put them")

    def short_refusal(self) -> Outcome | None:
        """Why F2 (short) makes no sense now, or None: every unit still needed is in hand."""
        line = self.current_line()
        if line is None:
            return _bad("there is no stop to short")
        need = line.quantity - line.picked - line.shorted
        if self.in_hand >= need:
            one = need == 1
            return _bad(
                f"the {_units(need)} needed {'is' if one else 'are'} in hand: "
                f"scan slot {line.slot} to put {'it' if one else 'them'}",
                headline="NOTHING IS SHORT",
            )
        return None

    def short(self, found: int, reason: str) -> Outcome:
        """Not all there: `found` units go into the tote now, the rest is reported missing."""
        line = self.current_line()
        if line is None:
            return _bad("there is no stop to short")
        if reason not in SHORT_REASONS:
            return _bad(f"choose a reason: {', '.join(SHORT_REASONS)}")
        need = line.quantity - line.picked - line.shorted
        if not 0 <= found < need:
            return _bad(f"found is 0 to {need - 1} (all {need} found is not a short)")
        container = self._container(line.slot)
        try:
            # Two records, each committed with its event: a crash between them leaves the
            # found units picked and the rest still open, to short again.
            if found:
                event = self.floor.confirm_pick(
                    self.person.user_id,
                    line.id,
                    found,
                    tote=container.tote if container else None,
                    lot=self.in_hand_lot,
                    expiry=self.in_hand_expiry,
                )
                self._picks.append(event.id)
                self._pick_lines[event.id] = (line.id, found)
            self.floor.short_pick(self.person.user_id, line.id, reason)
        except ServiceError as refusal:
            self.refresh()
            return _bad(str(refusal))
        self._drop_hand()
        self._current = None
        if line.id in self.skipped:
            self.skipped.remove(line.id)
        self._recorded(line.id, picked=found, shorted=need - found)
        put = f"{found} in slot {line.slot}, " if found else ""
        return _good(
            "SHORT RECORDED",
            f"{put}{need - found} missing at {line.location} ({SHORT_REASONS[reason].lower()})",
            advanced=True,
        )

    def skip(self) -> Outcome:
        """Leave this stop for later: it comes back after every other open stop."""
        line = self.current_line()
        if line is None:
            return _bad("there is no stop to skip")
        if self.in_hand:
            return _bad(f"put the {_units(self.in_hand)} in hand in the tote first")
        open_ids = {ln.id for ln in self._open_lines()}
        if open_ids <= {line.id}:
            return _bad("this is the last stop: pick it or short it")
        if line.id in self.skipped:
            self.skipped.remove(line.id)
        self.skipped.append(line.id)
        self._current = None
        self.at_location = None
        nxt = self.current_line()
        where = nxt.location if nxt is not None else ""
        return _good(
            "STOP SKIPPED", f"{line.location} comes back later; next: {where}", advanced=True
        )

    def undo(self) -> Outcome:
        """Take back the units in hand, else the last recorded pick (a compensating event)."""
        if self.in_hand:
            count = self.in_hand
            self._drop_hand()
            return _good("UNDONE", f"put the {_units(count)} in hand back: nothing was recorded")
        if not self._picks:
            return _bad("nothing to undo: no pick was recorded in this walk")
        event_id = self._picks[-1]
        line_id, quantity = self._pick_lines[event_id]
        try:
            self.floor.undo_pick(self.person.user_id, event_id)
        except ServiceError as refusal:
            return _bad(str(refusal))
        self._picks.pop()
        self._recorded(line_id, picked=-quantity)
        line = self._line(line_id)
        container = self._container(line.slot) if line else None
        self._current = line_id
        self.at_location = None
        where = line.location if line else "its location"
        tote = f" out of tote {container.tote}" if container and container.tote else ""
        return _good(
            "PICK UNDONE",
            f"take the {_units(quantity)}{tote} and put {'it' if quantity == 1 else 'them'} "
            f"back at {where}",
            advanced=True,
        )

    def tote_full(self) -> Outcome:
        """The current stop's tote is full: close it, then a new tote takes its slot."""
        line = self.current_line()
        if line is None or self.setting_up:
            return _bad("no tote is being filled now")
        container = self._container(line.slot)
        if container is None or not container.tote:
            return _bad(f"slot {line.slot} has no tote yet")
        if self.new_tote_for is not None:
            self.new_tote_for = None
            return _good("CARRY ON", f"tote {container.tote} stays in slot {line.slot}")
        self.new_tote_for = line.slot
        return _good(f"TOTE {container.tote} FULL", f"scan a new empty tote for slot {line.slot}")

    def _replace_tote(self, slot: int, new: str) -> ClosedTote:
        """Close the slot's full tote and put `new` in its place, in one transaction."""
        container = self._container(slot)
        assert container is not None
        assert container.tote
        old = container.tote
        destination = self._destination(slot)
        units = self._units_in(slot)
        task_id, user = self.task_id, self.person.user_id
        with self.floor.uow() as uow:
            current = uow.tasks.container(task_id, slot)
            if current is None or current.tote != old or current.status != "open":
                raise Refused(f"slot {slot} no longer holds tote {old}: scan again")
            record(
                uow,
                user,
                "tote.closed",
                {"task_id": task_id, "slot": slot, "tote": old, "destination": destination},
                lambda u: u.tasks.set_container(
                    task_id, slot, tote=old, status="closed", destination=destination
                ),
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
        closed = ClosedTote(
            slot,
            old,
            container.order_reference,
            destination,
            units - self._units_closed(slot),
            full=True,
        )
        self.closed.append(closed)
        return closed

    def _destination(self, slot: int) -> str:
        container = self._container(slot)
        # The server names the destination when it plans the work (the next zone of a
        # zone-picked order, consolidation); otherwise totes go to packing.
        preset = container.destination if container is not None else ""
        return preset or DEFAULT_DESTINATION

    def _units_in(self, slot: int) -> int:
        # Units of a cancelled line or order go back to the shelf (the picker is told where).
        return sum(
            ln.picked
            for ln in self.task.lines
            if ln.slot == slot and ln.status != "cancelled" and ln.id not in self.returned
        )

    def _units_closed(self, slot: int) -> int:
        return sum(t.units for t in self.closed if t.slot == slot)

    # -- the task as a whole ------------------------------------------------------------

    def start(self) -> None:
        """Record that work on the task began (or resumed after a pause)."""
        if self.task.status in ("assigned", "paused"):
            self.floor.start_task(self.person.user_id, self.task_id)
            self.refresh()

    def pause(self) -> Outcome:
        if self.task.status != "in_progress":
            return _bad(f"the task is {self.task.status.replace('_', ' ')}")
        self.floor.pause_task(self.person.user_id, self.task_id)
        self.refresh()
        return _good("PAUSED", "the task waits for you: resume it here or after logging in")

    def resume(self) -> Outcome:
        self.start()
        # Back from a break: the picker may have moved, so the location is scanned again.
        self.at_location = None
        return _good("RESUMED", self.prompt())

    def finish(self) -> Completion:
        """Close every tote that holds units, then complete the task (only when all is done)."""
        self.refresh()
        if self._open_lines():
            raise Refused(f"{len(self._open_lines())} stop(s) still open: pick or short them")
        closed: list[ClosedTote] = []
        empty: list[str] = []
        for container in self.task.containers:
            if not container.tote or container.status == "closed":
                continue
            units = self._units_in(container.slot) - self._units_closed(container.slot)
            if units <= 0:
                empty.append(container.tote)
                continue
            destination = self._destination(container.slot)
            self.floor.close_tote(
                self.person.user_id, self.task_id, container.slot, container.tote, destination
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
        if self.task.status != "done":
            self.start()
            self.floor.complete_task(self.person.user_id, self.task_id)
        self.refresh()
        lines = self.task.lines
        return Completion(
            task_id=self.task_id,
            totes=tuple(self.closed) + tuple(closed),
            empty_totes=tuple(empty),
            units_picked=sum(ln.picked for ln in lines),
            lines_short=sum(1 for ln in lines if ln.shorted),
            lines_cancelled=sum(1 for ln in lines if ln.status == "cancelled"),
        )

    # -- the demo scanner ---------------------------------------------------------------

    def expected_scan(self) -> str | None:
        """The label the screen asks for now, for the demo key (no hardware, no labels)."""
        phase = self.phase
        formats = self.formats
        cart = self.cart or self.task.cart or formats.format_cart(1)
        match phase:
            case "cart":
                return cart
            case "slot":
                return formats.format_cart_slot(cart, self._slot_needing_tote() or 1)
            case "tote" | "new_tote":
                slot = self.new_tote_for or self.setup_slot or self._slot_needing_tote() or 1
                return self._free_tote(slot)
            case "location":
                line = self.current_line()
                return line.location if line else None
            case "item" | "put":
                line = self.current_line()
                if line is None:
                    return None
                if self.in_hand >= line.quantity - line.picked - line.shorted:
                    if self.kind == "cart":
                        return formats.format_cart_slot(cart, line.slot)
                    container = self._container(line.slot)
                    return container.tote if container else None
                return demo_item_label(line)
            case _:
                return None

    def _free_tote(self, slot: int) -> str:
        taken = set(self._totes_in_use()) | {t.tote for t in self.closed}
        number = (self.task_id * 10 + slot) % 1_000_000
        while (code := self.formats.format_tote(number)) in taken:
            number = (number + 1) % 1_000_000
        return code


def demo_item_label(line: TaskLine) -> str | None:
    """What the demo scanner 'scans' for an item: its each barcode, as a GS1 code with
    the reserved lot and expiry when the product tracks them."""
    units = sorted(line.units, key=lambda u: u.units)
    if not units:
        return None
    barcode = units[0].barcode
    if not (line.lot_tracked or line.expiry_tracked) or not barcode.isdigit():
        return barcode
    parts = [f"]C101{barcode.zfill(14)}"]
    if line.expiry is not None:
        parts.append(f"17{line.expiry:%y%m%d}")
    if line.lot:
        parts.append(f"10{line.lot}")
    return "".join(parts)


class PickerDesk:
    """A logged-in picker's use cases: their held tasks, asking for work, opening a walk."""

    def __init__(
        self,
        person: Person,
        floor: FloorActions,
        view: StationView,
        server: TaskServer,
        *,
        layout: Layout | None = None,
        formats: CodeFormats | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.person = person
        self.floor = floor
        self.view = view
        self.server = server
        self.layout = layout
        self.formats = formats
        self.today = today

    def held_tasks(self) -> list[Task]:
        """Tasks this station holds for this person, not done or cancelled, oldest first."""
        return self.view.tasks(self.person.user_id)

    async def ask_for_work(self) -> Task | None:
        """The next task from the server, kept locally before it is shown; None: no work."""
        task = await self.server.next_task(self.person.session_token)
        if task is not None:
            self.view.store_task(task)
        return task

    def refusals(self) -> RefusalDesk:
        """The events the server refused from this station, for a person to resolve."""
        return RefusalDesk(self.person.user_id, self.floor, self.view)

    def walk(self, task_id: int) -> PickWalk:
        return PickWalk(
            self.person,
            task_id,
            self.floor,
            self.view,
            layout=self.layout,
            formats=self.formats,
            today=self.today,
        )
