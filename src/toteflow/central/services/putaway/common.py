"""What the put-away use cases share: the site policy and the store's rows as domain records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from toteflow.central.ports.putaway import PlateRow, ProductFacts, StoredLocation
from toteflow.central.ports.repos import UnitOfWork
from toteflow.contracts import catalogue as cat
from toteflow.contracts import putaway as pa
from toteflow.domain.errors import NotFound
from toteflow.domain.putaway_rules import (
    DEFAULT_RULES,
    Location,
    Mixing,
    Plate,
    PutawayRule,
    Size,
    Velocity,
)

Clock = Callable[[], datetime]
STORABLE = ("pick_face", "reserve")
HOLDING = ("quarantine", "quality")
RECEIVING = ("dock", *HOLDING)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PutawayPolicy:
    """Site settings for put-away (config [putaway])."""

    reservation_minutes: int = 15
    rules: Sequence[PutawayRule] = DEFAULT_RULES


def domain_plate(row: PlateRow, facts: ProductFacts, units: int | None = None) -> Plate:
    """The plate as the put-away rules see it: `units` of it (all that remain by default)."""
    return Plate(
        plate=row.code,
        sku=row.sku,
        quantity=row.remaining if units is None else units,
        unit=Size(facts.length_mm, facts.width_mm, facts.height_mm),
        unit_weight_g=facts.weight_g,
        storage_class=facts.storage_class,
        velocity=Velocity(facts.velocity),
        lot=row.lot or None,
        expiry=row.expiry,
        upright=facts.upright,
    )


# Enum look-ups by value, once: a suggestion turns some thousands of rows into locations.
_MIXING = {m.value: m for m in Mixing}
_VELOCITY = {v.value: v for v in Velocity}


def domain_location(stored: StoredLocation, origin: tuple[float, float]) -> Location:
    """A location as the rules see it; walking distance from the plate's place, rectilinear,
    as a receiver drives down the aisles."""
    return Location(
        code=stored.code,
        kind=stored.kind,
        storage_class=stored.storage_class,
        size=Size(stored.length_mm, stored.width_mm, stored.height_mm),
        max_weight_g=stored.max_weight_g,
        upright_allowed=stored.upright_allowed,
        mixing=_MIXING[stored.mixing],
        contents=stored.contents,
        home_sku=stored.home_sku,
        max_quantity=stored.max_quantity,
        velocity_zone=_VELOCITY[stored.velocity_zone] if stored.velocity_zone else None,
        front_distance_m=stored.y,
        dock_distance_m=abs(stored.x - origin[0]) + abs(stored.y - origin[1]),
    )


def plate_view(row: PlateRow) -> pa.Plate:
    return pa.Plate(
        code=row.code,
        status=row.status,
        location=row.location,
        sku=row.sku,
        lot=row.lot,
        expiry=row.expiry,
        quantity=row.quantity,
        remaining=row.remaining,
        hold_reason=row.hold_reason,
        received_at=row.received_at,
        put_away_at=row.put_away_at,
    )


def existing_plate(uow: UnitOfWork, code: str, *, lock: bool = False) -> PlateRow:
    found = uow.putaway.plate(code, lock=lock)
    if found is None:
        raise NotFound(f"no plate {code}")
    return found


def facts_of(uow: UnitOfWork, plate: PlateRow) -> ProductFacts:
    facts = uow.putaway.product_facts_by_id(plate.product_id)
    if facts is None:  # pragma: no cover - a plate's product cannot be deleted
        raise NotFound(f"no product with SKU {plate.sku}")
    return facts


def move_stock(
    uow: UnitOfWork,
    plate: PlateRow,
    location: str,
    delta: int,
    *,
    note: str,
    kind: str = "received",
    at: datetime | None = None,
) -> cat.StockRow:
    """The plate's units at `location` changed by `delta`, by conditional update.

    The ledger row says `kind` and when it happened (`at`: a station's time for its event).
    """
    return uow.catalogue.adjust_stock(
        cat.StockAdjustment(
            location=location,
            sku=plate.sku,
            lot=plate.lot,
            expiry=plate.expiry,
            delta=delta,
            reason="received",
            note=note,
            received_on=plate.received_at.date(),
        ),
        at=at,
        kind=kind,
    )
