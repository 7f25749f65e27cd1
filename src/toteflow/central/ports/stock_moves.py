"""What stock at the terminal needs of the store: positions to read and the one move of units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from toteflow.contracts.stock import StockPosition
from toteflow.domain.stock_moves import Position


@dataclass(frozen=True)
class SourceRow:
    """A stock row a move may take from: its id, its FIFO date and the position it is."""

    stock_id: int
    received_on: date
    position: Position


@dataclass(frozen=True)
class MovedUnits:
    """On hand at both ends once the units have moved."""

    from_on_hand: int
    to_on_hand: int


class StockMovesRepo(Protocol):
    def wait_for_station(self, station_id: int) -> None:
        """Share the station's row (FOR KEY SHARE on PostgreSQL) before any stock is locked:
        a push of that station holds it throughout, and the move's audit row names it, so
        the move waits for the push instead of deadlocking with it."""
        ...

    def sources(self, location_id: int, product_id: int, *, lock: bool) -> list[SourceRow]:
        """The product's stock rows at the location; `lock` holds them (FOR UPDATE on
        PostgreSQL) until the transaction ends."""
        ...

    def move(
        self,
        source: SourceRow,
        to_location_id: int,
        product_id: int,
        units: int,
        at: datetime,
        reference: str = "",
    ) -> MovedUnits:
        """Every stock quantity change of a move, by conditional updates: `units` leave the
        source row (never into what is reserved there) and join the same SKU, lot and expiry
        at the destination (its row made if need be, keeping the source's received date).
        Raises Refused when the source no longer has them free (a pick took them meanwhile)."""
        ...

    def at_location(self, location_id: int) -> list[StockPosition]:
        """What the location holds, with the plates stored there, by SKU and lot."""
        ...

    def of_product(self, product_id: int) -> list[StockPosition]:
        """Where the product is, pick faces first, then by location."""
        ...

    def product_for_code(self, code: str) -> tuple[int, str, str] | None:
        """(id, SKU, description) of the product with this SKU, barcode as printed, or GTIN
        (any length, compared as 14 digits)."""
        ...
