"""Stock at the terminal: what a location holds, where an item is, stock moved by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from toteflow.central.api.deps import ServicesDep, requires
from toteflow.contracts import stock as st
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(tags=["stock"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_CATALOGUE))]
Mover = Annotated[Actor, Depends(requires(Permission.MOVE_STOCK))]
CodePath = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/stock/locations/{code}")
def location_stock(services: ServicesDep, actor: Reader, code: CodePath) -> st.LocationStock:
    """What the location holds: each SKU, lot and expiry with its quantity, what orders hold
    of it (reserved) and the plates stored there; the location's storage attributes too."""
    return services.stock.at_location(actor, code)


@router.get("/stock/items/{code}")
def item_stock(services: ServicesDep, actor: Reader, code: CodePath) -> st.ItemStock:
    """Where the item is: `code` is its SKU or any of its barcodes (a GTIN of any length)."""
    return services.stock.of_item(actor, code)


@router.post("/stock/moves", status_code=201)
def move_stock(services: ServicesDep, actor: Mover, body: st.MoveRequest) -> st.Moved:
    """Move stock by hand: refused (409) where the destination does not fit or may not mix
    with it, or when fewer units than asked are free at the source (never what orders hold);
    unknown locations or items are 404. Audited; stations hear of it as `stock.moved`."""
    return services.stock.move(actor, body)
