"""The order pool a wave draws on, the stock it reserves by conditional UPDATE, order states."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from toteflow.central.ports.waves import (
    LineInfo,
    PoolLine,
    PoolOrder,
    PoolQuery,
    StockRow,
    WaveOrder,
)
from toteflow.central.store import tables as t
from toteflow.central.store.set_based import SetBasedRepo, rowcount
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Conflict

# Only put-away stock is allocated: docks, quarantine and quality locations (received and held
# plates' stock), staging and packing never are.
PICKABLE = ("pick_face", "reserve")


class SqlWavePoolRepo(SetBasedRepo):
    """Received orders, their lines and the stock free for them; what allocation writes."""

    # the pool and stock -------------------------------------------------------------------

    def pool(self, query: PoolQuery) -> list[PoolOrder]:
        o, ln = t.cols(t.Order), t.cols(t.OrderLine)
        select = (
            sa.select(
                o.id,
                o.reference,
                o.carrier,
                o.service,
                o.priority,
                o.ship_by,
                sa.func.count(ln.id).label("lines"),
                sa.func.sum(ln.quantity).label("units"),
            )
            .select_from(t.table(t.Order))
            .join(t.table(t.OrderLine), ln.order_id == o.id)
            .where(o.status == "received")
            .group_by(o.id, o.reference, o.carrier, o.service, o.priority, o.ship_by)
            .order_by(o.priority, o.ship_by, o.id)
        )
        if query.carrier:
            select = select.where(o.carrier == query.carrier)
        if query.service:
            select = select.where(o.service == query.service)
        if query.ship_by:
            select = select.where(o.ship_by <= query.ship_by)
        if query.priorities:
            select = select.where(o.priority.in_(query.priorities))
        return [
            PoolOrder(
                id=row.id,
                reference=row.reference,
                carrier=row.carrier,
                service=row.service,
                priority=row.priority,
                ship_by=row.ship_by,
                lines=int(row.lines),
                units=int(row.units or 0),
            )
            for row in self.session.execute(select)
        ]

    def lock_orders(self, order_ids: list[int]) -> set[int]:
        o = t.cols(t.Order)
        still: set[int] = set()
        for clause in self._id_filters(o.id, sorted(order_ids)):
            # FOR UPDATE re-checks the status on the newest row version after waiting, so an
            # order another release has just taken is skipped rather than taken twice.
            still.update(
                self.session.execute(
                    sa.select(o.id)
                    .where(clause, o.status == "received")
                    .order_by(o.id)
                    .with_for_update()
                ).scalars()
            )
        return still

    def lines(self, order_ids: list[int]) -> list[PoolLine]:
        ln, p, u = t.cols(t.OrderLine), t.cols(t.Product), t.cols(t.ProductUnit)
        out: list[PoolLine] = []
        for clause in self._id_filters(ln.order_id, order_ids):
            rows = self.session.execute(
                sa.select(
                    ln.id,
                    ln.order_id,
                    ln.line_no,
                    ln.product_id,
                    p.sku,
                    ln.quantity,
                    ln.allocated,
                    p.expiry_tracked,
                    # Litres and kilograms of one unit (of the EA unit; 0 without one).
                    # As floats before multiplying: three integers of mm overflow 32 bits.
                    sa.func.coalesce(
                        sa.cast(u.length_mm, sa.Float) * u.width_mm * u.height_mm / 1e6, 0.0
                    ),
                    sa.func.coalesce(sa.cast(u.weight_g, sa.Float) / 1e3, 0.0),
                )
                .select_from(t.table(t.OrderLine))
                .join(t.table(t.Product), p.id == ln.product_id)
                .outerjoin(
                    t.table(t.ProductUnit), sa.and_(u.product_id == ln.product_id, u.uom == "EA")
                )
                .where(clause)
            )
            # Positional: a wave reads some 40,000 of these, and named access costs.
            out += [PoolLine._make(row) for row in rows]
        return out

    def stock(
        self, product_ids: list[int], *, lock: bool, exclude_locations: frozenset[int] = frozenset()
    ) -> list[StockRow]:
        s, loc, zone = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Zone)
        out: list[StockRow] = []
        for clause in self._id_filters(s.product_id, sorted(product_ids)):
            query = (
                sa.select(
                    s.id,
                    s.product_id,
                    s.location_id,
                    loc.code,
                    loc.kind,
                    loc.aisle,
                    loc.bay,
                    zone.name.label("zone"),
                    s.lot,
                    s.expiry,
                    s.received_on,
                    s.quantity,
                    s.reserved,
                )
                .select_from(t.table(t.Stock))
                .join(t.table(t.Location), loc.id == s.location_id)
                .outerjoin(t.table(t.Zone), zone.id == loc.zone_id)
                .where(
                    clause,
                    s.quantity > s.reserved,
                    loc.kind.in_(PICKABLE),
                    loc.active.is_(True),
                    loc.aisle.is_not(None),
                    loc.bay.is_not(None),
                )
                .order_by(s.id)
            )
            if exclude_locations:
                query = query.where(s.location_id.not_in(sorted(exclude_locations)))
            if lock:
                # One statement in stock id order: two releases wanting the same rows queue
                # on them in the same order instead of deadlocking. The values read are the
                # newest, so the plan is made against what is really free.
                query = query.with_for_update(of=t.table(t.Stock))
            out += [
                StockRow(
                    id=row.id,
                    product_id=row.product_id,
                    location_id=row.location_id,
                    location=row.code,
                    kind=row.kind,
                    aisle=row.aisle,
                    bay=row.bay,
                    zone=row.zone,
                    lot=row.lot,
                    expiry=row.expiry,
                    received_on=row.received_on,
                    quantity=row.quantity,
                    reserved=row.reserved,
                )
                for row in self.session.execute(query)
            ]
        return out

    # allocation ---------------------------------------------------------------------------

    def reserve(self, units_by_stock: dict[int, int]) -> None:
        # The conditional UPDATE is the guarantee: a row gives only what is free in it at the
        # moment of writing, whatever was read before.
        hit = self._add_by_id(
            "stock", "reserved", units_by_stock, guard="{t}.quantity - {t}.reserved >= {n}"
        )
        if hit != len(units_by_stock):
            raise Conflict(
                "stock changed while the wave was being released: "
                f"{len(units_by_stock) - hit} stock rows no longer had the units; nothing was "
                "changed, release again"
            )

    def add_allocated(self, units_by_line: dict[int, int]) -> None:
        self._add_by_id("order_line", "allocated", units_by_line)

    def set_order_status(
        self,
        order_ids: list[int],
        status: str,
        *,
        expect: tuple[str, ...],
        reason: str = "",
        held_from: str | None = None,
    ) -> None:
        if not order_ids:
            return
        o = t.cols(t.Order)
        values: dict[str, Any] = {
            "status": status,
            "updated_at": t.utcnow(),
            "version": o.version + 1,
        }
        if reason:
            values["cancel_reason"] = reason
        if held_from is not None:
            values["held_from"] = held_from
        hit = 0
        for clause in self._id_filters(o.id, sorted(order_ids)):
            result = self.session.execute(
                sa.update(t.table(t.Order)).where(clause, o.status.in_(expect)).values(**values)
            )
            hit += rowcount(result)
        if hit != len(set(order_ids)):
            raise Conflict(
                f"{len(set(order_ids)) - hit} orders changed meanwhile; nothing was changed, "
                "try again"
            )

    def cut_lines(self, quantities: dict[int, int]) -> None:
        ln, tl = t.cols(t.OrderLine), t.cols(t.TaskLine)
        keep = [{"lid": i, "q": q} for i, q in sorted(quantities.items()) if q > 0]
        if keep:
            self.session.execute(
                sa.update(t.table(t.OrderLine))
                .where(ln.id == sa.bindparam("lid"))
                .values(quantity=sa.bindparam("q")),
                keep,
            )
        drop = sorted(i for i, q in quantities.items() if q <= 0)
        for clause in self._id_filters(ln.id, drop):
            # A line a task ever pointed at stays (as history); only untouched lines go.
            used = sa.select(tl.id).where(tl.order_line_id == ln.id).exists()
            self.session.execute(sa.delete(t.table(t.OrderLine)).where(clause, ~used))

    # the orders of a wave -----------------------------------------------------------------

    def wave_orders(self, wave_id: int, *, lock: bool) -> list[WaveOrder]:
        o, tc, task = t.cols(t.Order), t.cols(t.TaskContainer), t.cols(t.Task)
        members = (
            sa.select(tc.order_id)
            .join(t.table(t.Task), task.id == tc.task_id)
            .where(task.wave_id == wave_id)
        )
        query = (
            sa.select(o.id, o.reference, o.status, o.held_from)
            .where(o.id.in_(members))
            .order_by(o.id)
        )
        if lock:
            query = query.with_for_update(of=t.table(t.Order))
        return [
            WaveOrder(row.id, row.reference, row.status, row.held_from)
            for row in self.session.execute(query)
        ]

    def line_info(self, order_line_id: int) -> LineInfo | None:
        ln, o, p = t.cols(t.OrderLine), t.cols(t.Order), t.cols(t.Product)
        row = self.session.execute(
            sa.select(
                ln.id,
                ln.order_id,
                o.reference,
                o.status,
                o.priority,
                ln.line_no,
                ln.product_id,
                p.sku,
                p.expiry_tracked,
                ln.quantity,
                ln.allocated,
                ln.picked,
            )
            .join(t.table(t.Order), o.id == ln.order_id)
            .join(t.table(t.Product), p.id == ln.product_id)
            .where(ln.id == order_line_id)
        ).first()
        if row is None:
            return None
        return LineInfo(
            id=row.id,
            order_id=row.order_id,
            reference=row.reference,
            order_status=row.status,
            priority=row.priority,
            line_no=row.line_no,
            product_id=row.product_id,
            sku=row.sku,
            expiry_tracked=row.expiry_tracked,
            quantity=row.quantity,
            allocated=row.allocated,
            picked=row.picked,
        )

    def audit_orders(
        self, actor: Actor, action: str, references: list[str], detail: dict[str, Any]
    ) -> None:
        now = t.utcnow()
        t.copy_rows(
            self.session,
            t.AuditEntry,
            [
                {
                    "at": now,
                    "user_id": actor.user_id,
                    "station_id": actor.station_id,
                    "action": action,
                    "entity": "order",
                    "entity_id": reference,
                    "detail": detail,
                    "event_id": None,
                }
                for reference in references
            ],
        )
