"""Test helpers for replenishment: a pick face with released picks, reserve stock behind it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.support.floor import released_order_row
from toteflow.central.store import replenishment_tables as rt
from toteflow.central.store import tables as t
from toteflow.contracts import sync

FACE = "01-001-1"
RESERVE = "01-001-3"
SKU = "SKU-R1"


@dataclass(frozen=True)
class Floor:
    face_id: int
    reserve_id: int
    product_id: int
    face_stock: int
    reserve_stock: int
    lines: list[int]  # task lines of one unit each, at the face


def _location(session: Session, code: str, kind: str, level: int) -> t.Location:
    found = session.exec(select(t.Location).where(t.Location.code == code)).first()
    if found is None:
        found = t.Location(code=code, aisle=1, bay=1, level=level, kind=kind, x=0, y=0.75)
        session.add(found)
        session.flush()
    return found


def face_with_picks(
    engine: Engine,
    *,
    picks: int,
    on_face: int,
    in_reserve: int,
    minimum: int,
    maximum: int,
    sku: str = SKU,
) -> Floor:
    """A face holding `on_face` of the SKU with `picks` released one-unit picks reserved on it,
    its min/max set, and `in_reserve` of the SKU in reserve."""
    with Session(engine) as session:
        face = _location(session, FACE, "pick_face", 1)
        reserve = _location(session, RESERVE, "reserve", 3)
        product = t.Product(sku=sku, description=f"Item {sku}")
        session.add(product)
        session.flush()
        session.add(
            t.ProductUnit(
                product_id=product.id, uom="EA", barcode="4006381333931", barcode_kind="gtin13"
            )
        )
        stock = t.Stock(
            location_id=face.id, product_id=product.id, quantity=on_face, reserved=picks
        )
        behind = t.Stock(location_id=reserve.id, product_id=product.id, quantity=in_reserve)
        session.add_all([stock, behind])
        session.add(
            rt.FaceLimit(
                location_id=face.id, product_id=product.id, minimum=minimum, maximum=maximum
            )
        )
        session.flush()
        lines = []
        for n in range(picks):
            order = released_order_row(f"SO-R{n}")
            session.add(order)
            session.flush()
            line = t.OrderLine(
                order_id=order.id, line_no=1, product_id=product.id, quantity=1, allocated=1
            )
            task = t.Task(kind="discrete", status="in_progress", slots=1)
            session.add_all([line, task])
            session.flush()
            task_line = t.TaskLine(
                task_id=task.id,
                stop_no=1,
                order_line_id=line.id,
                stock_id=stock.id,
                location_id=face.id,
                product_id=product.id,
                quantity=1,
            )
            session.add_all(
                [task_line, t.TaskContainer(task_id=task.id, slot=1, order_id=order.id)]
            )
            session.flush()
            assert task_line.id is not None
            lines.append(task_line.id)
        session.commit()
        ids = (face.id, reserve.id, product.id, stock.id, behind.id)
        assert all(ids)
        return Floor(*(int(i or 0) for i in ids), lines=lines)


def pick_event(seq: int, user_id: int | None, line_id: int, quantity: int = 1) -> sync.Event:
    return event(seq, user_id, "pick.confirmed", {"task_line_id": line_id, "quantity": quantity})


def event(seq: int, user_id: int | None, kind: str, payload: dict[str, Any]) -> sync.Event:
    return sync.Event(
        id=uuid.uuid4(),
        seq=seq,
        user_id=user_id,
        type=kind,
        payload=payload,
        station_time=datetime.now(UTC),
    )


def replenishments(engine: Engine) -> list[Any]:
    r = t.cols(rt.Replenishment)
    with engine.connect() as connection:
        return list(connection.execute(sa.select(rt.Replenishment).order_by(r.id)))


def stock_of(engine: Engine, stock_id: int) -> tuple[int, int]:
    s = t.cols(t.Stock)
    with engine.connect() as connection:
        row = connection.execute(sa.select(s.quantity, s.reserved).where(s.id == stock_id)).one()
    return int(row.quantity), int(row.reserved)
