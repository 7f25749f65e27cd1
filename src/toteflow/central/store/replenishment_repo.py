"""Replenishment rows on SQLModel: made once per face and SKU, taken, re-sourced, completed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from toteflow.central.ports.replenishment import NewReplenishment, ReplenRow
from toteflow.central.store import putaway_tables as pt
from toteflow.central.store import replenishment_tables as rt
from toteflow.central.store import tables as t
from toteflow.central.store.face_queries import SqlFaceQueries, aware, now
from toteflow.central.store.set_based import rowcount
from toteflow.central.store.stock_ledger import record_moves
from toteflow.domain.errors import Conflict
from toteflow.domain.ledger import LedgerMove
from toteflow.domain.replenishment import OPEN_STATUSES, ReplenStatus

_LOC, _PROD, _STOCK = t.cols(t.Location), t.cols(t.Product), t.cols(t.Stock)
_LIMIT, _REPLEN, _PLATE = t.cols(rt.FaceLimit), t.cols(rt.Replenishment), t.cols(pt.Plate)
_UNIT = t.cols(t.ProductUnit)


class SqlReplenishmentRepo(SqlFaceQueries):
    def add(self, new: NewReplenishment) -> int | None:
        with self.session.begin_nested() as nested:
            statement = (
                self._insert(rt.Replenishment)
                .values(
                    location_id=new.location_id,
                    product_id=new.product_id,
                    source_stock_id=new.source_stock_id,
                    plate_id=new.plate_id,
                    quantity=new.quantity,
                    moved=0,
                    status=ReplenStatus.OPEN.value,
                    trigger=new.trigger,
                    wave_id=new.wave_id,
                    before_task_id=new.before_task_id,
                    priority=new.priority,
                    created_at=now(),
                )
                .on_conflict_do_nothing(
                    index_elements=["location_id", "product_id"],
                    index_where=sa.text(rt.OPEN_WHERE),
                )
                .returning(_REPLEN.id)
            )
            made = self.session.execute(statement).scalar()
            if made is None:
                nested.rollback()
                return None
            if not self._reserve(new.source_stock_id, new.quantity):
                nested.rollback()
                return None
        return int(made)

    def _reserve(self, stock_id: int, units: int) -> bool:
        # The WHERE clause is the guard: allocation and replenishment never take a unit twice.
        done = self.session.execute(
            sa.update(t.Stock)
            .where(_STOCK.id == stock_id, _STOCK.quantity - _STOCK.reserved >= units)
            .values(reserved=_STOCK.reserved + units, version=_STOCK.version + 1)
        )
        return bool(rowcount(done))

    def _release(self, stock_id: int, units: int) -> None:
        if units > 0:
            self.session.execute(
                sa.update(t.Stock)
                .where(_STOCK.id == stock_id, _STOCK.reserved >= units)
                .values(reserved=_STOCK.reserved - units, version=_STOCK.version + 1)
            )

    def _rows(self) -> Any:
        source = t.table(t.Location).alias("source")
        face = t.table(t.Location).alias("face")
        return (
            sa.select(
                _REPLEN.id,
                _REPLEN.status,
                _REPLEN.trigger,
                _REPLEN.location_id,
                face.c.code.label("face"),
                _REPLEN.product_id,
                _PROD.sku,
                _PROD.description,
                _REPLEN.source_stock_id,
                source.c.code.label("source"),
                source.c.kind.label("source_kind"),
                _PLATE.code.label("plate"),
                _REPLEN.plate_id,
                _STOCK.lot,
                _REPLEN.quantity,
                _REPLEN.moved,
                _REPLEN.wave_id,
                _REPLEN.before_task_id,
                _REPLEN.priority,
                _REPLEN.user_id,
                _REPLEN.created_at,
                _PROD.expiry_tracked,
            )
            .join(face, face.c.id == _REPLEN.location_id)
            .join(t.table(t.Product), _PROD.id == _REPLEN.product_id)
            .join(t.table(t.Stock), _STOCK.id == _REPLEN.source_stock_id)
            .join(source, source.c.id == _STOCK.location_id)
            .outerjoin(t.table(pt.Plate), _PLATE.id == _REPLEN.plate_id)
        )

    def get(self, replen_id: int, *, lock: bool = False) -> ReplenRow | None:
        if lock:
            self.session.execute(
                sa.select(_REPLEN.id).where(_REPLEN.id == replen_id).with_for_update()
            )
        row = self.session.execute(self._rows().where(_REPLEN.id == replen_id)).first()
        return None if row is None else self._with_barcodes([ReplenRow(*row)])[0]

    def _with_barcodes(self, rows: list[ReplenRow]) -> list[ReplenRow]:
        products = sorted({r.product_id for r in rows})
        if not products:
            return rows
        unit = t.cols(t.ProductUnit)
        codes: dict[int, list[tuple[str, int]]] = {}
        for found in self.session.execute(
            sa.select(unit.product_id, unit.barcode, unit.units)
            .where(unit.product_id.in_(products))
            .order_by(unit.units, unit.barcode)
        ):
            codes.setdefault(found.product_id, []).append((found.barcode, int(found.units)))
        return [
            replace(r, barcodes=tuple(codes.get(r.product_id, ())), created_at=aware(r.created_at))
            for r in rows
        ]

    def open_list(self, offset: int, limit: int) -> tuple[list[ReplenRow], int]:
        where = _REPLEN.status.in_(OPEN_STATUSES)
        total = self.session.execute(
            sa.select(sa.func.count()).select_from(rt.Replenishment).where(where)
        ).scalar()
        # Work a wave waits for first, in the order of the tasks that wait; then by priority.
        found = self.session.execute(
            self._rows()
            .where(where)
            .order_by(
                _REPLEN.before_task_id.is_(None),
                _REPLEN.before_task_id,
                _REPLEN.priority,
                _REPLEN.id,
            )
            .offset(offset)
            .limit(limit)
        )
        return self._with_barcodes([ReplenRow(*row) for row in found]), int(total or 0)

    def take(self, replen_id: int, user_id: int | None, station_id: int, quantity: int) -> None:
        row = self.get(replen_id)
        if row is None:
            return
        self._release(row.source_stock_id, row.quantity - quantity)
        self.session.execute(
            sa.update(rt.Replenishment)
            .where(_REPLEN.id == replen_id)
            .values(
                status=ReplenStatus.TAKEN.value,
                quantity=quantity,
                user_id=user_id,
                station_id=station_id,
            )
        )

    def resource(
        self, replen_id: int, source_stock_id: int, plate_id: int | None, quantity: int
    ) -> bool:
        row = self.get(replen_id)
        if row is None:
            return False
        with self.session.begin_nested() as nested:
            self._release(row.source_stock_id, row.quantity)
            if not self._reserve(source_stock_id, quantity):
                nested.rollback()
                return False
            self.session.execute(
                sa.update(rt.Replenishment)
                .where(_REPLEN.id == replen_id)
                .values(
                    source_stock_id=source_stock_id,
                    plate_id=plate_id,
                    quantity=quantity,
                    status=ReplenStatus.OPEN.value,
                )
            )
        return True

    def cancel(self, replen_id: int) -> None:
        row = self.get(replen_id)
        if row is None or row.status not in OPEN_STATUSES:
            return
        self._release(row.source_stock_id, row.quantity)
        self.session.execute(
            sa.update(rt.Replenishment)
            .where(_REPLEN.id == replen_id)
            .values(status=ReplenStatus.CANCELLED.value, done_at=now())
        )

    def complete(self, replen_id: int, placed: int, at: datetime) -> None:
        """Every stock change of a replenishment, here and nowhere else (a stock ledger's
        write belongs here too): the source gives `placed` units and its reservation, the
        face takes them in the source's lot and dates, a whole plate moves with them."""
        row = self.get(replen_id)
        if row is None:
            return
        source = self.session.execute(
            sa.select(_STOCK.lot, _STOCK.expiry, _STOCK.received_on).where(
                _STOCK.id == row.source_stock_id
            )
        ).one()
        taken = self.session.execute(
            sa.update(t.Stock)
            .where(
                _STOCK.id == row.source_stock_id,
                _STOCK.reserved >= row.quantity,
                _STOCK.quantity - placed >= _STOCK.reserved - row.quantity,
            )
            .values(
                quantity=_STOCK.quantity - placed,
                reserved=_STOCK.reserved - row.quantity,
                version=_STOCK.version + 1,
            )
        )
        if not rowcount(taken):
            raise Conflict(f"the stock at {row.source} changed: {placed} cannot be taken")
        if placed:
            face_stock = self._add_to_face(row, source, placed)
            reference = f"replenishment {replen_id}"
            record_moves(
                self.session,
                [
                    LedgerMove(row.source_stock_id, -placed, at, "replenish", reference),
                    LedgerMove(face_stock, placed, at, "replenish", reference),
                ],
            )
        if row.plate_id is not None and placed == row.quantity:
            self.session.execute(
                sa.update(pt.Plate)
                .where(_PLATE.id == row.plate_id)
                .values(location_id=row.location_id, version=_PLATE.version + 1)
            )
        self.session.execute(
            sa.update(rt.Replenishment)
            .where(_REPLEN.id == replen_id)
            .values(status=ReplenStatus.DONE.value, moved=placed, done_at=at)
        )

    def _add_to_face(self, row: ReplenRow, source: Any, units: int) -> int:
        """The face's stock row, made or added to; its id."""
        statement = self._insert(t.Stock).values(
            location_id=row.location_id,
            product_id=row.product_id,
            lot=source.lot,
            expiry=source.expiry,
            received_on=source.received_on,
            quantity=units,
            reserved=0,
            version=0,
        )
        position: Any = sa.func.coalesce(sa.column("expiry"), sa.literal_column("'0001-01-01'"))
        made = self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    sa.column("location_id"),
                    sa.column("product_id"),
                    sa.column("lot"),
                    position,
                ],
                set_={
                    "quantity": _STOCK.quantity + units,
                    "version": _STOCK.version + 1,
                },
            ).returning(_STOCK.id)
        ).scalar_one()
        return int(made)
