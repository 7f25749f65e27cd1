"""Orders and their lines over SQLModel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.central.store.set_based import new_ids, text_filters
from toteflow.contracts import orders as o
from toteflow.contracts.common import Page
from toteflow.domain.errors import Conflict, NotFound
from toteflow.domain.orders import Move, OrderStatus

_ORDER_COLUMNS = (
    "id",
    "reference",
    "customer_name",
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
    "carrier",
    "service",
    "priority",
    "ship_by",
    "status",
    "held_from",
    "cancel_reason",
    "created_at",
    "updated_at",
    "version",
)
_LINE_COLUMNS = ("order_id", "line_no", "product_id", "quantity", "allocated", "picked")


class SqlOrderRepo:
    def __init__(self, session: Session) -> None:
        self.session = session
        # SKU -> product id, as found in this transaction: an import's batches name the same
        # few thousand SKUs again and again, and a product never changes its id or goes.
        self._known: dict[str, int] = {}

    def add(self, order: o.OrderCreate) -> o.Order:
        product_ids = self._product_ids([line.sku for line in order.lines])
        if self.session.exec(
            select(col(t.Order.id)).where(col(t.Order.reference) == order.reference)
        ).first():
            raise Conflict(f"an order with reference {order.reference} already exists")
        address = order.ship_to
        row = t.Order(
            reference=order.reference,
            customer_name=order.customer_name,
            ship_name=address.name,
            ship_line1=address.line1,
            ship_line2=address.line2,
            ship_city=address.city,
            ship_region=address.region,
            ship_postal_code=address.postal_code,
            ship_country=address.country,
            carrier=order.carrier,
            service=order.service,
            priority=order.priority,
            ship_by=order.ship_by,
        )
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        self._add_lines(row.id, order.lines, product_ids)
        return self._orders([row])[0]

    def add_many(self, orders: Sequence[o.OrderCreate]) -> list[o.OrderCreate]:
        """Write the orders whose references are new, set-based; those written, in order.

        COPY on PostgreSQL and one executemany on SQLite for the orders and for their lines,
        with the orders' ids drawn beforehand: a few statements for the whole batch, where a
        row and a read-back per order made an import of 100,000 orders take ten minutes.
        """
        present = self.existing_references([order.reference for order in orders])
        new: list[o.OrderCreate] = []
        for order in orders:
            if order.reference not in present:
                present.add(order.reference)
                new.append(order)
        if not new:
            return []
        product_ids = self._product_ids(sorted({line.sku for o_ in new for line in o_.lines}))
        ids = new_ids(self.session, "orders", len(new))
        now = t.utcnow()
        received = OrderStatus.RECEIVED.value
        # Tuples in the order of _ORDER_COLUMNS and _LINE_COLUMNS: a dict per row cost more
        # client time than COPY takes to send it.
        order_rows: list[tuple[object, ...]] = []
        line_rows: list[tuple[object, ...]] = []
        for order_id, order in zip(ids, new, strict=True):
            to = order.ship_to
            order_rows.append(
                (
                    order_id,
                    order.reference,
                    order.customer_name,
                    to.name,
                    to.line1,
                    to.line2,
                    to.city,
                    to.region,
                    to.postal_code,
                    to.country,
                    order.carrier,
                    order.service,
                    order.priority,
                    order.ship_by,
                    received,
                    None,
                    "",
                    now,
                    now,
                    0,
                )
            )
            line_rows += [
                (order_id, n, product_ids[line.sku], line.quantity, 0, 0)
                for n, line in enumerate(order.lines, start=1)
            ]
        t.copy_values(self.session, t.Order, _ORDER_COLUMNS, order_rows)
        t.copy_values(self.session, t.OrderLine, _LINE_COLUMNS, line_rows)
        return new

    def _add_lines(self, order_id: int, lines: list[o.OrderLineIn], ids: dict[str, int]) -> None:
        self.session.add_all(
            t.OrderLine(
                order_id=order_id, line_no=n, product_id=ids[line.sku], quantity=line.quantity
            )
            for n, line in enumerate(lines, start=1)
        )
        self.session.flush()

    def _product_ids(self, skus: list[str]) -> dict[str, int]:
        known = self._known
        wanted = [sku for sku in skus if sku not in known]
        known.update(
            (sku, pid)
            for where in text_filters(self.session, col(t.Product.sku), wanted)
            for sku, pid in self.session.exec(
                select(col(t.Product.sku), col(t.Product.id)).where(where)
            )
            if pid is not None
        )
        missing = [sku for sku in skus if sku not in known]
        if missing:
            raise NotFound(f"unknown SKU: {', '.join(missing)}")
        return known

    def get(self, reference: str, *, lock: bool = False) -> o.Order | None:
        query = select(t.Order).where(col(t.Order.reference) == reference)
        if lock:
            query = query.with_for_update()
        row = self.session.exec(query.execution_options(populate_existing=True)).first()
        return self._orders([row])[0] if row else None

    def existing_references(self, references: list[str]) -> set[str]:
        return {
            reference
            for where in text_filters(self.session, col(t.Order.reference), references)
            for reference in self.session.exec(select(col(t.Order.reference)).where(where))
        }

    def find(self, filters: o.OrderFilter, offset: int, limit: int) -> Page[o.Order]:
        query = select(t.Order)
        if filters.status:
            query = query.where(col(t.Order.status) == filters.status.value)
        if filters.carrier:
            query = query.where(col(t.Order.carrier) == filters.carrier)
        if filters.ship_by_before:
            query = query.where(col(t.Order.ship_by) <= filters.ship_by_before)
        if filters.priority:
            query = query.where(col(t.Order.priority) == filters.priority)
        if filters.reference_prefix:
            query = query.where(col(t.Order.reference).startswith(filters.reference_prefix))
        total = self.session.exec(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).one()
        rows = self.session.exec(
            query.order_by(col(t.Order.ship_by), col(t.Order.priority), col(t.Order.id))
            .offset(offset)
            .limit(limit)
        ).all()
        return Page(items=self._orders(rows), total=total, offset=offset, limit=limit)

    def set_status(self, order_id: int, move: Move, *, cancel_reason: str = "") -> None:
        values: dict[str, object] = {
            "status": move.status.value,
            "held_from": move.held_from.value if move.held_from else None,
            "updated_at": t.utcnow(),
            "version": col(t.Order.version) + 1,
        }
        if cancel_reason:
            values["cancel_reason"] = cancel_reason
        self.session.execute(sa.update(t.Order).where(col(t.Order.id) == order_id).values(**values))

    def replace_lines(self, order_id: int, lines: list[o.OrderLineIn]) -> None:
        ids = self._product_ids([line.sku for line in lines])
        self.session.execute(sa.delete(t.OrderLine).where(col(t.OrderLine.order_id) == order_id))
        self._add_lines(order_id, lines, ids)
        self.session.execute(
            sa.update(t.Order)
            .where(col(t.Order.id) == order_id)
            .values(updated_at=t.utcnow(), version=col(t.Order.version) + 1)
        )

    def count_by_status(self) -> dict[OrderStatus, int]:
        rows = self.session.exec(
            select(col(t.Order.status), func.count()).group_by(col(t.Order.status))
        )
        return {OrderStatus(status): count for status, count in rows}

    def _orders(self, rows: Sequence[t.Order]) -> list[o.Order]:
        ids = [r.id for r in rows]
        lines: dict[int, list[o.OrderLine]] = defaultdict(list)
        for line, sku in self.session.exec(
            select(t.OrderLine, col(t.Product.sku))
            .join(t.Product, col(t.Product.id) == col(t.OrderLine.product_id))
            .where(col(t.OrderLine.order_id).in_(ids))
            .order_by(col(t.OrderLine.order_id), col(t.OrderLine.line_no))
            .execution_options(populate_existing=True)
        ):
            lines[line.order_id].append(
                o.OrderLine(
                    sku=sku,
                    quantity=line.quantity,
                    line_no=line.line_no,
                    allocated=line.allocated,
                    picked=line.picked,
                )
            )
        return [
            o.Order(
                id=r.id or 0,
                reference=r.reference,
                customer_name=r.customer_name,
                ship_to=o.Address(
                    name=r.ship_name,
                    line1=r.ship_line1,
                    line2=r.ship_line2,
                    city=r.ship_city,
                    region=r.ship_region,
                    postal_code=r.ship_postal_code,
                    country=r.ship_country,
                ),
                carrier=r.carrier,
                service=r.service,
                priority=r.priority,
                ship_by=r.ship_by,
                status=OrderStatus(r.status),
                held_from=OrderStatus(r.held_from) if r.held_from else None,
                cancel_reason=r.cancel_reason,
                created_at=_aware(r.created_at) or r.created_at,
                updated_at=_aware(r.updated_at) or r.updated_at,
                lines=lines[r.id or 0],
            )
            for r in rows
        ]
