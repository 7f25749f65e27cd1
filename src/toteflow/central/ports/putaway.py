"""What the put-away use cases need of the store: plates, locations as put-away sees them,
space reservations and backorders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from toteflow.domain.dock_to_stock import PlateTimes
from toteflow.domain.putaway import Backorder
from toteflow.domain.putaway_rules import Content
from toteflow.domain.reservations import Reservation


@dataclass(frozen=True)
class PlateRow:
    id: int
    code: str
    status: str
    location_id: int
    location: str
    location_kind: str
    product_id: int
    sku: str
    lot: str
    expiry: date | None
    quantity: int
    remaining: int
    hold_reason: str
    received_at: datetime
    put_away_at: datetime | None


@dataclass(frozen=True)
class ProductFacts:
    """A product as put-away sees it: its class, velocity and one unit's size and weight."""

    id: int
    sku: str
    velocity: str
    storage_class: str
    upright: bool
    length_mm: int
    width_mm: int
    height_mm: int
    weight_g: int


@dataclass(frozen=True)
class StoredLocation:
    """A location with its storage attributes and what is on it now."""

    id: int
    code: str
    kind: str
    active: bool
    x: float
    y: float
    storage_class: str
    length_mm: int
    width_mm: int
    height_mm: int
    max_weight_g: int
    upright_allowed: bool
    mixing: str
    velocity_zone: str | None
    home_sku: str | None
    max_quantity: int | None
    contents: tuple[Content, ...] = ()


@dataclass(frozen=True)
class NewPlate:
    code: str | None  # None: an internal LP code is given
    location_id: int
    product_id: int
    lot: str
    expiry: date | None
    quantity: int
    status: str
    hold_reason: str
    received_at: datetime


@dataclass(frozen=True)
class Claim:
    """Space to reserve for a plate at a location (a cross-dock names its order line)."""

    location_id: int
    quantity: int
    volume_mm3: int
    weight_g: int
    order_line_id: int | None = None


@dataclass(frozen=True)
class HeldSpace:
    """A plate's own reservation at one location, live or lapsed."""

    quantity: int
    expires_at: datetime
    order_line_id: int | None


class PutawayRepo(Protocol):
    def product_facts(self, sku: str) -> ProductFacts | None: ...
    def product_facts_by_id(self, product_id: int) -> ProductFacts | None: ...
    def location(
        self, code: str, *, lock: bool = False, contents: bool = True
    ) -> StoredLocation | None:
        """One location (with its contents unless told not); `lock` holds its row until the
        transaction ends."""
        ...

    def candidates(
        self, storage_class: str, product_id: int, *, lock: bool
    ) -> list[StoredLocation]:
        """Active reserve locations and the product's pick faces of a storage class, with
        their contents;
        `lock` takes their rows in id order (FOR UPDATE on PostgreSQL) so that suggestions
        and confirmations onto them queue instead of overfilling."""
        ...

    def add_plate(self, plate: NewPlate) -> PlateRow:
        """Raises Conflict if the code is on another plate."""
        ...

    def plate(self, code: str, *, lock: bool = False) -> PlateRow | None: ...
    def take_from_plate(self, plate_id: int, units: int, expect: Sequence[str]) -> bool:
        """remaining -= units where enough remains and the status is one of `expect`."""
        ...

    def set_plate(
        self,
        plate_id: int,
        *,
        status: str,
        expect: Sequence[str],
        location_id: int | None = None,
        hold_reason: str | None = None,
        put_away_at: datetime | None = None,
        write_off: bool = False,
    ) -> bool:
        """Move the plate on in its life where it is in one of `expect`; `write_off` empties
        it."""
        ...

    def live_reservations(self, at: datetime) -> list[Reservation]: ...
    def reservation_of(self, plate_id: int, location_id: int) -> HeldSpace | None: ...
    def reserve(self, plate_id: int, claims: Sequence[Claim], expires_at: datetime) -> None: ...
    def release(self, plate_id: int, location_id: int | None = None) -> None:
        """Drop the plate's reservations (at one location, or all)."""
        ...

    def backorders(self, product_id: int, at: datetime, *, except_plate: int) -> list[Backorder]:
        """Lines of allocated/released/picking/picked orders not fully allocated, in priority order,
        less what live cross-dock reservations of other plates already promise them."""
        ...

    def packing_location(self) -> str | None: ...
    def plate_times(self, since: datetime | None, offset: int, limit: int) -> list[PlateTimes]: ...
    def all_plate_times(self, since: datetime | None) -> list[PlateTimes]: ...


@dataclass(frozen=True)
class HeldRow:
    """A held plate as a supervisor's list shows it; `kind` is the location's (quarantine,
    quality, dock)."""

    code: str
    product_id: int
    sku: str
    lot: str
    expiry: date | None
    remaining: int
    location: str
    kind: str
    hold_reason: str
    received_at: datetime


@dataclass(frozen=True)
class PlateOrigin:
    """What the receipt cases that made a plate say: the notice, not-on-notice, damage."""

    notice: str | None
    not_on_notice: bool
    damage: dict[str, int]


class HeldRepo(Protocol):
    def held_plates(self, offset: int, limit: int) -> tuple[list[HeldRow], int]:
        """Held plates with units on them, oldest first, and how many there are in all."""
        ...

    def origins(self, plates: Sequence[HeldRow]) -> dict[str, PlateOrigin]:
        """The receipt cases behind these plates, by plate code (plates from no case are
        left out)."""
        ...
