"""Products, locations and stock over SQLModel; stock moves by conditional UPDATE only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from toteflow.central.store import tables as t
from toteflow.central.store.set_based import text_filters
from toteflow.central.store.stock_ledger import record_moves
from toteflow.contracts import catalogue as cat
from toteflow.contracts.common import MAX_QUANTITY, Page
from toteflow.domain.errors import Conflict, NotFound, Refused
from toteflow.domain.ledger import LedgerMove


def barcode_kind(barcode: str) -> str:
    if barcode.isdigit() and len(barcode) in (8, 12, 13, 14):
        return f"gtin{len(barcode)}"
    return "internal"


class SqlCatalogueRepo:
    def __init__(self, session: Session) -> None:
        self.session = session
        # Codes to ids, for this unit of work only: ids never change, and bulk adjustments
        # would otherwise look up the same location and product again and again.
        self._ids: dict[tuple[str, str], int] = {}

    def _id_of(self, table: Any, column: Any, code: str) -> int | None:
        key = (table.__tablename__, code)
        if key not in self._ids:
            found = self.session.exec(select(col(table.id)).where(col(column) == code)).first()
            if found is None:
                return None
            self._ids[key] = found
        return self._ids[key]

    # products ---------------------------------------------------------------------------

    def add_product(self, product: cat.ProductCreate) -> cat.Product:
        taken = self.session.exec(
            select(col(t.ProductUnit.barcode)).where(
                col(t.ProductUnit.barcode).in_([u.barcode for u in product.units])
            )
        ).all()
        if taken:
            raise Conflict(f"barcode {taken[0]} already belongs to another product")
        if self.session.exec(
            select(col(t.Product.id)).where(col(t.Product.sku) == product.sku)
        ).first():
            raise Conflict(f"a product with SKU {product.sku} already exists")
        row = t.Product(**product.model_dump(exclude={"units"}))
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        for unit in product.units:
            self.session.add(
                t.ProductUnit(
                    product_id=row.id, barcode_kind=barcode_kind(unit.barcode), **unit.model_dump()
                )
            )
        self._flush_unique(f"product {product.sku}")
        return self._products([row])[0]

    def product_by_sku(self, sku: str) -> cat.Product | None:
        row = self.session.exec(select(t.Product).where(col(t.Product.sku) == sku)).first()
        return self._products([row])[0] if row else None

    def tracking_of(self, skus: Sequence[str]) -> dict[str, tuple[bool, bool]]:
        """(lot tracked, expiry tracked) of each of these SKUs that exists, in a query or few."""
        product = t.cols(t.Product)
        return {
            row.sku: (row.lot_tracked, row.expiry_tracked)
            for where in text_filters(self.session, product.sku, skus)
            for row in self.session.execute(
                sa.select(product.sku, product.lot_tracked, product.expiry_tracked).where(where)
            )
        }

    def product_by_barcode(self, barcode: str) -> cat.Product | None:
        row = self.session.exec(
            select(t.Product)
            .join(t.ProductUnit, col(t.ProductUnit.product_id) == col(t.Product.id))
            .where(col(t.ProductUnit.barcode) == barcode)
        ).first()
        return self._products([row])[0] if row else None

    def list_products(self, search: str | None, offset: int, limit: int) -> Page[cat.Product]:
        query = select(t.Product)
        if search:
            pattern = f"%{search.lower()}%"
            query = query.where(
                sa.or_(
                    func.lower(col(t.Product.sku)).like(pattern),
                    func.lower(col(t.Product.description)).like(pattern),
                )
            )
        total = self._count(query)
        rows = self.session.exec(
            query.order_by(col(t.Product.sku)).offset(offset).limit(limit)
        ).all()
        return Page(items=self._products(rows), total=total, offset=offset, limit=limit)

    def _products(self, rows: Sequence[t.Product]) -> list[cat.Product]:
        ids = [r.id for r in rows]
        units: dict[int, list[cat.ProductUnit]] = {i: [] for i in ids if i is not None}
        for unit in self.session.exec(
            select(t.ProductUnit)
            .where(col(t.ProductUnit.product_id).in_(ids))
            .order_by(col(t.ProductUnit.units))
        ):
            units[unit.product_id].append(
                cat.ProductUnit.model_validate(unit, from_attributes=True)
            )
        return [
            cat.Product(
                id=r.id or 0,
                sku=r.sku,
                description=r.description,
                lot_tracked=r.lot_tracked,
                expiry_tracked=r.expiry_tracked,
                serial_tracked=r.serial_tracked,
                lot_substitution=r.lot_substitution,
                upright=r.upright,
                velocity=r.velocity,
                storage_class=r.storage_class,
                units=units.get(r.id or 0, []),
            )
            for r in rows
        ]

    # locations --------------------------------------------------------------------------

    def add_zone(self, zone: cat.ZoneCreate) -> cat.Zone:
        row = t.Zone(**zone.model_dump())
        self.session.add(row)
        self._flush_unique(f"zone {zone.name}")
        return cat.Zone(id=row.id or 0, **zone.model_dump())

    def zones(self) -> list[cat.Zone]:
        rows = self.session.exec(select(t.Zone).order_by(col(t.Zone.first_aisle)))
        return [cat.Zone.model_validate(row, from_attributes=True) for row in rows]

    def add_location(self, location: cat.LocationCreate) -> cat.Location:
        zone_id = None
        if location.zone:
            zone_id = self.session.exec(
                select(col(t.Zone.id)).where(col(t.Zone.name) == location.zone)
            ).first()
            if zone_id is None:
                raise NotFound(f"no zone named {location.zone}")
        row = t.Location(zone_id=zone_id, **location.model_dump(exclude={"zone"}))
        self.session.add(row)
        self._flush_unique(f"location {location.code}")
        return cat.Location(id=row.id or 0, active=row.active, **location.model_dump())

    def set_location_storage(
        self, code: str, storage: cat.LocationStorageUpdate
    ) -> cat.Location | None:
        """New storage attributes (and pick face assignment) of a location; None if unknown."""
        home = None
        if storage.home_sku is not None:
            home = self._id_of(t.Product, t.Product.sku, storage.home_sku)
            if home is None:
                raise NotFound(f"no product with SKU {storage.home_sku}")
        values = storage.model_dump(exclude={"home_sku"})
        hit = self.session.execute(
            sa.update(t.Location)
            .where(col(t.Location.code) == code)
            .values(home_product_id=home, **values)
        )
        if not int(getattr(hit, "rowcount", 0)):
            return None
        found = self.session.exec(
            _location_query()
            .where(col(t.Location.code) == code)
            .execution_options(populate_existing=True)
        ).first()
        return _location(*found) if found else None

    def set_product_storage(self, sku: str, storage: cat.ProductStorage) -> cat.Product | None:
        hit = self.session.execute(
            sa.update(t.Product).where(col(t.Product.sku) == sku).values(**storage.model_dump())
        )
        if not int(getattr(hit, "rowcount", 0)):
            return None
        return self.product_by_sku(sku)

    def add_locations(self, locations: list[cat.LocationCreate]) -> int:
        """Insert the locations whose codes are new, in bulk; returns how many were new."""
        zone_ids = {zone.name: zone.id for zone in self.session.exec(select(t.Zone))}
        unknown = {loc.zone for loc in locations if loc.zone and loc.zone not in zone_ids}
        if unknown:
            raise NotFound(f"no zone named {', '.join(sorted(unknown))}")
        existing = set(self.session.exec(select(col(t.Location.code))))
        rows = [
            {
                **loc.model_dump(exclude={"zone"}),
                "zone_id": zone_ids.get(loc.zone) if loc.zone else None,
                "active": True,
            }
            for loc in locations
            if loc.code not in existing
        ]
        if rows:
            self.session.execute(sa.insert(t.Location), rows)
        return len(rows)

    def location_by_code(self, code: str) -> cat.Location | None:
        found = self.session.exec(_location_query().where(col(t.Location.code) == code)).first()
        return _location(*found) if found else None

    def list_locations(
        self, zone: str | None, kind: str | None, offset: int, limit: int
    ) -> Page[cat.Location]:
        query = _location_query()
        if zone:
            query = query.where(col(t.Zone.name) == zone)
        if kind:
            query = query.where(col(t.Location.kind) == kind)
        total = self._count(query)
        rows = self.session.exec(query.order_by(col(t.Location.code)).offset(offset).limit(limit))
        return Page(
            items=[_location(loc, name, home) for loc, name, home in rows],
            total=total,
            offset=offset,
            limit=limit,
        )

    # stock ------------------------------------------------------------------------------

    def _stock_query(self) -> Any:
        return (
            sa.select(t.Stock, col(t.Location.code), col(t.Product.sku))
            .join(t.Location, col(t.Location.id) == col(t.Stock.location_id))
            .join(t.Product, col(t.Product.id) == col(t.Stock.product_id))
        )

    def list_stock(
        self, location: str | None, sku: str | None, offset: int, limit: int
    ) -> Page[cat.StockRow]:
        query = self._stock_query()
        if location:
            query = query.where(col(t.Location.code) == location)
        if sku:
            query = query.where(col(t.Product.sku) == sku)
        total = self._count(query)
        rows = self.session.execute(
            query.order_by(col(t.Location.code), col(t.Product.sku), col(t.Stock.id))
            .offset(offset)
            .limit(limit)
        ).all()
        return Page(
            items=[_stock(s, code, sku_) for s, code, sku_ in rows],
            total=total,
            offset=offset,
            limit=limit,
        )

    def adjust_stock(
        self, adjustment: cat.StockAdjustment, *, at: datetime | None = None, kind: str = ""
    ) -> cat.StockRow:
        stock_id = self._adjust(adjustment)
        # The ledger's row, in the same transaction: when it happened (the event's time when a
        # station's event moved it), why (the kind, else the adjustment's reason), the note.
        move = LedgerMove(
            stock_id, adjustment.delta, at or t.utcnow(), kind or adjustment.reason, adjustment.note
        )
        record_moves(self.session, [move])
        return self._stock_row(stock_id)

    def _adjust(self, adjustment: cat.StockAdjustment) -> int:
        location_id = self._id_of(t.Location, t.Location.code, adjustment.location)
        if location_id is None:
            raise NotFound(f"no location {adjustment.location}")
        product_id = self._id_of(t.Product, t.Product.sku, adjustment.sku)
        if product_id is None:
            raise NotFound(f"no product with SKU {adjustment.sku}")
        position = sa.and_(
            col(t.Stock.location_id) == location_id,
            col(t.Stock.product_id) == product_id,
            col(t.Stock.lot) == adjustment.lot,
            (col(t.Stock.expiry) == adjustment.expiry)
            if adjustment.expiry
            else col(t.Stock.expiry).is_(None),
        )
        for _attempt in range(3):
            # The WHERE clause is the guard: concurrent adjustments serialise on the row and
            # none can take on-hand below what is reserved, so none is lost or goes negative.
            updated = self.session.execute(
                sa.update(t.Stock)
                .where(
                    position,
                    col(t.Stock.quantity) + adjustment.delta >= col(t.Stock.reserved),
                    col(t.Stock.quantity) + adjustment.delta <= MAX_QUANTITY,
                )
                .values(
                    quantity=col(t.Stock.quantity) + adjustment.delta,
                    version=col(t.Stock.version) + 1,
                )
                .returning(col(t.Stock.id))
            ).first()
            if updated:
                return int(updated[0])
            existing = self.session.execute(
                sa.select(col(t.Stock.quantity), col(t.Stock.reserved)).where(position)
            ).first()
            if existing and existing.quantity + adjustment.delta < existing.reserved:
                free = existing.quantity - existing.reserved
                raise Refused(
                    f"only {free} free to take from {adjustment.location} "
                    f"({existing.quantity} on hand, {existing.reserved} reserved)"
                )
            if existing and existing.quantity + adjustment.delta > MAX_QUANTITY:
                raise Refused(
                    f"{adjustment.location} would hold {existing.quantity + adjustment.delta:,} "
                    f"of {adjustment.sku}: a stock position holds at most {MAX_QUANTITY:,} units"
                )
            if existing:
                # PostgreSQL: the row was created, or topped up, by a transaction that committed
                # after our UPDATE looked; there is enough now, so update it after all.
                continue
            if adjustment.delta < 0:
                raise Refused(f"no stock of {adjustment.sku} at {adjustment.location} to take")
            inserted = self._insert_stock(location_id, product_id, adjustment)
            if inserted is not None:
                return inserted
            # Someone else created the row between our UPDATE and INSERT: update it instead.
        raise Conflict("stock row kept changing under the adjustment; try again")

    def _insert_stock(
        self, location_id: int, product_id: int, adjustment: cat.StockAdjustment
    ) -> int | None:
        row = t.Stock(
            location_id=location_id,
            product_id=product_id,
            lot=adjustment.lot,
            expiry=adjustment.expiry,
            quantity=adjustment.delta,
        )
        if adjustment.received_on is not None:
            row.received_on = adjustment.received_on
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            return None
        return row.id

    def _stock_row(self, stock_id: int) -> cat.StockRow:
        # populate_existing: the UPDATE above bypassed the identity map, so reload the row.
        found = self.session.execute(
            self._stock_query()
            .where(col(t.Stock.id) == stock_id)
            .execution_options(populate_existing=True)
        ).one()
        return _stock(*found)

    # helpers ----------------------------------------------------------------------------

    def _count(self, query: Any) -> int:
        total = self.session.execute(
            sa.select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        return int(total)

    def _flush_unique(self, what: str) -> None:
        try:
            with self.session.begin_nested():
                self.session.flush()
        except IntegrityError:
            raise Conflict(f"{what} already exists") from None


def _location_query() -> Any:
    return (
        select(t.Location, col(t.Zone.name), col(t.Product.sku))
        .outerjoin(t.Zone, col(t.Zone.id) == col(t.Location.zone_id))
        .outerjoin(t.Product, col(t.Product.id) == col(t.Location.home_product_id))
    )


def _location(row: t.Location, zone: str | None, home_sku: str | None = None) -> cat.Location:
    return cat.Location(
        id=row.id or 0,
        code=row.code,
        zone=zone,
        aisle=row.aisle,
        bay=row.bay,
        level=row.level,
        kind=row.kind,
        x=row.x,
        y=row.y,
        active=row.active,
        storage_class=row.storage_class,
        length_mm=row.length_mm,
        width_mm=row.width_mm,
        height_mm=row.height_mm,
        max_weight_g=row.max_weight_g,
        upright_allowed=row.upright_allowed,
        mixing=row.mixing,
        velocity_zone=row.velocity_zone,
        home_sku=home_sku,
        max_quantity=row.max_quantity,
    )


def _stock(row: t.Stock, location: str, sku: str) -> cat.StockRow:
    return cat.StockRow(
        id=row.id or 0,
        location=location,
        sku=sku,
        lot=row.lot,
        expiry=row.expiry,
        received_on=row.received_on,
        quantity=row.quantity,
        reserved=row.reserved,
    )
