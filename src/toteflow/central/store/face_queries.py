"""Replenishment's queries of faces on SQLModel: limits, what faces hold, where stock is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from toteflow.central.ports.replenishment import Face, FaceState, LimitRow
from toteflow.central.store import putaway_tables as pt
from toteflow.central.store import replenishment_tables as rt
from toteflow.central.store import tables as t
from toteflow.central.store.set_based import SetBasedRepo, rowcount
from toteflow.domain.replenishment import OPEN_STATUSES, FaceLimit, Source, default_limit

_LOC, _PROD, _STOCK = t.cols(t.Location), t.cols(t.Product), t.cols(t.Stock)
_LIMIT, _REPLEN, _PLATE = t.cols(rt.FaceLimit), t.cols(rt.Replenishment), t.cols(pt.Plate)
_UNIT = t.cols(t.ProductUnit)


class SqlFaceQueries(SetBasedRepo):
    """The face side of the replenishment repository (limits, faces' stock, sources)."""

    def face(self, code: str) -> Face | None:
        row = self.session.execute(
            sa.select(_LOC.id, _LOC.code, _LOC.kind, _LOC.max_quantity, _LOC.home_product_id).where(
                _LOC.code == code
            )
        ).first()
        return None if row is None else Face(*row)

    def product_id(self, sku: str) -> int | None:
        found = self.session.execute(sa.select(_PROD.id).where(_PROD.sku == sku)).scalar()
        return None if found is None else int(found)

    def plate_id(self, code: str | None) -> int | None:
        if code is None:
            return None
        found = self.session.execute(sa.select(_PLATE.id).where(_PLATE.code == code)).scalar()
        return None if found is None else int(found)

    def set_limit(self, location_id: int, product_id: int, limit: FaceLimit) -> bool:
        values = {"minimum": limit.minimum, "maximum": limit.maximum, "updated_at": now()}
        updated = self.session.execute(
            sa.update(rt.FaceLimit)
            .where(_LIMIT.location_id == location_id, _LIMIT.product_id == product_id)
            .values(**values)
        )
        if rowcount(updated):
            return False
        statement = self._insert(rt.FaceLimit).values(
            location_id=location_id, product_id=product_id, **values
        )
        inserted = self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["location_id", "product_id"], set_=values
            )
        )
        return bool(rowcount(inserted))

    def _insert(self, model: Any) -> Any:
        return (postgresql.insert if self._pg else sqlite.insert)(t.table(model))

    def _limit_rows(self) -> Any:
        return (
            sa.select(_LOC.code, _PROD.sku, _LIMIT.minimum, _LIMIT.maximum, _LIMIT.updated_at)
            .join(t.table(t.Location), _LOC.id == _LIMIT.location_id)
            .join(t.table(t.Product), _PROD.id == _LIMIT.product_id)
        )

    def limits(self, offset: int, limit: int) -> tuple[list[LimitRow], int]:
        total = self.session.execute(sa.select(sa.func.count()).select_from(rt.FaceLimit)).scalar()
        found = self.session.execute(
            self._limit_rows().order_by(_LOC.code, _PROD.sku).offset(offset).limit(limit)
        )
        return [_limit(row) for row in found], int(total or 0)

    def limit_of(self, location_id: int, product_id: int) -> LimitRow | None:
        row = self.session.execute(
            self._limit_rows().where(
                _LIMIT.location_id == location_id, _LIMIT.product_id == product_id
            )
        ).first()
        return None if row is None else _limit(row)

    def faces_of_stock(self, stock_ids: Iterable[int]) -> list[tuple[int, int]]:
        ids = sorted(set(stock_ids))
        if not ids:
            return []
        found = self.session.execute(
            sa.select(_STOCK.location_id, _STOCK.product_id)
            .join(t.table(t.Location), _LOC.id == _STOCK.location_id)
            .where(_STOCK.id.in_(ids), _LOC.kind == "pick_face")
            .distinct()
        )
        return sorted((int(a), int(b)) for a, b in found)

    def faces_of_products(self, product_ids: Iterable[int]) -> list[tuple[int, int]]:
        ids = sorted(set(product_ids))
        if not ids:
            return []
        on_face = (
            sa.select(_STOCK.location_id, _STOCK.product_id)
            .join(t.table(t.Location), _LOC.id == _STOCK.location_id)
            .where(_STOCK.product_id.in_(ids), _LOC.kind == "pick_face")
        )
        limited = sa.select(_LIMIT.location_id, _LIMIT.product_id).where(_LIMIT.product_id.in_(ids))
        homes = sa.select(_LOC.id, _LOC.home_product_id).where(
            _LOC.home_product_id.in_(ids), _LOC.kind == "pick_face"
        )
        found = self.session.execute(sa.union(on_face, limited, homes))
        return sorted({(int(a), int(b)) for a, b in found})

    def faces_with_limits(self) -> list[tuple[int, int]]:
        limited = sa.select(_LIMIT.location_id, _LIMIT.product_id)
        homes = sa.select(_LOC.id, _LOC.home_product_id).where(
            _LOC.home_product_id.is_not(None),
            _LOC.max_quantity.is_not(None),
            _LOC.kind == "pick_face",
            _LOC.active,
        )
        found = self.session.execute(sa.union(limited, homes))
        return sorted({(int(a), int(b)) for a, b in found})

    def states(self, faces: Sequence[tuple[int, int]], min_percent: int) -> list[FaceState]:
        if not faces:
            return []
        locations = sorted({f[0] for f in faces})
        products = sorted({f[1] for f in faces})
        wanted = set(faces)
        info = {
            row.id: row
            for row in self.session.execute(
                sa.select(
                    _LOC.id, _LOC.code, _LOC.kind, _LOC.max_quantity, _LOC.home_product_id
                ).where(_LOC.id.in_(locations))
            )
        }
        skus = {
            row.id: row
            for row in self.session.execute(
                sa.select(_PROD.id, _PROD.sku, _PROD.expiry_tracked).where(_PROD.id.in_(products))
            )
        }
        stock: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        for row in self.session.execute(
            sa.select(
                _STOCK.location_id,
                _STOCK.product_id,
                sa.func.sum(_STOCK.quantity),
                sa.func.sum(_STOCK.reserved),
            )
            .where(_STOCK.location_id.in_(locations), _STOCK.product_id.in_(products))
            .group_by(_STOCK.location_id, _STOCK.product_id)
        ):
            stock[(row[0], row[1])] = [int(row[2] or 0), int(row[3] or 0)]
        own = {
            (row.location_id, row.product_id): FaceLimit(row.minimum, row.maximum)
            for row in self.session.execute(
                sa.select(
                    _LIMIT.location_id, _LIMIT.product_id, _LIMIT.minimum, _LIMIT.maximum
                ).where(_LIMIT.location_id.in_(locations), _LIMIT.product_id.in_(products))
            )
        }
        coming: dict[tuple[int, int], int] = defaultdict(int)
        for row in self.session.execute(
            sa.select(_REPLEN.location_id, _REPLEN.product_id, _REPLEN.quantity).where(
                _REPLEN.location_id.in_(locations),
                _REPLEN.product_id.in_(products),
                _REPLEN.status.in_(OPEN_STATUSES),
            )
        ):
            coming[(row[0], row[1])] += int(row[2])
        out = []
        for key in sorted(wanted):
            loc, product = info.get(key[0]), skus.get(key[1])
            if loc is None or product is None or loc.kind != "pick_face":
                continue
            limit = own.get(key)
            if limit is None and loc.home_product_id == key[1]:
                limit = default_limit(loc.max_quantity, min_percent)
            if limit is None:
                continue
            quantity, reserved = stock[key]
            out.append(
                FaceState(
                    key[0],
                    loc.code,
                    key[1],
                    product.sku,
                    quantity,
                    quantity - reserved,
                    limit,
                    coming[key],
                    bool(product.expiry_tracked),
                )
            )
        return out

    def sources(self, product_id: int) -> list[Source]:
        case_units = self.session.execute(
            sa.select(sa.func.max(_UNIT.units)).where(
                _UNIT.product_id == product_id, _UNIT.uom == "CS"
            )
        ).scalar()
        plates: dict[tuple[int, str, Any], tuple[str, int]] = {}
        for row in self.session.execute(
            sa.select(
                _PLATE.location_id, _PLATE.lot, _PLATE.expiry, _PLATE.code, _PLATE.quantity
            ).where(_PLATE.product_id == product_id, _PLATE.status == "stored")
        ):
            plates[(row.location_id, row.lot, row.expiry)] = (row.code, int(row.quantity))
        found = self.session.execute(
            sa.select(
                _STOCK.id,
                _STOCK.location_id,
                _LOC.code,
                _LOC.kind,
                _STOCK.received_on,
                _STOCK.expiry,
                _STOCK.lot,
                (_STOCK.quantity - _STOCK.reserved).label("free"),
            )
            .join(t.table(t.Location), _LOC.id == _STOCK.location_id)
            .where(
                _STOCK.product_id == product_id,
                _STOCK.quantity > _STOCK.reserved,
                _LOC.kind.in_(("reserve", "pick_face")),
                _LOC.active,
            )
        )
        out = []
        for row in found:
            plate = plates.get((row.location_id, row.lot, row.expiry))
            # A plate is whole when the position holds exactly its units, all free.
            whole = plate[0] if plate is not None and plate[1] == row.free else None
            out.append(
                Source(
                    row.id,
                    row.code,
                    row.kind,
                    row.received_on,
                    row.expiry,
                    int(row.free),
                    whole,
                    int(case_units or 1),
                )
            )
        return out


def now() -> datetime:
    return t.utcnow()


def aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _limit(row: Any) -> LimitRow:
    return LimitRow(row.code, row.sku, row.minimum, row.maximum, aware(row.updated_at))
