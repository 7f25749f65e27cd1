"""Test helpers: released orders with reserved stock and ready pick tasks (discrete, cart, zone)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from toteflow.central.store import tables as t
from toteflow.domain.gs1 import with_check_digit

ZONES = (("A", 1, 5), ("B", 6, 10), ("C", 11, 15), ("D", 16, 20))


@dataclass(frozen=True)
class Item:
    """A product as the tests need it: the barcode scanned, tracking and its case size."""

    sku: str
    lot_tracked: bool = False
    expiry_tracked: bool = False
    lot_substitution: bool = False
    case_units: int | None = None

    @property
    def barcode(self) -> str:
        return barcode_of(self.sku)

    @property
    def case_barcode(self) -> str:
        return with_check_digit("1" + barcode_of(self.sku)[:-1])


def barcode_of(sku: str) -> str:
    """A stable, valid GTIN-13 for a test SKU."""
    return with_check_digit(f"400{zlib.crc32(sku.encode()) % 10**9:09d}")


@dataclass(frozen=True)
class Pick:
    """One order line to pick: from `location`, `quantity` of `item` (stock on hand there)."""

    location: str
    item: Item
    quantity: int
    on_hand: int = 20
    lot: str = ""
    expiry: date | None = None


@dataclass(frozen=True)
class PlannedLine:
    task_line_id: int
    stock_id: int
    order_id: int
    order_line_id: int
    reference: str
    location: str
    item: Item
    quantity: int
    slot: int
    lot: str
    expiry: date | None


@dataclass(frozen=True)
class PlannedTask:
    task_id: int
    kind: str
    cart: str | None
    lines: list[PlannedLine]
    references: list[str] = field(default_factory=list)

    @property
    def stock_ids(self) -> list[int]:
        return sorted({line.stock_id for line in self.lines})


def _zone(session: Session, aisle: int) -> int | None:
    for name, first, last in ZONES:
        if first <= aisle <= last:
            zone = session.exec(select(t.Zone).where(t.Zone.name == name)).first()
            if zone is None:
                zone = t.Zone(name=name, first_aisle=first, last_aisle=last)
                session.add(zone)
                session.flush()
            return zone.id
    return None


def _location(session: Session, code: str) -> t.Location:
    loc = session.exec(select(t.Location).where(t.Location.code == code)).first()
    if loc is None:
        aisle, bay, level = (int(part) for part in code.split("-"))
        loc = t.Location(
            code=code,
            zone_id=_zone(session, aisle),
            aisle=aisle,
            bay=bay,
            level=level,
            kind="pick_face",
            x=(aisle - 1) * 4.0,
            y=(bay - 0.5) * 1.5,
        )
        session.add(loc)
        session.flush()
    return loc


def _product(session: Session, item: Item) -> t.Product:
    product = session.exec(select(t.Product).where(t.Product.sku == item.sku)).first()
    if product is None:
        product = t.Product(
            sku=item.sku,
            description=f"Test item {item.sku}",
            lot_tracked=item.lot_tracked,
            expiry_tracked=item.expiry_tracked,
            lot_substitution=item.lot_substitution,
        )
        session.add(product)
        session.flush()
        assert product.id is not None
        session.add(
            t.ProductUnit(
                product_id=product.id, uom="EA", barcode=item.barcode, barcode_kind="gtin13"
            )
        )
        if item.case_units:
            session.add(
                t.ProductUnit(
                    product_id=product.id,
                    uom="CS",
                    units=item.case_units,
                    barcode=item.case_barcode,
                    barcode_kind="gtin13",
                )
            )
        session.flush()
    return product


def _stock(session: Session, loc: t.Location, product: t.Product, pick: Pick) -> t.Stock:
    stock = session.exec(
        select(t.Stock).where(
            t.Stock.location_id == loc.id,
            t.Stock.product_id == product.id,
            t.Stock.lot == pick.lot,
            t.Stock.expiry == pick.expiry if pick.expiry else col(t.Stock.expiry).is_(None),
        )
    ).first()
    if stock is None:
        assert loc.id is not None
        assert product.id is not None
        stock = t.Stock(
            location_id=loc.id,
            product_id=product.id,
            lot=pick.lot,
            expiry=pick.expiry,
            quantity=pick.on_hand,
            reserved=0,
        )
    stock.reserved += pick.quantity
    assert stock.reserved <= stock.quantity, "not enough stock for the reservations"
    session.add(stock)
    session.flush()
    return stock


@dataclass(frozen=True)
class _OrderLine:
    order_id: int
    order_line_id: int
    reference: str
    pick: Pick
    stock_id: int
    location_id: int
    product_id: int


def _order(session: Session, reference: str, picks: Sequence[Pick]) -> list[_OrderLine]:
    order = t.Order(
        reference=reference,
        customer_name=f"Customer {reference}",
        ship_name=f"Customer {reference}",
        ship_line1="1 Test St",
        ship_city="Testville",
        ship_postal_code="12345",
        ship_country="US",
        carrier="UPS",
        service="GROUND",
        ship_by=date(2026, 12, 1),
        status="released",
    )
    session.add(order)
    session.flush()
    assert order.id is not None
    lines = []
    for number, pick in enumerate(picks, start=1):
        loc = _location(session, pick.location)
        product = _product(session, pick.item)
        stock = _stock(session, loc, product, pick)
        assert product.id is not None
        line = t.OrderLine(
            order_id=order.id,
            line_no=number,
            product_id=product.id,
            quantity=pick.quantity,
            allocated=pick.quantity,
        )
        session.add(line)
        session.flush()
        assert line.id is not None
        assert stock.id is not None
        assert loc.id is not None
        lines.append(_OrderLine(order.id, line.id, reference, pick, stock.id, loc.id, product.id))
    return lines


def _route_key(pick: Pick) -> tuple[int, int, int]:
    # Up odd aisles, down even ones: a serpentine route, good enough for test tasks.
    aisle, bay, level = (int(part) for part in pick.location.split("-"))
    return aisle, bay if aisle % 2 else -bay, level


def make_task(
    engine: Engine,
    kind: str,
    orders: dict[str, Sequence[Pick]],
    *,
    cart: str | None = None,
    zone: str | None = None,
    priority: int = 5,
    destinations: dict[str, str] | None = None,
    distance_m: float = 100.0,
) -> PlannedTask:
    """Released orders (stock reserved) and one ready task over them, a slot per order."""
    with Session(engine) as session:
        slots: dict[str, int] = {}
        all_lines: list[tuple[_OrderLine, int]] = []
        for slot, (reference, picks) in enumerate(orders.items(), start=1):
            slots[reference] = slot
            all_lines += [(line, slot) for line in _order(session, reference, picks)]
        task = t.Task(
            kind=kind,
            status="ready",
            slots=len(orders),
            cart_code=cart,
            zone=zone,
            priority=priority,
            distance_m=distance_m,
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        planned: list[PlannedLine] = []
        ordered = sorted(all_lines, key=lambda pair: _route_key(pair[0].pick))
        for stop_no, (line, slot) in enumerate(ordered, start=1):
            planned.append(_add_line(session, task.id, stop_no, line, slot))
        for reference, slot in slots.items():
            order_id = next(ln.order_id for ln, _ in all_lines if ln.reference == reference)
            session.add(
                t.TaskContainer(
                    task_id=task.id,
                    slot=slot,
                    order_id=order_id,
                    destination=(destinations or {}).get(reference, ""),
                )
            )
        session.commit()
        return PlannedTask(task.id, kind, cart, planned, list(orders))


def zone_tasks(
    engine: Engine, reference: str, first: Sequence[Pick], second: Sequence[Pick]
) -> tuple[PlannedTask, PlannedTask]:
    """One order picked in two zones: zone A's task hands its tote on to zone B's task."""
    with Session(engine) as session:
        lines = _order(session, reference, [*first, *second])
        session.commit()
    tasks = []
    for zone, picks, destination, priority in (
        ("A", first, "zone:B", 1),
        ("B", second, "pack", 2),
    ):
        ours = [line for line in lines if line.pick in picks]
        tasks.append(_task_over(engine, "zone", zone, ours, destination, priority))
    with Session(engine) as session:
        # Pick-and-pass: zone B's task waits for zone A's, as a wave's release chains them.
        session.execute(
            sa.update(t.table(t.Task))
            .where(t.cols(t.Task).id == tasks[1].task_id)
            .values(after_task_id=tasks[0].task_id)
        )
        session.commit()
    return tasks[0], tasks[1]


def _task_over(
    engine: Engine,
    kind: str,
    zone: str,
    lines: list[_OrderLine],
    destination: str,
    priority: int,
) -> PlannedTask:
    with Session(engine) as session:
        task = t.Task(kind=kind, status="ready", slots=1, zone=zone, priority=priority)
        session.add(task)
        session.flush()
        assert task.id is not None
        planned = []
        for stop_no, line in enumerate(sorted(lines, key=lambda ln: _route_key(ln.pick)), 1):
            planned.append(_add_line(session, task.id, stop_no, line, 1))
        session.add(
            t.TaskContainer(
                task_id=task.id, slot=1, order_id=lines[0].order_id, destination=destination
            )
        )
        session.commit()
        return PlannedTask(task.id, kind, None, planned, [lines[0].reference])


def _add_line(
    session: Session, task_id: int, stop_no: int, line: _OrderLine, slot: int
) -> PlannedLine:
    """One task line over an order line, and what the tests know of it."""
    task_line = t.TaskLine(
        task_id=task_id,
        stop_no=stop_no,
        order_line_id=line.order_line_id,
        stock_id=line.stock_id,
        location_id=line.location_id,
        product_id=line.product_id,
        lot=line.pick.lot,
        expiry=line.pick.expiry,
        quantity=line.pick.quantity,
        slot=slot,
    )
    session.add(task_line)
    session.flush()
    assert task_line.id is not None
    return PlannedLine(
        task_line.id,
        line.stock_id,
        line.order_id,
        line.order_line_id,
        line.reference,
        line.pick.location,
        line.pick.item,
        line.pick.quantity,
        slot,
        line.pick.lot,
        line.pick.expiry,
    )


def stock_row(engine: Engine, stock_id: int) -> tuple[int, int]:
    """(quantity on hand, reserved) of a stock row."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(t.cols(t.Stock).quantity, t.cols(t.Stock).reserved).where(
                t.cols(t.Stock).id == stock_id
            )
        ).one()
    return int(row.quantity), int(row.reserved)


def task_state(engine: Engine, task_id: int) -> tuple[str, dict[int, tuple[int, int, str]]]:
    """The server's task status and, per task line, (picked, shorted, status)."""
    with engine.connect() as connection:
        status = connection.execute(
            sa.select(t.cols(t.Task).status).where(t.cols(t.Task).id == task_id)
        ).scalar_one()
        rows = connection.execute(
            sa.select(
                t.cols(t.TaskLine).id,
                t.cols(t.TaskLine).picked,
                t.cols(t.TaskLine).shorted,
                t.cols(t.TaskLine).status,
            ).where(t.cols(t.TaskLine).task_id == task_id)
        ).all()
    return str(status), {r.id: (int(r.picked), int(r.shorted), str(r.status)) for r in rows}


def containers(engine: Engine, task_id: int) -> dict[int, tuple[str | None, str, str]]:
    """Per slot of a task on the server: (tote, status, destination)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                t.cols(t.TaskContainer).slot,
                t.cols(t.TaskContainer).tote_code,
                t.cols(t.TaskContainer).status,
                t.cols(t.TaskContainer).destination,
            ).where(t.cols(t.TaskContainer).task_id == task_id)
        ).all()
    return {int(r.slot): (r.tote_code, str(r.status), str(r.destination)) for r in rows}


def order_state(engine: Engine, reference: str) -> tuple[str, list[tuple[int, int, int]]]:
    """An order's status and, per line, (quantity, allocated, picked)."""
    with engine.connect() as connection:
        order = connection.execute(
            sa.select(t.cols(t.Order).id, t.cols(t.Order).status).where(
                t.cols(t.Order).reference == reference
            )
        ).one()
        lines = connection.execute(
            sa.select(
                t.cols(t.OrderLine).quantity,
                t.cols(t.OrderLine).allocated,
                t.cols(t.OrderLine).picked,
            )
            .where(t.cols(t.OrderLine).order_id == order.id)
            .order_by(t.cols(t.OrderLine).line_no)
        ).all()
    return str(order.status), [(int(r.quantity), int(r.allocated), int(r.picked)) for r in lines]
