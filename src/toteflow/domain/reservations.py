"""Space claimed by open put-away suggestions, live until confirmed or expired.

A suggestion reserves what it sends to a location, so two receivers are never sent to the
same empty bin; a reservation nobody confirmed lapses at `expires_at`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Reservation:
    """Units of a plate promised to a location, with the space and weight they take."""

    plate: str
    location: str
    sku: str
    lot: str | None
    quantity: int
    volume_mm3: int
    weight_g: int
    expires_at: datetime


def is_live(reservation: Reservation, at: datetime) -> bool:
    """Whether `reservation` still holds its space at `at` (it lapses at `expires_at`)."""
    return reservation.expires_at > at


def live(reservations: Iterable[Reservation], at: datetime) -> list[Reservation]:
    """The reservations still holding their space at `at`."""
    return [r for r in reservations if is_live(r, at)]


@dataclass
class Held:
    """What live reservations of other plates hold at one location."""

    quantity: int = 0
    volume_mm3: int = 0
    weight_g: int = 0
    stock: set[tuple[str, str | None]] = field(default_factory=set)
    """(SKU, lot) of what is on its way there, for the location's mixing rule."""

    def add(self, reservation: Reservation) -> None:
        self.quantity += reservation.quantity
        self.volume_mm3 += reservation.volume_mm3
        self.weight_g += reservation.weight_g
        self.stock.add((reservation.sku, reservation.lot))


def held_by_location(
    reservations: Iterable[Reservation], at: datetime, *, except_plate: str | None = None
) -> dict[str, Held]:
    """Live reservations summed per location, leaving out `except_plate`'s own (a plate
    asking again must not be kept out by what it reserved itself)."""
    held: dict[str, Held] = {}
    for reservation in reservations:
        if reservation.plate == except_plate or not is_live(reservation, at):
            continue
        held.setdefault(reservation.location, Held()).add(reservation)
    return held
