"""A plate's units confirmed at a location: checked under the location's lock, moved, released."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from toteflow.central.ports.putaway import PlateRow, StoredLocation
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.putaway.common import (
    STORABLE,
    domain_location,
    domain_plate,
    existing_plate,
    facts_of,
    move_stock,
    plate_view,
)
from toteflow.central.services.putaway.cross_dock import Claimed, claim, give
from toteflow.central.services.putaway.suggest import check_open
from toteflow.contracts import putaway as pa
from toteflow.contracts.common import MAX_QUANTITY
from toteflow.domain.actor import Actor
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.plates import OPEN_STATUSES, PlateStatus
from toteflow.domain.putaway import confirm_elsewhere
from toteflow.domain.putaway_rules import NOTHING_HELD, room_for
from toteflow.domain.reservations import held_by_location
from toteflow.domain.roles import Permission
from toteflow.domain.words import plural


@dataclass(frozen=True)
class Confirmation:
    plate: str
    location: str
    quantity: int | None = None
    reason: str | None = None
    event_id: str | None = None


def confirm_in(
    uow: UnitOfWork, actor: Actor, body: Confirmation, at: datetime, *, done_at: datetime
) -> pa.Confirmed:
    """Move the plate's units to the location, in the caller's unit of work.

    Every check comes before the first write, so a refusal (Refused, NotFound) leaves
    nothing changed: the room and mixing are checked against the location's contents read
    under its row lock and the live reservations of other plates, so confirming never
    overfills, whether the receiver went where told or elsewhere with a reason.
    `done_at` is when it was done (a station's clock for a pushed event), for dock-to-stock.
    A cross-dock's units go only as far as the backordered line, locked, still takes them
    (`cross_dock.claim`); they are then allocated and picked for it there (`give`), and what
    it no longer takes stays on the plate, said in the answer's `fallback`.
    """
    actor.require(Permission.PUT_AWAY)
    plate = existing_plate(uow, body.plate, lock=True)
    check_open(plate)
    target = uow.putaway.location(body.location, lock=True)
    if target is None:
        raise NotFound(f"no location {body.location}")
    own = uow.putaway.reservation_of(plate.id, target.id)
    units = body.quantity or (min(own.quantity, plate.remaining) if own else plate.remaining)
    if units > plate.remaining:
        raise Refused(f"plate {plate.code} has {plural(plate.remaining, 'unit')} left, not {units}")
    crossed: Claimed | None = None
    elsewhere = False
    if own is not None and own.order_line_id is not None:
        if units > own.quantity:
            raise Refused(
                f"{plural(own.quantity, 'unit')} of plate {plate.code} go to {target.code} "
                f"for cross-dock, not {units}"
            )
        # Only what the order still lacks goes to it; the rest stays on the plate.
        crossed = claim(uow, own.order_line_id, units)
        units = crossed.units
        if units == 0:
            return _fell_back(uow, actor, body, plate, target, crossed)
    else:
        elsewhere = _check_room(uow, plate, target, units, own is not None, body.reason, at)
    cross_order = crossed.order if crossed else None
    fallback = crossed.fallback(plate.code) if crossed else None
    # Checked here too, so that nothing below can refuse after the first write (a pushed
    # event's refusal is caught inside the push's transaction, which still commits).
    have = sum(
        c.quantity for c in target.contents if c.sku == plate.sku and (c.lot or "") == plate.lot
    )
    if have + units > MAX_QUANTITY:
        raise Refused(
            f"{target.code} would hold {have + units:,} of {plate.sku}: a stock position "
            f"holds at most {MAX_QUANTITY:,} units"
        )
    source = plate.location
    note = f"put away from plate {plate.code}"
    move_stock(uow, plate, source, -units, note=note, kind="putaway", at=done_at)
    stock = move_stock(uow, plate, target.code, units, note=note, kind="putaway", at=done_at)
    if not uow.putaway.take_from_plate(plate.id, units, OPEN_STATUSES):
        raise Refused(f"plate {plate.code} changed meanwhile: try again")
    uow.putaway.release(plate.id, target.id)
    left = plate.remaining - units
    if left == 0:
        uow.putaway.release(plate.id)
        uow.putaway.set_plate(
            plate.id,
            status=PlateStatus.STORED,
            expect=OPEN_STATUSES,
            location_id=target.id,
            put_away_at=done_at,
        )
    else:
        uow.putaway.set_plate(plate.id, status=PlateStatus.PUTTING_AWAY, expect=OPEN_STATUSES)
    if crossed is not None:
        give(uow, actor, crossed, plate, target)
    words = f"{plural(units, 'unit')} of {plate.sku} from {plate.code} to {target.code}"
    if cross_order:
        words += f", cross-docked for order {cross_order} (allocated and picked there)"
        if fallback:
            words += f"; {fallback}"
    elif elsewhere:
        words += f" (elsewhere: {body.reason})"
    detail = {
        "from": source,
        "to": target.code,
        "sku": plate.sku,
        "lot": plate.lot,
        "quantity": units,
        "left": left,
        "elsewhere": elsewhere,
        "reason": body.reason,
        "cross_dock_order": cross_order,
        "fallback": fallback,
    }
    uow.audit.record(actor, "putaway.confirmed", "plate", plate.code, detail, body.event_id)
    # Stations keep a copy of what inquiries answered: they take both ends' counts from it.
    uow.feed.add_change(
        "stock.moved",
        "location",
        target.code,
        {**detail, "plate": plate.code, "on_hand": stock.quantity},
    )
    after = existing_plate(uow, plate.code)
    return pa.Confirmed(
        plate=plate_view(after),
        location=target.code,
        quantity=units,
        elsewhere=elsewhere,
        cross_dock_order=cross_order,
        fallback=fallback,
        words=words,
    )


def _fell_back(
    uow: UnitOfWork,
    actor: Actor,
    body: Confirmation,
    plate: PlateRow,
    target: StoredLocation,
    crossed: Claimed,
) -> pa.Confirmed:
    """Nothing goes to the order any more (cancelled, filled meanwhile): nothing moves, the
    cross-dock's space is given up and the plate waits for a normal put-away."""
    fallback = crossed.fallback(plate.code)
    uow.putaway.release(plate.id, target.id)
    detail = {
        "to": target.code,
        "sku": plate.sku,
        "lot": plate.lot,
        "quantity": 0,
        "left": plate.remaining,
        "cross_dock_order": None,
        "fallback": fallback,
    }
    uow.audit.record(
        actor, "putaway.cross_dock_fallback", "plate", plate.code, detail, body.event_id
    )
    return pa.Confirmed(
        plate=plate_view(existing_plate(uow, plate.code)),
        location=target.code,
        quantity=0,
        elsewhere=False,
        cross_dock_order=None,
        fallback=fallback,
        words=fallback or "nothing put away",
    )


def _check_room(
    uow: UnitOfWork,
    plate: PlateRow,
    target: StoredLocation,
    units: int,
    reserved_here: bool,
    reason: str | None,
    at: datetime,
) -> bool:
    """Refused unless `units` fit at `target` now; True when it is not where it was sent."""
    if target.kind not in STORABLE or not target.active:
        state = "an inactive" if not target.active else f"a {target.kind}"
        raise Refused(
            f"{target.code} is {state} location: put away to an active pick face or reserve "
            "location"
        )
    facts = facts_of(uow, plate)
    origin = uow.putaway.location(plate.location, contents=False)
    assert origin is not None
    moving = domain_plate(plate, facts, units)
    location = domain_location(target, (origin.x, origin.y))
    reservations = uow.putaway.live_reservations(at)
    if reserved_here:
        held = held_by_location(reservations, at, except_plate=plate.code).get(target.code)
        room = room_for(moving, location, held or NOTHING_HELD)
        if room.units >= units:
            return False
        why = room.why_not or f"room for {room.units} only"
        raise Refused(
            f"{target.code} is {why} now (its reservation for {plate.code} lapsed and was "
            "taken, or stock arrived): ask for a new suggestion"
        )
    check = confirm_elsewhere(
        moving, location, reason, at=at, quantity=units, reservations=reservations
    )
    if not check.allowed:
        raise Refused(check.words)
    return True
