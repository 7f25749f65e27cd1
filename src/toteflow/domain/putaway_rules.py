"""What a put-away works with and whether a location can take a plate: fit, weight, mixing, room.

Sizes are whole millimetres and weights whole grams, so that "fits" is exact arithmetic.
Room is counted by volume (units x the unit's volume against the location's free volume),
as warehouse systems do, after the unit is checked to fit the opening in some orientation
(standing, for a unit that must stay upright).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from toteflow.domain.reservations import Held

PICK_FACE = "pick_face"
RESERVE = "reserve"


class Velocity(StrEnum):
    """How fast a product moves: A fastest. A location's velocity zone uses the same letters."""

    A = "A"
    B = "B"
    C = "C"


class Mixing(StrEnum):
    """What a location may hold together."""

    EMPTY_ONLY = "empty_only"  # one plate at a time: only an empty location takes one
    SAME_SKU = "same_sku"
    SAME_LOT = "same_lot"
    MIXED = "mixed"


class PutawayRule(StrEnum):
    """The rules a suggestion tries, in the order the site configures."""

    PICK_FACE = "pick_face"  # top up the product's pick face to its maximum
    SAME_LOT = "same_lot"  # a location already holding the same SKU and lot
    NEAREST_EMPTY = "nearest_empty"  # the nearest empty location that fits
    VELOCITY = "velocity"  # slotting by velocity class: A near the front


DEFAULT_RULES = (
    PutawayRule.PICK_FACE,
    PutawayRule.SAME_LOT,
    PutawayRule.NEAREST_EMPTY,
    PutawayRule.VELOCITY,
)


class RuleOrderError(ValueError):
    """The configured rule order cannot be used; str() says why and what is allowed."""


def rules_from_config(names: Sequence[str]) -> tuple[PutawayRule, ...]:
    """The rule order from the settings file (e.g. ["pick_face", "velocity"])."""
    allowed = ", ".join(rule.value for rule in PutawayRule)
    rules = []
    for name in names:
        try:
            rule = PutawayRule(str(name).strip())
        except ValueError:
            raise RuleOrderError(f"unknown put-away rule {name!r}; use {allowed}") from None
        if rule in rules:
            raise RuleOrderError(f"put-away rule {rule.value!r} is listed twice")
        rules.append(rule)
    if not rules:
        raise RuleOrderError(f"no put-away rules listed; use some of {allowed}")
    return tuple(rules)


@dataclass(frozen=True)
class Size:
    """Length, width, height in millimetres (height is up, for units that must stay upright)."""

    length: int
    width: int
    height: int

    @property
    def volume(self) -> int:
        return self.length * self.width * self.height


@dataclass(frozen=True)
class Plate:
    """What is to be put away: a plate or case of one SKU and lot, of `quantity` units."""

    plate: str
    sku: str
    quantity: int
    unit: Size
    unit_weight_g: int
    storage_class: str = "ambient"
    velocity: Velocity = Velocity.C
    lot: str | None = None
    expiry: date | None = None
    upright: bool = False
    """The unit must stay standing (this side up)."""

    def volume(self, units: int) -> int:
        return units * self.unit.volume

    def weight(self, units: int) -> int:
        return units * self.unit_weight_g


@dataclass(frozen=True)
class Content:
    """Stock on a location: SKU, lot and quantity, with the unit's volume and weight."""

    sku: str
    lot: str | None
    quantity: int
    unit_volume_mm3: int = 0
    unit_weight_g: int = 0


@dataclass(frozen=True)
class Location:
    """A place stock can go, as a put-away sees it."""

    code: str
    kind: str = RESERVE
    storage_class: str = "ambient"
    size: Size = Size(1200, 1000, 1500)
    max_weight_g: int = 1_000_000
    upright_allowed: bool = True
    """Whether units that must stay upright may go here (not on a tilted flow rack, say)."""
    mixing: Mixing = Mixing.SAME_SKU
    contents: tuple[Content, ...] = ()
    home_sku: str | None = None
    """For a pick face: the product it is the face of."""
    max_quantity: int | None = None
    """For a pick face: the most units it holds."""
    velocity_zone: Velocity | None = None
    front_distance_m: float = 0.0
    dock_distance_m: float = 0.0

    @property
    def volume(self) -> int:
        return self.size.volume

    def used_volume(self) -> int:
        return sum(c.quantity * c.unit_volume_mm3 for c in self.contents)

    def used_weight(self) -> int:
        return sum(c.quantity * c.unit_weight_g for c in self.contents)

    def quantity_of(self, sku: str) -> int:
        return sum(c.quantity for c in self.contents if c.sku == sku)

    def stock(self) -> set[tuple[str, str | None]]:
        return {(c.sku, c.lot) for c in self.contents if c.quantity > 0}

    def holds(self, sku: str, lot: str | None) -> bool:
        return any(c.sku == sku and c.lot == lot and c.quantity > 0 for c in self.contents)

    def has_stock(self) -> bool:
        return any(c.quantity > 0 for c in self.contents)


NOTHING_HELD = Held()


@dataclass(frozen=True)
class Room:
    """How many units of a plate a location can take now, and if none, why not."""

    units: int
    why_not: str | None = None


def unit_fits(unit: Size, opening: Size, *, upright: bool) -> bool:
    """Whether one unit fits the opening, turned as needed (only about the vertical if
    `upright`)."""
    if upright:
        if unit.height > opening.height:
            return False
        small, large = sorted((unit.length, unit.width))
        o_small, o_large = sorted((opening.length, opening.width))
        return small <= o_small and large <= o_large
    dims = sorted((unit.length, unit.width, unit.height))
    room = sorted((opening.length, opening.width, opening.height))
    return all(d <= r for d, r in zip(dims, room, strict=True))


def mixing_allows(plate: Plate, location: Location, held: Held = NOTHING_HELD) -> bool:
    """Whether the plate may join what the location holds and what is on its way there."""
    present = location.stock() | held.stock
    if location.home_sku is not None and location.home_sku != plate.sku:
        return False  # another product's pick face
    match location.mixing:
        case Mixing.EMPTY_ONLY:
            return not present
        case Mixing.SAME_SKU:
            return all(sku == plate.sku for sku, _ in present)
        case Mixing.SAME_LOT:
            return all(stock == (plate.sku, plate.lot) for stock in present)
    return True


def room_for(plate: Plate, location: Location, held: Held = NOTHING_HELD) -> Room:
    """Units of `plate` that `location` can take, counting live reservations of others."""
    if location.storage_class != plate.storage_class:
        return Room(0, f"in storage class {location.storage_class}")
    if plate.upright and not location.upright_allowed:
        return Room(0, "not for units that must stay upright")
    if not unit_fits(plate.unit, location.size, upright=plate.upright):
        return Room(0, "too small for the unit")
    if location.home_sku is not None and location.home_sku != plate.sku:
        return Room(0, "another product's pick face")
    if not mixing_allows(plate, location, held):
        return Room(0, _mixing_words(location))
    by_volume = (location.volume - location.used_volume() - held.volume_mm3) // max(
        1, plate.unit.volume
    )
    by_weight = (location.max_weight_g - location.used_weight() - held.weight_g) // max(
        1, plate.unit_weight_g
    )
    units = min(by_volume, by_weight)
    why = "full" if by_volume <= by_weight else "at the weight limit"
    if location.max_quantity is not None:
        by_count = location.max_quantity - location.quantity_of(plate.sku) - held.quantity
        if by_count < units:
            units, why = by_count, "at the maximum quantity"
    units = max(0, units)
    return Room(units, None if units else why)


def is_empty(location: Location, held: Held = NOTHING_HELD) -> bool:
    """Nothing on it and nothing on its way."""
    return not held.stock and not location.has_stock()


def why_nothing_fits(reasons: Iterable[str], quantity: int) -> str:
    """'no place fits 12 units: 30 are too small for the unit, 4 are full', most common first."""
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    if not counts:
        return f"no place fits {quantity} units: no location to choose from"
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    parts = [f"{n} {'is' if n == 1 else 'are'} {reason}" for reason, n in ranked[:4]]
    unit = "unit" if quantity == 1 else "units"
    return f"no place fits {quantity} {unit}: " + ", ".join(parts)


def _mixing_words(location: Location) -> str:
    match location.mixing:
        case Mixing.EMPTY_ONLY:
            return "not empty (one plate at a time)"
        case Mixing.SAME_LOT:
            return "holding another SKU or lot"
    return "holding another SKU"
