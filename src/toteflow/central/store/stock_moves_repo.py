"""Stock positions for the terminal's inquiries, and a move's units, by conditional updates."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from toteflow.central.ports.stock_moves import MovedUnits, SourceRow
from toteflow.central.store import putaway_tables as pt
from toteflow.central.store import tables as t
from toteflow.central.store.set_based import SetBasedRepo
from toteflow.central.store.stock_ledger import record_moves
from toteflow.contracts.common import MAX_QUANTITY
from toteflow.contracts.stock import StockPosition
from toteflow.domain.errors import Conflict, Refused
from toteflow.domain.ledger import LedgerMove
from toteflow.domain.stock_moves import Position
from toteflow.domain.words import plural

# A plate is still "on" a location where it is stored there, or has units left there.
_PLATE_GONE = ("rejected",)
_GTIN_LENGTHS = (8, 12, 13, 14)


class SqlStockMovesRepo(SetBasedRepo):
    # a move ------------------------------------------------------------------------------

    def wait_for_station(self, station_id: int) -> None:
        station = t.cols(t.Station)
        self.session.execute(
            sa.select(station.id).where(station.id == station_id).with_for_update(key_share=True)
        )

    def sources(self, location_id: int, product_id: int, *, lock: bool) -> list[SourceRow]:
        s = t.cols(t.Stock)
        query = (
            sa.select(s.id, s.received_on, s.lot, s.expiry, s.quantity, s.reserved)
            .where(s.location_id == location_id, s.product_id == product_id)
            .order_by(s.id)
        )
        if lock:
            query = query.with_for_update()
        sku = self.session.execute(
            sa.select(t.cols(t.Product).sku).where(t.cols(t.Product).id == product_id)
        ).scalar_one()
        return [
            SourceRow(
                row.id,
                row.received_on,
                Position(sku, row.lot, row.expiry, row.quantity, row.reserved),
            )
            for row in self.session.execute(query)
        ]

    def move(
        self,
        source: SourceRow,
        to_location_id: int,
        product_id: int,
        units: int,
        at: datetime,
        reference: str = "",
    ) -> MovedUnits:
        # The one place a move changes quantities, with its two ledger rows.
        s = t.cols(t.Stock)
        # The WHERE clause is the guard: a pick committed meanwhile is seen, and the units
        # never come out of what orders hold.
        taken = self.session.execute(
            sa.update(t.table(t.Stock))
            .where(s.id == source.stock_id, s.quantity - units >= s.reserved)
            .values(quantity=s.quantity - units, version=s.version + 1)
            .returning(s.quantity)
        ).first()
        if taken is None:
            now = self.session.execute(
                sa.select(s.quantity, s.reserved).where(s.id == source.stock_id)
            ).one()
            free = max(0, now.quantity - now.reserved)
            raise Refused(
                f"only {plural(free, 'unit')} free to move now ({now.quantity} on hand, "
                f"{now.reserved} reserved for orders)"
            )
        position = source.position
        same = sa.and_(
            s.location_id == to_location_id,
            s.product_id == product_id,
            s.lot == position.lot,
            (s.expiry == position.expiry) if position.expiry else s.expiry.is_(None),
        )
        for _attempt in range(3):
            added = self.session.execute(
                sa.update(t.table(t.Stock))
                .where(same, s.quantity + units <= MAX_QUANTITY)
                .values(quantity=s.quantity + units, version=s.version + 1)
                .returning(s.quantity, s.id)
            ).first()
            if added is not None:
                self._ledger(source.stock_id, int(added[1]), units, at, reference)
                return MovedUnits(int(taken[0]), int(added[0]))
            if self.session.execute(sa.select(s.id).where(same)).first() is not None:
                raise Refused(f"a stock position holds at most {MAX_QUANTITY:,} units")
            try:
                with self.session.begin_nested():
                    made = self.session.execute(
                        sa.insert(t.table(t.Stock))
                        .values(
                            location_id=to_location_id,
                            product_id=product_id,
                            lot=position.lot,
                            expiry=position.expiry,
                            received_on=source.received_on,
                            quantity=units,
                            reserved=0,
                            version=0,
                        )
                        .returning(s.id)
                    ).scalar_one()
            except IntegrityError:
                continue  # made by another transaction meanwhile: add to it instead
            self._ledger(source.stock_id, int(made), units, at, reference)
            return MovedUnits(int(taken[0]), units)
        raise Conflict("the destination's stock kept changing under the move; try again")

    def _ledger(self, from_id: int, to_id: int, units: int, at: datetime, ref: str) -> None:
        record_moves(
            self.session,
            [
                LedgerMove(from_id, -units, at, "moved_by_hand", ref),
                LedgerMove(to_id, units, at, "moved_by_hand", ref),
            ],
        )

    # inquiries ---------------------------------------------------------------------------

    def at_location(self, location_id: int) -> list[StockPosition]:
        return self._positions(t.cols(t.Stock).location_id == location_id, faces_first=False)

    def of_product(self, product_id: int) -> list[StockPosition]:
        return self._positions(t.cols(t.Stock).product_id == product_id, faces_first=True)

    def _positions(self, where: Any, *, faces_first: bool) -> list[StockPosition]:
        s, loc, p = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Product)
        order = [loc.code, p.sku, s.lot, s.expiry]
        if faces_first:
            order.insert(0, sa.case((loc.kind == "pick_face", 0), else_=1))
        rows = list(
            self.session.execute(
                sa.select(
                    s.location_id,
                    s.product_id,
                    loc.code,
                    loc.kind,
                    p.sku,
                    p.description,
                    s.lot,
                    s.expiry,
                    s.quantity,
                    s.reserved,
                )
                .join(t.table(t.Location), loc.id == s.location_id)
                .join(t.table(t.Product), p.id == s.product_id)
                .where(where, s.quantity > 0)
                .order_by(*order)
            )
        )
        plates = self._plates({r.location_id for r in rows})
        return [
            StockPosition(
                location=r.code,
                location_kind=r.kind,
                sku=r.sku,
                description=r.description,
                lot=r.lot,
                expiry=r.expiry,
                quantity=r.quantity,
                reserved=r.reserved,
                plates=plates.get((r.location_id, r.product_id, r.lot), []),
            )
            for r in rows
        ]

    def _plates(self, location_ids: set[int]) -> dict[tuple[int, int, str], list[str]]:
        if not location_ids:
            return {}
        pl = t.cols(pt.Plate)
        found: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        query = (
            sa.select(pl.location_id, pl.product_id, pl.lot, pl.code)
            .where(
                pl.location_id.in_(sorted(location_ids)),
                pl.status.not_in(_PLATE_GONE),
                sa.or_(pl.status == "stored", pl.remaining > 0),
            )
            .order_by(pl.code)
        )
        for location_id, product_id, lot, code in self.session.execute(query):
            found[(location_id, product_id, lot)].append(code)
        return found

    def product_for_code(self, code: str) -> tuple[int, str, str] | None:
        p, u = t.cols(t.Product), t.cols(t.ProductUnit)
        columns = (p.id, p.sku, p.description)
        row = self.session.execute(sa.select(*columns).where(p.sku == code)).first()
        if row is None:
            wanted = [code]
            if code.isdigit() and len(code) in _GTIN_LENGTHS:
                # A GTIN scanned comes as 14 digits; a unit keeps its barcode as printed.
                core = code.lstrip("0")
                wanted += [core.zfill(n) for n in _GTIN_LENGTHS if len(core) <= n]
            row = self.session.execute(
                sa.select(*columns)
                .join(t.table(t.ProductUnit), u.product_id == p.id)
                .where(u.barcode.in_(sorted(set(wanted))))
                .order_by(p.id)
                .limit(1)
            ).first()
        return (int(row.id), str(row.sku), str(row.description)) if row else None
