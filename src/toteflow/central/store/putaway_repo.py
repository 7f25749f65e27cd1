"""Plates, locations as put-away sees them, and space reservations, over SQLModel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from toteflow.central.ports.putaway import (
    Claim,
    HeldSpace,
    NewPlate,
    PlateRow,
    ProductFacts,
    StoredLocation,
)
from toteflow.central.store import putaway_tables as pt
from toteflow.central.store import tables as t
from toteflow.central.store.set_based import SetBasedRepo, rowcount
from toteflow.domain.cross_dock import CROSS_DOCKABLE
from toteflow.domain.dock_to_stock import PlateTimes
from toteflow.domain.errors import Conflict
from toteflow.domain.plates import internal_code
from toteflow.domain.putaway import Backorder
from toteflow.domain.putaway_rules import Content
from toteflow.domain.reservations import Reservation

# The orders a receipt is cross-docked to (picked ones wait at packing for the rest).
BACKORDER_STATUSES = sorted(s.value for s in CROSS_DOCKABLE)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class SqlPutawayRepo(SetBasedRepo):
    # products ---------------------------------------------------------------------------

    def _facts(self, where: Any) -> ProductFacts | None:
        p, u = t.cols(t.Product), t.cols(t.ProductUnit)
        row = self.session.execute(
            sa.select(
                p.id,
                p.sku,
                p.velocity,
                p.storage_class,
                p.upright,
                sa.func.coalesce(u.length_mm, 0).label("length_mm"),
                sa.func.coalesce(u.width_mm, 0).label("width_mm"),
                sa.func.coalesce(u.height_mm, 0).label("height_mm"),
                sa.func.coalesce(u.weight_g, 0).label("weight_g"),
            )
            .outerjoin(t.table(t.ProductUnit), sa.and_(u.product_id == p.id, u.uom == "EA"))
            .where(where)
        ).first()
        return ProductFacts(*row) if row else None

    def product_facts(self, sku: str) -> ProductFacts | None:
        return self._facts(t.cols(t.Product).sku == sku)

    def product_facts_by_id(self, product_id: int) -> ProductFacts | None:
        return self._facts(t.cols(t.Product).id == product_id)

    # locations --------------------------------------------------------------------------

    def _locations(self, where: Any, *, lock: bool, contents: bool = True) -> list[StoredLocation]:
        loc, p = t.cols(t.Location), t.cols(t.Product)
        query = (
            sa.select(
                loc.id,
                loc.code,
                loc.kind,
                loc.active,
                loc.x,
                loc.y,
                loc.storage_class,
                loc.length_mm,
                loc.width_mm,
                loc.height_mm,
                loc.max_weight_g,
                loc.upright_allowed,
                loc.mixing,
                loc.velocity_zone,
                p.sku.label("home_sku"),
                loc.max_quantity,
            )
            .outerjoin(t.table(t.Product), p.id == loc.home_product_id)
            .where(where)
            .order_by(loc.id)
        )
        if lock:
            # In id order: suggestions locking many rows queue behind each other rather than
            # deadlock; the contents read after the lock are what is really there. NO KEY
            # UPDATE (key_share): a ledger row written meanwhile (a pick there) takes a KEY
            # SHARE lock on its location for its foreign key, and must not wait on this one.
            query = query.with_for_update(of=t.table(t.Location), key_share=True)
        rows = list(self.session.execute(query))
        held = self._contents(where) if contents else {}
        # Positionally: a suggestion reads a few thousand of these, and named access costs.
        return [StoredLocation(*(*row, tuple(held.get(row.id, ())))) for row in rows]

    def _contents(self, where: Any) -> dict[int, list[Content]]:
        s, loc, p, u = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Product), t.cols(t.ProductUnit)
        query = (
            sa.select(
                s.location_id,
                p.sku,
                s.lot,
                s.quantity,
                sa.func.coalesce(sa.cast(u.length_mm, sa.BigInteger) * u.width_mm * u.height_mm, 0),
                sa.func.coalesce(u.weight_g, 0),
            )
            .select_from(t.table(t.Stock))
            .join(t.table(t.Location), loc.id == s.location_id)
            .join(t.table(t.Product), p.id == s.product_id)
            .outerjoin(t.table(t.ProductUnit), sa.and_(u.product_id == p.id, u.uom == "EA"))
            .where(where, s.quantity > 0)
        )
        found: dict[int, list[Content]] = defaultdict(list)
        for location_id, sku, lot, quantity, volume, weight in self.session.execute(query):
            found[location_id].append(Content(sku, lot or None, quantity, int(volume), weight))
        return found

    def location(
        self, code: str, *, lock: bool = False, contents: bool = True
    ) -> StoredLocation | None:
        found = self._locations(t.cols(t.Location).code == code, lock=lock, contents=contents)
        return found[0] if found else None

    def candidates(
        self, storage_class: str, product_id: int, *, lock: bool
    ) -> list[StoredLocation]:
        loc = t.cols(t.Location)
        # Reserve locations, and the product's own pick faces: another product's face, or
        # one given to no product, never takes a plate, so its row need not be held.
        where = sa.and_(
            sa.or_(
                loc.kind == "reserve",
                sa.and_(loc.kind == "pick_face", loc.home_product_id == product_id),
            ),
            loc.active.is_(True),
            loc.storage_class == storage_class,
        )
        return self._locations(where, lock=lock)

    def packing_location(self) -> str | None:
        loc = t.cols(t.Location)
        found = self.session.execute(
            sa.select(loc.code)
            .where(loc.kind == "pack", loc.active.is_(True))
            .order_by(loc.code)
            .limit(1)
        ).scalar()
        return str(found) if found is not None else None

    # plates -----------------------------------------------------------------------------

    def add_plate(self, plate: NewPlate) -> PlateRow:
        code = plate.code or f"new-{datetime.now(UTC).timestamp()}-{id(plate)}"
        row = pt.Plate(
            code=code,
            status=plate.status,
            location_id=plate.location_id,
            product_id=plate.product_id,
            lot=plate.lot,
            expiry=plate.expiry,
            quantity=plate.quantity,
            remaining=plate.quantity,
            hold_reason=plate.hold_reason,
            received_at=plate.received_at,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            raise Conflict(f"plate {plate.code} is already received") from None
        assert row.id is not None
        if plate.code is None:
            # The serial is the row's id: unique without a counter of its own.
            code = internal_code(row.id)
            self.session.execute(
                sa.update(t.table(pt.Plate)).where(t.cols(pt.Plate).id == row.id).values(code=code)
            )
        found = self.plate(code)
        assert found is not None
        return found

    def plate(self, code: str, *, lock: bool = False) -> PlateRow | None:
        pl, loc, p = t.cols(pt.Plate), t.cols(t.Location), t.cols(t.Product)
        query = (
            sa.select(
                pl.id,
                pl.code,
                pl.status,
                pl.location_id,
                loc.code.label("location"),
                loc.kind,
                pl.product_id,
                p.sku,
                pl.lot,
                pl.expiry,
                pl.quantity,
                pl.remaining,
                pl.hold_reason,
                pl.received_at,
                pl.put_away_at,
            )
            .join(t.table(t.Location), loc.id == pl.location_id)
            .join(t.table(t.Product), p.id == pl.product_id)
            .where(pl.code == code)
        )
        if lock:
            query = query.with_for_update(of=t.table(pt.Plate))
        row = self.session.execute(query).first()
        if row is None:
            return None
        values = list(row)
        values[13] = _aware(values[13])
        values[14] = _aware(values[14])
        return PlateRow(*values)

    def take_from_plate(self, plate_id: int, units: int, expect: Sequence[str]) -> bool:
        pl = t.cols(pt.Plate)
        result = self.session.execute(
            sa.update(t.table(pt.Plate))
            .where(pl.id == plate_id, pl.remaining >= units, pl.status.in_(list(expect)))
            .values(remaining=pl.remaining - units, version=pl.version + 1)
        )
        return rowcount(result) == 1

    def set_plate(
        self,
        plate_id: int,
        *,
        status: str,
        expect: Sequence[str],
        location_id: int | None = None,
        hold_reason: str | None = None,
        put_away_at: datetime | None = None,
        write_off: bool = False,
    ) -> bool:
        pl = t.cols(pt.Plate)
        values: dict[str, Any] = {"status": status, "version": pl.version + 1}
        if location_id is not None:
            values["location_id"] = location_id
        if hold_reason is not None:
            values["hold_reason"] = hold_reason
        if put_away_at is not None:
            values["put_away_at"] = put_away_at
        if write_off:
            values["remaining"] = 0
        result = self.session.execute(
            sa.update(t.table(pt.Plate))
            .where(pl.id == plate_id, pl.status.in_(list(expect)))
            .values(**values)
        )
        return rowcount(result) == 1

    # reservations -----------------------------------------------------------------------

    def live_reservations(self, at: datetime) -> list[Reservation]:
        r, pl, loc, p = (
            t.cols(pt.LocationReservation),
            t.cols(pt.Plate),
            t.cols(t.Location),
            t.cols(t.Product),
        )
        rows = self.session.execute(
            sa.select(
                pl.code, loc.code, p.sku, pl.lot, r.quantity, r.volume_mm3, r.weight_g, r.expires_at
            )
            .select_from(t.table(pt.LocationReservation))
            .join(t.table(pt.Plate), pl.id == r.plate_id)
            .join(t.table(t.Location), loc.id == r.location_id)
            .join(t.table(t.Product), p.id == pl.product_id)
            .where(r.expires_at > at, r.order_line_id.is_(None))
        )
        return [
            Reservation(plate, location, sku, lot or None, n, int(vol), int(w), _aware(exp) or exp)
            for plate, location, sku, lot, n, vol, w, exp in rows
        ]

    def reservation_of(self, plate_id: int, location_id: int) -> HeldSpace | None:
        r = t.cols(pt.LocationReservation)
        row = self.session.execute(
            sa.select(
                sa.func.sum(r.quantity), sa.func.max(r.expires_at), sa.func.max(r.order_line_id)
            ).where(r.plate_id == plate_id, r.location_id == location_id)
        ).first()
        if row is None or row[0] is None:
            return None
        return HeldSpace(int(row[0]), _aware(row[1]) or row[1], row[2])

    def reserve(self, plate_id: int, claims: Sequence[Claim], expires_at: datetime) -> None:
        if not claims:
            return
        now = t.utcnow()
        self.session.execute(
            sa.insert(t.table(pt.LocationReservation)),
            [
                {
                    "plate_id": plate_id,
                    "location_id": c.location_id,
                    "order_line_id": c.order_line_id,
                    "quantity": c.quantity,
                    "volume_mm3": c.volume_mm3,
                    "weight_g": c.weight_g,
                    "expires_at": expires_at,
                    "created_at": now,
                }
                for c in claims
            ],
        )

    def release(self, plate_id: int, location_id: int | None = None) -> None:
        r = t.cols(pt.LocationReservation)
        where = [r.plate_id == plate_id]
        if location_id is not None:
            where.append(r.location_id == location_id)
        self.session.execute(sa.delete(t.table(pt.LocationReservation)).where(*where))

    def backorders(self, product_id: int, at: datetime, *, except_plate: int) -> list[Backorder]:
        ln, o, p, r = (
            t.cols(t.OrderLine),
            t.cols(t.Order),
            t.cols(t.Product),
            t.cols(pt.LocationReservation),
        )
        promised = (
            sa.select(sa.func.coalesce(sa.func.sum(r.quantity), 0))
            .where(r.order_line_id == ln.id, r.expires_at > at, r.plate_id != except_plate)
            .scalar_subquery()
        )
        rows = self.session.execute(
            sa.select(ln.id, o.reference, p.sku, ln.quantity - ln.allocated - promised)
            .join(t.table(t.Order), o.id == ln.order_id)
            .join(t.table(t.Product), p.id == ln.product_id)
            .where(
                ln.product_id == product_id,
                o.status.in_(BACKORDER_STATUSES),
                ln.allocated < ln.quantity,
            )
            .order_by(o.priority, o.ship_by, o.id, ln.line_no)
            .limit(50)
        )
        return [Backorder(i, ref, sku, int(n)) for i, ref, sku, n in rows if n > 0]

    # dock to stock ----------------------------------------------------------------------

    def _times(self, since: datetime | None) -> Any:
        pl = t.cols(pt.Plate)
        query = sa.select(pl.code, pl.received_at, pl.put_away_at).where(pl.status != "rejected")
        if since is not None:
            query = query.where(pl.received_at >= since)
        return query.order_by(pl.received_at.desc(), pl.id.desc())

    def plate_times(self, since: datetime | None, offset: int, limit: int) -> list[PlateTimes]:
        rows = self.session.execute(self._times(since).offset(offset).limit(limit))
        return [PlateTimes(c, _aware(r) or r, _aware(p)) for c, r, p in rows]

    def all_plate_times(self, since: datetime | None) -> list[PlateTimes]:
        rows = self.session.execute(self._times(since))
        return [PlateTimes(c, _aware(r) or r, _aware(p)) for c, r, p in rows]
