"""This station's copy of stock kept in step: a move made here, one heard of, one refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from toteflow.contracts import stock as st
from toteflow.station.ports.stock import HandMoveRecord
from toteflow.station.ports.store import CachedProduct, OutboxEvent, StationUnitOfWork


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def heard_moved(uow: StationUnitOfWork, payload: dict[str, Any], at: datetime) -> None:
    """A `stock.moved` change (a put-away, a move by hand anywhere): the server's counts at
    both ends replace the copy's (the source's only when the change names it)."""
    source, target, sku = payload.get("from"), payload.get("to"), payload.get("sku")
    quantity = _count(payload.get("quantity"))
    if not (isinstance(source, str) and isinstance(target, str) and isinstance(sku, str)):
        return
    if quantity is None:
        return
    plate = payload.get("plate")
    uow.stock.moved(
        HandMoveRecord(
            from_location=source,
            to_location=target,
            sku=sku,
            lot=str(payload.get("lot") or ""),
            expiry=_day(payload.get("expiry")),
            quantity=quantity,
            plate=plate if isinstance(plate, str) and plate else None,
            from_on_hand=_count(payload.get("from_on_hand")),
            to_on_hand=_count(payload.get("on_hand")),
        ),
        at,
    )


def undo_refused(uow: StationUnitOfWork, event: OutboxEvent, at: datetime) -> None:
    """A move by hand the server refused did not happen in its books: the copy takes it back."""
    if event.type != st.STOCK_MOVED_BY_HAND:
        return
    p = event.payload
    sku, quantity = p.get("sku"), _count(p.get("quantity"))
    if not isinstance(sku, str) or not quantity:
        return
    uow.stock.moved(
        HandMoveRecord(
            from_location=str(p.get("to_location")),
            to_location=str(p.get("from_location")),
            sku=sku,
            lot=str(p.get("lot") or ""),
            expiry=None,
            quantity=quantity,
            plate=p.get("plate") or None,
        ),
        at,
    )


def keep_item(uow: StationUnitOfWork, found: st.ItemStock, at: datetime) -> None:
    """An item's answer: its positions, and the product with its barcodes (for offline)."""
    uow.stock.keep_item(found, at)
    product = found.product
    uow.catalogue.upsert_product(
        CachedProduct(
            sku=product.sku,
            description=product.description,
            lot_tracked=product.lot_tracked,
            expiry_tracked=product.expiry_tracked,
            lot_substitution=product.lot_substitution,
            units=list(product.units),
        )
    )
