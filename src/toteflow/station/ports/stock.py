"""What stock at the terminal needs: the server's answers, and this station's copy of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from toteflow.contracts import putaway as pa
from toteflow.contracts import stock as st
from toteflow.contracts.catalogue import Location


@dataclass(frozen=True)
class SeenPosition:
    """A stock position as the server last said (or as this station moved it since)."""

    location: str
    location_kind: str
    sku: str
    description: str
    lot: str
    expiry: date | None
    quantity: int
    reserved: int
    plates: list[str] = field(default_factory=list)
    seen_at: datetime | None = None


@dataclass(frozen=True)
class SeenPlace:
    """A location whose whole contents the station was told, with its storage attributes."""

    location: Location
    seen_at: datetime


@dataclass(frozen=True)
class SeenPlate:
    code: str
    status: str
    location: str
    sku: str
    lot: str
    expiry: date | None
    quantity: int
    seen_at: datetime


@dataclass(frozen=True)
class HandMoveRecord:
    """Units this station moved (or heard were moved), for its copy of the stock."""

    from_location: str
    to_location: str
    sku: str
    lot: str
    expiry: date | None
    quantity: int
    plate: str | None = None
    # What the server says is on hand at each end afterwards (None: count it here).
    from_on_hand: int | None = None
    to_on_hand: int | None = None


class StockCache(Protocol):
    """The station's copy of what inquiries answered, in the unit of work."""

    def keep_location(self, found: st.LocationStock, at: datetime) -> None: ...
    def keep_item(self, found: st.ItemStock, at: datetime) -> None: ...
    def keep_plate(self, found: pa.Plate, at: datetime) -> None: ...
    def place(self, code: str) -> SeenPlace | None: ...
    def at_location(self, code: str) -> list[SeenPosition]: ...
    def of_sku(self, sku: str) -> list[SeenPosition]: ...
    def plate(self, code: str) -> SeenPlate | None: ...
    def places(self) -> list[SeenPlace]:
        """The locations known whole, by code."""
        ...

    def free_positions(self, limit: int) -> list[SeenPosition]:
        """Positions with units orders do not hold, by location (for the demo key)."""
        ...

    def moved(self, move: HandMoveRecord, at: datetime) -> None:
        """Apply a move to the copy: the source's units down, the destination's up (a row
        made there if need be), a whole plate's location changed."""
        ...


class StockServer(Protocol):
    """The server's stock inquiries; NotFound with its sentence, ServerUnreachable offline."""

    async def location(self, code: str, session_token: str) -> st.LocationStock: ...
    async def item(self, code: str, session_token: str) -> st.ItemStock: ...
    async def plate(self, code: str, session_token: str) -> pa.Plate: ...
