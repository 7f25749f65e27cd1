"""The station's copy of stock answers over SQLModel: kept per inquiry, moved by each move."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from toteflow.contracts import putaway as pa
from toteflow.contracts import stock as st
from toteflow.contracts.catalogue import Location
from toteflow.station.ports.stock import HandMoveRecord, SeenPlace, SeenPlate, SeenPosition
from toteflow.station.store.stock_tables import SeenPlaceRow, SeenPlateRow, SeenPositionRow


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _row(found: st.StockPosition, at: datetime) -> SeenPositionRow:
    return SeenPositionRow(
        location=found.location,
        location_kind=found.location_kind,
        sku=found.sku,
        description=found.description,
        lot=found.lot,
        expiry=found.expiry,
        quantity=found.quantity,
        reserved=found.reserved,
        plates=list(found.plates),
        seen_at=at,
    )


def _seen(row: SeenPositionRow) -> SeenPosition:
    return SeenPosition(
        location=row.location,
        location_kind=row.location_kind,
        sku=row.sku,
        description=row.description,
        lot=row.lot,
        expiry=row.expiry,
        quantity=row.quantity,
        reserved=row.reserved,
        plates=list(row.plates),
        seen_at=_aware(row.seen_at),
    )


class SqlStockCache:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _replace(
        self, where: sa.ColumnElement[bool], found: list[st.StockPosition], at: datetime
    ) -> None:
        self.session.execute(sa.delete(SeenPositionRow).where(where))
        self.session.flush()
        self.session.add_all(_row(p, at) for p in found)
        self.session.flush()

    def keep_location(self, found: st.LocationStock, at: datetime) -> None:
        code = found.location.code
        self._replace(col(SeenPositionRow.location) == code, found.positions, at)
        place = self.session.get(SeenPlaceRow, code) or SeenPlaceRow(code=code)
        place.location = found.location.model_dump(mode="json")
        place.seen_at = at
        self.session.add(place)
        self.session.flush()

    def keep_item(self, found: st.ItemStock, at: datetime) -> None:
        self._replace(col(SeenPositionRow.sku) == found.sku, found.positions, at)

    def keep_plate(self, found: pa.Plate, at: datetime) -> None:
        row = self.session.get(SeenPlateRow, found.code) or SeenPlateRow(
            code=found.code, status=found.status, location=found.location, sku=found.sku
        )
        row.status, row.location, row.sku = found.status, found.location, found.sku
        row.lot, row.expiry, row.quantity, row.seen_at = (
            found.lot,
            found.expiry,
            found.quantity,
            at,
        )
        self.session.add(row)
        self.session.flush()

    def place(self, code: str) -> SeenPlace | None:
        row = self.session.get(SeenPlaceRow, code)
        if row is None:
            return None
        return SeenPlace(Location.model_validate(row.location), _aware(row.seen_at))

    def at_location(self, code: str) -> list[SeenPosition]:
        rows = self.session.exec(
            select(SeenPositionRow)
            .where(col(SeenPositionRow.location) == code, col(SeenPositionRow.quantity) > 0)
            .order_by(col(SeenPositionRow.sku), col(SeenPositionRow.lot))
        ).all()
        return [_seen(r) for r in rows]

    def of_sku(self, sku: str) -> list[SeenPosition]:
        rows = self.session.exec(
            select(SeenPositionRow)
            .where(col(SeenPositionRow.sku) == sku, col(SeenPositionRow.quantity) > 0)
            .order_by(col(SeenPositionRow.location), col(SeenPositionRow.lot))
        ).all()
        # Pick faces first, as the server answers.
        return sorted((_seen(r) for r in rows), key=lambda p: p.location_kind != "pick_face")

    def plate(self, code: str) -> SeenPlate | None:
        row = self.session.get(SeenPlateRow, code)
        if row is None:
            return None
        return SeenPlate(
            row.code,
            row.status,
            row.location,
            row.sku,
            row.lot,
            row.expiry,
            row.quantity,
            _aware(row.seen_at),
        )

    def places(self) -> list[SeenPlace]:
        rows = self.session.exec(select(SeenPlaceRow).order_by(col(SeenPlaceRow.code))).all()
        return [SeenPlace(Location.model_validate(r.location), _aware(r.seen_at)) for r in rows]

    def free_positions(self, limit: int) -> list[SeenPosition]:
        rows = self.session.exec(
            select(SeenPositionRow)
            .where(col(SeenPositionRow.quantity) > col(SeenPositionRow.reserved))
            .order_by(col(SeenPositionRow.location), col(SeenPositionRow.sku))
            .limit(limit)
        ).all()
        return [_seen(r) for r in rows]

    def _position(self, location: str, sku: str, lot: str) -> SeenPositionRow | None:
        return self.session.exec(
            select(SeenPositionRow).where(
                col(SeenPositionRow.location) == location,
                col(SeenPositionRow.sku) == sku,
                col(SeenPositionRow.lot) == lot,
            )
        ).first()

    def moved(self, move: HandMoveRecord, at: datetime) -> None:
        source = self._position(move.from_location, move.sku, move.lot)
        if source is not None:
            source.quantity = (
                move.from_on_hand
                if move.from_on_hand is not None
                else max(0, source.quantity - move.quantity)
            )
            if move.plate and move.plate in source.plates:
                source.plates = [p for p in source.plates if p != move.plate]
            self.session.add(source)
        target = self._position(move.to_location, move.sku, move.lot)
        if target is None:
            place = self.session.get(SeenPlaceRow, move.to_location)
            kind = str(place.location.get("kind", "")) if place is not None else ""
            description = source.description if source is not None else ""
            target = SeenPositionRow(
                location=move.to_location,
                location_kind=kind,
                sku=move.sku,
                description=description,
                lot=move.lot,
                expiry=move.expiry,
                quantity=0,
                seen_at=at,
            )
        target.quantity = (
            move.to_on_hand if move.to_on_hand is not None else target.quantity + move.quantity
        )
        if move.plate and move.plate not in target.plates:
            target.plates = [*target.plates, move.plate]
        self.session.add(target)
        if move.plate:
            plate = self.session.get(SeenPlateRow, move.plate)
            if plate is not None:
                plate.location = move.to_location
                self.session.add(plate)
        self.session.flush()
