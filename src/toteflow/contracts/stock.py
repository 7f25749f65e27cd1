"""Stock at the terminal on the wire: what a location holds, where an item is, a move by hand."""

from __future__ import annotations

from pydantic import Field

from toteflow.contracts.catalogue import Location, Product
from toteflow.contracts.common import Code, Day, Model, Optional40, Quantity
from toteflow.contracts.putaway import PlateCode

STOCK_MOVED_BY_HAND = "stock.moved_by_hand"


class StockPosition(Model):
    """One stock position: SKU, lot and expiry at a location, with the plates stored there."""

    location: str
    location_kind: str
    sku: str
    description: str
    lot: str
    expiry: Day | None
    quantity: int
    reserved: int
    plates: list[str] = Field(default_factory=list)


class LocationStock(Model):
    """What a location holds (its storage attributes too, for a station's offline checks)."""

    location: Location
    positions: list[StockPosition]


class ItemStock(Model):
    """Where an item is: every location holding it, pick faces first."""

    sku: str
    description: str
    positions: list[StockPosition]
    # The product with its barcodes, so a station can read the item's labels offline too.
    product: Product


class MoveRequest(Model):
    """Stock moved by hand: from a location, an item (or a plate) and quantity, to another."""

    from_location: Code
    to_location: Code
    sku: Code | None = Field(None, description="the item; a plate's own when a plate is named")
    lot: Optional40 | None = Field(
        None, description="the lot; None: the only lot of the SKU at the source"
    )
    quantity: Quantity | None = Field(None, description="units; default: the whole plate")
    plate: PlateCode | None = None


class Moved(Model):
    from_location: str
    to_location: str
    sku: str
    lot: str
    expiry: Day | None
    quantity: int
    plate: str | None
    from_on_hand: int
    to_on_hand: int
    words: str
