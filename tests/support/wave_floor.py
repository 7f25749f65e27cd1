"""Test helpers for waves: a few locations of the demo layout, products, stock and orders."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from toteflow.central.api.deps import Services
from toteflow.central.store import tables as t
from toteflow.contracts import catalogue as cat
from toteflow.contracts import orders as o
from toteflow.domain.actor import SYSTEM
from toteflow.shared.layout_file import load_layout

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = load_layout(ROOT / "config" / "warehouse.toml")
TODAY = date.today()


def add_locations(services: Services, codes: list[str]) -> None:
    """The zones of the demo layout and these of its locations (level 3 is reserve there)."""
    wanted = set(codes)
    zones = [
        cat.ZoneCreate(name=z.name, first_aisle=z.first_aisle, last_aisle=z.last_aisle)
        for z in LAYOUT.zones
    ]
    locations = [
        cat.LocationCreate(
            code=spec.code,
            zone=spec.zone,
            aisle=spec.aisle,
            bay=spec.bay,
            level=spec.level,
            kind=spec.kind,
            x=spec.x,
            y=spec.y,
        )
        for spec in LAYOUT.iter_locations()
        if spec.code in wanted
    ]
    assert len(locations) == len(wanted), "every code must be in the demo layout"
    services.catalogue.apply_layout(SYSTEM, zones, locations)


def add_product(services: Services, sku: str, *, expiry_tracked: bool = False) -> None:
    services.catalogue.add_product(
        SYSTEM,
        cat.ProductCreate(
            sku=sku,
            description=f"Item {sku}",
            lot_tracked=expiry_tracked,
            expiry_tracked=expiry_tracked,
            units=[
                cat.ProductUnitIn(
                    barcode=f"BC-{sku}", length_mm=100, width_mm=100, height_mm=100, weight_g=500
                )
            ],
        ),
    )


def add_stock(
    services: Services,
    location: str,
    sku: str,
    quantity: int,
    *,
    expiry_in: int | None = None,
    received_ago: int = 0,
    lot: str = "",
) -> None:
    services.catalogue.adjust_stock(
        SYSTEM,
        cat.StockAdjustment(
            location=location,
            sku=sku,
            lot=lot,
            expiry=None if expiry_in is None else TODAY + timedelta(days=expiry_in),
            delta=quantity,
            reason="received",
            received_on=TODAY - timedelta(days=received_ago),
        ),
    )


def order(
    reference: str,
    lines: list[tuple[str, int]],
    *,
    carrier: str = "UPS",
    service: str = "GROUND",
    priority: int = 5,
    ship_by: date | None = None,
) -> o.OrderCreate:
    return o.OrderCreate(
        reference=reference,
        customer_name="Ada Buyer",
        ship_to=o.Address(
            name="Ada Buyer", line1="1 Main St", city="Springfield", postal_code="1", country="US"
        ),
        carrier=carrier,
        service=service,
        priority=priority,
        ship_by=ship_by or TODAY,
        lines=[o.OrderLineIn(sku=sku, quantity=qty) for sku, qty in lines],
    )


def add_orders(services: Services, orders: list[o.OrderCreate]) -> None:
    services.orders.create_many(SYSTEM, o.OrderBatch(orders=orders))


def rows(engine: Engine, query: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(query))


def stock_by_location(engine: Engine) -> dict[tuple[str, str], tuple[int, int]]:
    """(location code, lot) -> (quantity, reserved)."""
    s, loc = t.cols(t.Stock), t.cols(t.Location)
    found = rows(
        engine,
        sa.select(loc.code, s.lot, s.quantity, s.reserved).join(
            t.table(t.Location), loc.id == s.location_id
        ),
    )
    return {(r.code, r.lot): (r.quantity, r.reserved) for r in found}


def order_states(engine: Engine) -> dict[str, str]:
    o_ = t.cols(t.Order)
    return {r.reference: r.status for r in rows(engine, sa.select(o_.reference, o_.status))}


def check_reservations(engine: Engine) -> None:
    """What stock says is reserved is exactly what open task lines still have to pick."""
    s, tl = t.cols(t.Stock), t.cols(t.TaskLine)
    open_units = {
        r.stock_id: int(r.units)
        for r in rows(
            engine,
            sa.select(tl.stock_id, sa.func.sum(tl.quantity - tl.picked - tl.shorted).label("units"))
            .where(tl.status == "open")
            .group_by(tl.stock_id),
        )
    }
    for r in rows(engine, sa.select(s.id, s.quantity, s.reserved)):
        assert 0 <= r.reserved <= r.quantity
        assert r.reserved == open_units.get(r.id, 0), f"stock row {r.id}"
