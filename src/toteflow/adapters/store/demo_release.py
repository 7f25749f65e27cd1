"""Demo only: release a few demo orders as ready pick tasks, until wave release takes over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from toteflow.adapters.store import tables as t
from toteflow.domain.layout import Layout
from toteflow.domain.routing import route

CART_ORDERS = 4
DISCRETE_TASKS = 2
MAX_LINES = 3


@dataclass(frozen=True)
class _Take:
    order_line_id: int
    product_id: int
    stock_id: int
    location_id: int
    location: str
    quantity: int
    lot: str
    expiry: object


@dataclass(frozen=True)
class DemoWork:
    """What the demo released: the cart task first, then the discrete ones."""

    task_ids: list[int]
    orders: list[str]


def _pickable(session: Session, order: t.Order, taken: dict[int, int]) -> list[_Take] | None:
    """Each line from one pick-face stock row with enough unreserved stock, or None."""
    takes = []
    lines = session.exec(select(t.OrderLine).where(t.OrderLine.order_id == order.id)).all()
    for line in lines:
        row = session.exec(
            select(t.Stock, t.Location)
            .join(t.Location, col(t.Location.id) == col(t.Stock.location_id))
            .where(
                t.Stock.product_id == line.product_id,
                t.Location.kind == "pick_face",
                t.Stock.quantity - t.Stock.reserved >= line.quantity,
            )
            .order_by(col(t.Stock.received_on), col(t.Stock.id))
        ).first()
        if row is None:
            return None
        stock, location = row
        assert stock.id is not None
        assert line.id is not None
        assert location.id is not None
        free = stock.quantity - stock.reserved - taken.get(stock.id, 0)
        if free < line.quantity:
            return None
        takes.append(
            _Take(
                line.id,
                line.product_id,
                stock.id,
                location.id,
                location.code,
                line.quantity,
                stock.lot,
                stock.expiry,
            )
        )
    return takes


def _reserve(session: Session, order: t.Order, takes: Sequence[_Take]) -> None:
    stock = t.cols(t.Stock)
    for take in takes:
        # The same conditional update the server uses: never more than is on hand.
        done = session.execute(
            sa.update(t.table(t.Stock))
            .where(stock.id == take.stock_id, stock.quantity - stock.reserved >= take.quantity)
            .values(reserved=stock.reserved + take.quantity)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise RuntimeError(f"demo release: stock {take.stock_id} is short")
        session.execute(
            sa.update(t.table(t.OrderLine))
            .where(t.cols(t.OrderLine).id == take.order_line_id)
            .values(allocated=take.quantity)
        )
    order.status = "released"
    session.add(order)


def _task(
    session: Session,
    layout: Layout,
    kind: str,
    orders: list[tuple[t.Order, list[_Take]]],
    cart: str | None,
) -> int:
    locations = [take.location for _, takes in orders for take in takes]
    walk = route(layout, locations)
    position = {code: n for n, code in enumerate(walk.sequence)}
    task = t.Task(
        kind=kind, status="ready", slots=len(orders), cart_code=cart, distance_m=walk.distance_m
    )
    session.add(task)
    session.flush()
    assert task.id is not None
    stops = sorted(
        ((slot, take) for slot, (_, takes) in enumerate(orders, 1) for take in takes),
        key=lambda pair: (position[pair[1].location], pair[0]),
    )
    for stop_no, (slot, take) in enumerate(stops, start=1):
        session.add(
            t.TaskLine(
                task_id=task.id,
                stop_no=stop_no,
                order_line_id=take.order_line_id,
                stock_id=take.stock_id,
                location_id=take.location_id,
                product_id=take.product_id,
                lot=take.lot,
                expiry=take.expiry,  # type: ignore[arg-type]
                quantity=take.quantity,
                slot=slot,
            )
        )
    for slot, (order, _) in enumerate(orders, start=1):
        assert order.id is not None
        session.add(t.TaskContainer(task_id=task.id, slot=slot, order_id=order.id))
    return task.id


def release_demo_work(engine: Engine, layout: Layout, *, cart: str = "C0001") -> DemoWork:
    """A cart task of four small orders and two discrete tasks, stock reserved, all ready.

    A stand-in for wave release in the demo only: it writes what a released wave would,
    so that a newcomer can ask for work at the station and walk a pick.
    """
    chosen: list[tuple[t.Order, list[_Take]]] = []
    taken: dict[int, int] = {}
    with Session(engine) as session:
        candidates = session.exec(
            select(t.Order)
            .where(t.Order.status == "received")
            .order_by(col(t.Order.priority), col(t.Order.ship_by), col(t.Order.id))
        ).all()
        for order in candidates:
            count = session.exec(
                select(sa.func.count()).where(t.OrderLine.order_id == order.id)
            ).one()
            if not 1 <= count <= MAX_LINES:
                continue
            takes = _pickable(session, order, taken)
            if takes is None:
                continue
            for take in takes:
                taken[take.stock_id] = taken.get(take.stock_id, 0) + take.quantity
            chosen.append((order, takes))
            if len(chosen) == CART_ORDERS + DISCRETE_TASKS:
                break
        for order, takes in chosen:
            _reserve(session, order, takes)
        task_ids = []
        if len(chosen) >= CART_ORDERS:
            task_ids.append(_task(session, layout, "cart", chosen[:CART_ORDERS], cart))
        for single in chosen[CART_ORDERS:]:
            task_ids.append(_task(session, layout, "discrete", [single], None))
        session.commit()
        return DemoWork(task_ids, [order.reference for order, _ in chosen])
