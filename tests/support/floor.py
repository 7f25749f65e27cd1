"""Test helpers that lay out a small floor with released work, straight into the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from toteflow.central.store import tables as t


@dataclass(frozen=True)
class Work:
    task_id: int
    task_line_id: int
    stock_id: int
    order_id: int
    reference: str


def released_task(
    engine: Engine,
    *,
    reference: str = "SO-1",
    sku: str = "SKU-T1",
    location: str = "01-001-1",
    on_hand: int = 10,
    quantity: int = 4,
    barcode: str = "4006381333931",
) -> Work:
    """A released order with one line, its stock reserved, and a ready discrete task for it."""
    with Session(engine) as session:
        loc = session.exec(select(t.Location).where(t.Location.code == location)).first()
        if loc is None:
            loc = t.Location(code=location, aisle=1, bay=1, level=1, kind="pick_face", x=0, y=0.75)
            session.add(loc)
        product = session.exec(select(t.Product).where(t.Product.sku == sku)).first()
        if product is None:
            product = t.Product(sku=sku, description=f"Test item {sku}")
            session.add(product)
            session.flush()
            session.add(
                t.ProductUnit(
                    product_id=product.id, uom="EA", barcode=barcode, barcode_kind="gtin13"
                )
            )
        session.flush()
        stock = t.Stock(
            location_id=loc.id, product_id=product.id, quantity=on_hand, reserved=quantity
        )
        order = released_order_row(reference)
        session.add_all([stock, order])
        session.flush()
        line = t.OrderLine(
            order_id=order.id,
            line_no=1,
            product_id=product.id,
            quantity=quantity,
            allocated=quantity,
        )
        task = t.Task(kind="discrete", status="ready", slots=1)
        session.add_all([line, task])
        session.flush()
        task_line = t.TaskLine(
            task_id=task.id,
            stop_no=1,
            order_line_id=line.id,
            stock_id=stock.id,
            location_id=loc.id,
            product_id=product.id,
            quantity=quantity,
        )
        session.add_all([task_line, t.TaskContainer(task_id=task.id, slot=1, order_id=order.id)])
        session.commit()
        assert task.id is not None
        assert task_line.id is not None
        assert stock.id is not None
        assert order.id is not None
        return Work(task.id, task_line.id, stock.id, order.id, reference)


def released_order_row(reference: str) -> t.Order:
    """A released order's row, written straight to the table (no lines yet)."""
    return t.Order(
        reference=reference,
        customer_name="Test Customer",
        ship_name="Test Customer",
        ship_line1="1 Test St",
        ship_city="Testville",
        ship_postal_code="12345",
        ship_country="US",
        carrier="UPS",
        service="GROUND",
        ship_by=date(2026, 12, 1),
        status="released",
    )
