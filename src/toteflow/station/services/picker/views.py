"""What the walk screens show: the current stop, the progress, the next scan's instruction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from toteflow.contracts.tasks import TaskLine
from toteflow.domain.pick_estimate import Estimator, Remaining
from toteflow.domain.zone_pass import zone_words
from toteflow.station.ports.store import OutboxEvent
from toteflow.station.services.picker.outcome import n_units
from toteflow.station.services.picker.state import WalkState


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
    # The single unit's barcode digits, to check by eye (or key in the SKU) when it will not scan.
    barcode: str
    slot: int
    tote: str | None
    order_reference: str
    lot: str
    expiry: date | None
    in_hand: int
    at_location: bool
    skipped: bool


@dataclass(frozen=True)
class StopAhead:
    """A stop after the current one, as a line of the list a large terminal has room for."""

    location: str
    sku: str
    description: str
    quantity: int
    slot: int
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


def _pack_words(line: TaskLine) -> str:
    units = sorted(line.units, key=lambda u: u.units)
    if not units:
        return "EA"
    words = [units[0].uom if units[0].units == 1 else f"{units[0].uom} of {units[0].units}"]
    words += [f"{u.uom} of {u.units}" for u in units[1:]]
    return " · ".join(words)


def _barcode(line: TaskLine) -> str:
    units = sorted((u for u in line.units if u.barcode), key=lambda u: u.units)
    return units[0].barcode if units else ""


def stop_view(state: WalkState) -> StopView | None:
    line = state.current_line()
    if line is None:
        return None
    container = state.container(line.slot)
    stops = [ln for ln in state.task.lines if ln.status != "cancelled"]
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
        barcode=_barcode(line),
        slot=line.slot,
        tote=container.tote if container else None,
        order_reference=line.order_reference,
        lot=line.lot,
        expiry=line.expiry,
        in_hand=state.in_hand,
        at_location=state.at_location == line.location,
        skipped=line.id in state.skipped,
    )


def stops_ahead(state: WalkState, count: int) -> list[StopAhead]:
    """The next `count` stops after the current one, in the order the walk will ask for them:
    route order, then the skipped stops in the order they were skipped."""
    current = state.current_line()
    open_lines = [ln for ln in state.open_lines() if current is None or ln.id != current.id]
    by_id = {ln.id: ln for ln in open_lines}
    ordered = [ln for ln in open_lines if ln.id not in state.skipped]
    ordered += [by_id[i] for i in state.skipped if i in by_id]
    return [
        StopAhead(
            location=ln.location,
            sku=ln.sku,
            description=ln.description,
            quantity=ln.quantity - ln.picked - ln.shorted,
            slot=ln.slot,
            skipped=ln.id in state.skipped,
        )
        for ln in ordered[:count]
    ]


def progress(state: WalkState, estimate: Estimator) -> Progress:
    task = state.task
    lines = [ln for ln in task.lines if ln.status != "cancelled"]
    open_lines = [ln for ln in lines if ln.status == "open"]
    current = state.current_line()
    ordered = [current] if current is not None else []
    ordered += [ln for ln in open_lines if current is None or ln.id != current.id]
    left = estimate.remaining(
        state.last_location,
        [ln.location for ln in ordered],
        sum(ln.quantity - ln.picked - ln.shorted for ln in open_lines),
        planned_m=task.distance_m,
        planned_stops=len(lines),
    )
    return Progress(
        stops_done=len(lines) - len(open_lines),
        stops_total=len(lines),
        units_done=sum(ln.picked for ln in lines),
        units_total=sum(ln.quantity for ln in lines),
        left=left,
    )


def prompt(state: WalkState) -> str:
    """The instruction for the next scan, in a few words."""
    phase = state.phase
    stop = stop_view(state)
    match phase:
        case "cart":
            return f"Scan the cart{f' {state.cart}' if state.cart else ''}"
        case "slot":
            slot = state.slot_needing_tote()
            return f"Scan the label of slot {slot} on the cart"
        case "tote":
            slot = state.setup_slot or state.slot_needing_tote()
            container = state.container(slot or 0)
            order = container.order_reference if container else ""
            if state.kind == "zone":
                return _zone_tote_prompt(state, slot or 0, order)
            return f"Scan an empty tote for slot {slot} (order {order})"
        case "new_tote":
            return f"Scan a new empty tote for slot {state.new_tote_for}"
        case "location" if stop is not None:
            return f"Go to {stop.location} and scan the location label"
        case "item" if stop is not None:
            return f"Scan the item: {stop.description}"
        case "put" if stop is not None:
            left = stop.quantity - state.in_hand
            more = f", or scan {left} more" if left > 0 else ""
            where = f"slot {stop.slot}" + (f" · tote {stop.tote}" if stop.tote else "")
            return f"Put {state.in_hand} in {where} and scan it{more}"
        case "done":
            return "All stops done: press Enter to close the totes"
        case _:
            return "This task was cancelled"


def last_pick_words(event: OutboxEvent | None, state: WalkState) -> str:
    """What the station last committed for the task, in a sentence ('' when nothing yet)."""
    if event is None:
        return ""
    payload = event.payload
    line_id = payload.get("task_line_id")
    line = state.line(line_id) if isinstance(line_id, int) else None
    sku = line.sku if line is not None else "the item"
    where = str(payload.get("location") or (line.location if line is not None else ""))
    when = f"Last recorded at {event.station_time.astimezone():%H:%M}"
    quantity = payload.get("quantity")
    units = n_units(quantity) if isinstance(quantity, int) else "the units"
    match event.type:
        case "pick.confirmed":
            tote = payload.get("tote")
            into = f" into tote {tote}" if tote else ""
            if not into and line is not None:
                into = f" into slot {line.slot}"
            return f"{when}: {units} of {sku} from {where}{into}"
        case "pick.shorted":
            missing = payload.get("missing")
            gone = f" ({n_units(missing)} missing)" if isinstance(missing, int) else ""
            return f"{when}: {sku} at {where} reported short{gone}"
        case _:
            return f"{when}: the pick of {units} of {sku} at {where} taken back"


def _zone_tote_prompt(state: WalkState, slot: int, order: str) -> str:
    """A zone task's tote: the one the zone before sent on, else an empty one."""
    arriving = state.arriving(slot)
    if arriving is not None:
        tote, zone = arriving
        return f"Take tote {tote} arriving from {zone_words(zone)} for order {order}: scan it"
    return f"Scan an empty tote for order {order}"
