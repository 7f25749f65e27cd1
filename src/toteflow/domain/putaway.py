"""Directed put-away: where a received plate goes, by the site's rule order, with the reason.

Backordered order lines of the SKU are served first (cross-dock). The rest is placed by the
configured rules (`putaway_rules.PutawayRule`): the product's pick face topped up to its
maximum, a location already holding the same SKU and lot, the nearest empty location that
fits, slotting by velocity. No suggestion exceeds a location's room (counting live
reservations of other plates) or breaks its mixing rule; when nothing fits, the plan says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from toteflow.domain.putaway_rules import (
    DEFAULT_RULES,
    NOTHING_HELD,
    PICK_FACE,
    Location,
    Plate,
    PutawayRule,
    Room,
    Velocity,
    is_empty,
    room_for,
    why_nothing_fits,
)
from toteflow.domain.reservations import Held, Reservation, held_by_location
from toteflow.domain.words import plural

MAX_LEGS = 4
"""At most this many locations for one plate, cross-dock aside: a receiver splits a pallet
over a few places, not over a whole aisle."""

_ZONE_RANK = {Velocity.A: 0, Velocity.B: 1, Velocity.C: 2}
_SPEED = {Velocity.A: "fast-moving (A)", Velocity.B: "B-velocity", Velocity.C: "slow-moving (C)"}


@dataclass(frozen=True)
class Backorder:
    """An order line of the SKU waiting for stock; backorders are served in the order given."""

    order_line_id: int
    order: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class CrossDock:
    order_line_id: int
    order: str
    quantity: int

    def words(self) -> str:
        return f"{plural(self.quantity, 'unit')} to cross-dock for order {self.order}"


@dataclass(frozen=True)
class Leg:
    """Units to take to one location, the rule that chose it and why, in words."""

    location: str
    quantity: int
    rule: PutawayRule
    reason: str


@dataclass(frozen=True)
class PutawayPlan:
    """Where a plate goes: cross-dock first, then legs; `unplaced` units found no place."""

    plate: str
    cross_dock: tuple[CrossDock, ...] = ()
    legs: tuple[Leg, ...] = ()
    unplaced: int = 0
    why_not: str | None = None

    @property
    def placed(self) -> int:
        return sum(leg.quantity for leg in self.legs)

    def words(self) -> str:
        """The instruction for the receiver, one clause per destination."""
        parts = [c.words() for c in self.cross_dock]
        parts += [
            f"{plural(leg.quantity, 'unit')} to {leg.location}: {leg.reason}" for leg in self.legs
        ]
        if self.unplaced and self.why_not:
            parts.append(self.why_not)
        return "; ".join(parts) or "nothing to put away"


def cross_dock_split(
    sku: str, quantity: int, backorders: Iterable[Backorder]
) -> tuple[tuple[CrossDock, ...], int]:
    """Units of a receipt offered to the SKU's backordered lines first, and what is left."""
    split, left = [], quantity
    for backorder in backorders:
        if left <= 0:
            break
        if backorder.sku != sku or backorder.quantity <= 0:
            continue
        n = min(left, backorder.quantity)
        split.append(CrossDock(backorder.order_line_id, backorder.order, n))
        left -= n
    return tuple(split), left


def suggest(
    plate: Plate,
    locations: Sequence[Location],
    *,
    at: datetime,
    reservations: Iterable[Reservation] = (),
    rules: Sequence[PutawayRule] = DEFAULT_RULES,
    backorders: Iterable[Backorder] = (),
    max_legs: int = MAX_LEGS,
) -> PutawayPlan:
    """Where `plate` goes, by `rules` in order. Never raises.

    The pick face rule tops the face up and sends the rest on; every other rule looks for one
    location that takes all that is left. If none does under any rule, the rest is split over
    up to `max_legs` locations, each filled to its room, in the same rule order.
    """
    if plate.quantity <= 0:
        return PutawayPlan(plate.plate, why_not=f"nothing to put away ({plate.quantity} units)")
    cross, left = cross_dock_split(plate.sku, plate.quantity, backorders)
    planner = _Planner(
        plate, locations, held_by_location(reservations, at, except_plate=plate.plate)
    )
    legs: list[Leg] = []
    for rule in rules:
        if left == 0:
            break
        if rule is PutawayRule.PICK_FACE:
            left = planner.top_up_faces(left, legs, max_legs)
        else:
            left = planner.whole(rule, left, legs)
    for rule in rules:
        if left == 0 or len(legs) >= max_legs:
            break
        if rule is not PutawayRule.PICK_FACE:
            left = planner.split(rule, left, legs, max_legs)
    planner.faces_only = all(rule is PutawayRule.PICK_FACE for rule in rules)
    why_not = None
    if left:
        why_not = (
            f"{plural(left, 'unit')} left: split over {plural(max_legs, 'location')} already"
            if len(legs) >= max_legs
            else planner.why_not(left)
        )
    return PutawayPlan(plate.plate, cross, tuple(legs), left, why_not)


def reservations_for(plan: PutawayPlan, plate: Plate, *, expires_at: datetime) -> list[Reservation]:
    """The reservations a plan's legs claim, to be held until confirmed or `expires_at`."""
    return [
        Reservation(
            plate=plate.plate,
            location=leg.location,
            sku=plate.sku,
            lot=plate.lot,
            quantity=leg.quantity,
            volume_mm3=plate.volume(leg.quantity),
            weight_g=plate.weight(leg.quantity),
            expires_at=expires_at,
        )
        for leg in plan.legs
    ]


class ElsewhereReason(StrEnum):
    """Why a receiver put a plate somewhere else than suggested."""

    SUGGESTED_FULL = "suggested_full"
    SUGGESTED_BLOCKED = "suggested_blocked"
    SUGGESTED_DAMAGED = "suggested_damaged"
    CANNOT_REACH = "cannot_reach"
    SUPERVISOR_DIRECTED = "supervisor_directed"


@dataclass(frozen=True)
class ElsewhereCheck:
    allowed: bool
    words: str


def confirm_elsewhere(
    plate: Plate,
    location: Location | None,
    reason: ElsewhereReason | str | None,
    *,
    at: datetime,
    quantity: int | None = None,
    reservations: Iterable[Reservation] = (),
) -> ElsewhereCheck:
    """Whether `quantity` units (all of the plate by default) may go to `location` instead of
    where they were sent: it must fit and allow the mix, and the receiver must say why."""
    reasons = ", ".join(r.value for r in ElsewhereReason)
    if reason is None:
        return ElsewhereCheck(False, f"say why it goes elsewhere: {reasons}")
    try:
        ElsewhereReason(reason)
    except ValueError:
        return ElsewhereCheck(False, f"not a reason to put it elsewhere: {reason!r}; use {reasons}")
    if location is None:
        return ElsewhereCheck(False, "unknown location: scan a location label")
    units = plate.quantity if quantity is None else quantity
    if units <= 0:
        return ElsewhereCheck(False, f"nothing to put away ({units} units)")
    held = held_by_location(reservations, at, except_plate=plate.plate).get(location.code)
    room = room_for(plate, location, held or NOTHING_HELD)
    if room.units >= units:
        return ElsewhereCheck(True, f"{plural(units, 'unit')} to {location.code}")
    if room.why_not:
        return ElsewhereCheck(False, f"{location.code} is {room.why_not}: choose another")
    return ElsewhereCheck(
        False, f"{location.code} has room for {room.units} of the {units}: choose another"
    )


class _Planner:
    """One suggestion's working state: rooms computed once, locations taken by earlier legs."""

    def __init__(self, plate: Plate, locations: Sequence[Location], held: dict[str, Held]):
        self.plate = plate
        self.locations = locations
        self.held = held
        self.taken: set[str] = set()
        self.rooms: dict[str, Room] = {}
        self.faces_only = False

    def room(self, location: Location) -> Room:
        room = self.rooms.get(location.code)
        if room is None:
            held = self.held.get(location.code, NOTHING_HELD)
            room = self.rooms[location.code] = room_for(self.plate, location, held)
        return room

    def top_up_faces(self, left: int, legs: list[Leg], max_legs: int) -> int:
        faces = [
            loc
            for loc in self.locations
            if loc.kind == PICK_FACE
            and loc.home_sku == self.plate.sku
            and loc.code not in self.taken
        ]
        for face in sorted(faces, key=lambda loc: (loc.dock_distance_m, loc.code)):
            if left == 0 or len(legs) >= max_legs:
                break
            room = self.room(face)
            if room.units:
                n = min(left, room.units)
                legs.append(Leg(face.code, n, PutawayRule.PICK_FACE, self._face_words(face, n)))
                self.taken.add(face.code)
                left -= n
        return left

    def whole(self, rule: PutawayRule, left: int, legs: list[Leg]) -> int:
        for location in self._ranked(rule):
            if self.room(location).units >= left:
                legs.append(Leg(location.code, left, rule, self._words(rule, location)))
                self.taken.add(location.code)
                return 0
        return left

    def split(self, rule: PutawayRule, left: int, legs: list[Leg], max_legs: int) -> int:
        for location in self._ranked(rule):
            if left == 0 or len(legs) >= max_legs:
                break
            units = self.room(location).units
            if units:
                n = min(left, units)
                words = f"part of the plate; {self._words(rule, location)}"
                legs.append(Leg(location.code, n, rule, words))
                self.taken.add(location.code)
                left -= n
        return left

    def why_not(self, left: int) -> str:
        reasons = []
        for location in self.locations:
            if location.code in self.taken:
                continue
            face = location.kind == PICK_FACE
            if face and location.home_sku != self.plate.sku:
                continue  # other products' faces are no candidates, and no news either
            if self.faces_only and not face:
                continue  # the rules looked at the pick face only
            room = self.room(location)
            reasons.append(room.why_not or "too small for what is left")
        return why_nothing_fits(reasons, left)

    def _ranked(self, rule: PutawayRule) -> list[Location]:
        plate = self.plate
        pool = [
            loc for loc in self.locations if loc.kind != PICK_FACE and loc.code not in self.taken
        ]
        key: Callable[[Location], tuple[float, float, str]]
        if rule is PutawayRule.SAME_LOT:
            pool = [loc for loc in pool if loc.holds(plate.sku, plate.lot)]
            key = _by_dock
        elif rule is PutawayRule.NEAREST_EMPTY:
            pool = [loc for loc in pool if is_empty(loc, self.held.get(loc.code, NOTHING_HELD))]
            key = _by_dock
        elif rule is PutawayRule.VELOCITY:
            want = _ZONE_RANK[plate.velocity]

            def key(loc: Location) -> tuple[float, float, str]:
                gap = 3 if loc.velocity_zone is None else abs(_ZONE_RANK[loc.velocity_zone] - want)
                return (gap, loc.front_distance_m, loc.code)

        else:
            return []
        return sorted(pool, key=key)

    def _face_words(self, face: Location, units: int) -> str:
        if face.max_quantity is None:
            return f"{self.plate.sku}'s pick face has room"
        have = face.quantity_of(self.plate.sku)
        return (
            f"{self.plate.sku}'s pick face, {have} of {face.max_quantity}: "
            f"top it up to {have + units}"
        )

    def _words(self, rule: PutawayRule, location: Location) -> str:
        plate = self.plate
        match rule:
            case PutawayRule.SAME_LOT:
                lot = f" lot {plate.lot}" if plate.lot else ""
                return f"already holds {plate.sku}{lot}"
            case PutawayRule.NEAREST_EMPTY:
                return (
                    f"the nearest empty {plate.storage_class} location that fits, "
                    f"{location.dock_distance_m:.0f} m from the dock"
                )
            case PutawayRule.VELOCITY:
                zone = location.velocity_zone.value if location.velocity_zone else "no"
                return (
                    f"{zone} zone for a {_SPEED[plate.velocity]} product, "
                    f"{location.front_distance_m:.0f} m from the front"
                )
        return rule.value


def _by_dock(location: Location) -> tuple[float, float, str]:
    return (location.dock_distance_m, 0.0, location.code)
