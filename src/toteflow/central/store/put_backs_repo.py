"""Put-backs of refused and cancelled picks over SQLModel: the stock moves and the record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.store import tables as t
from toteflow.central.store.stock_ledger import record_moves
from toteflow.domain.ledger import LedgerMove
from toteflow.domain.put_back import CANCELLED_PICK, PUTS_BACK, RefusedPick


class SqlPutBackRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def refused_pick(self, station_id: int, event_id: str) -> RefusedPick | None:
        fe = t.cols(t.FloorException)
        row = self.session.execute(
            sa.select(fe.id, fe.detail)
            .where(
                fe.station_id == station_id,
                fe.event_id == event_id,
                fe.kind == "rejected_event",
            )
            .order_by(fe.id)
            .limit(1)
            .with_for_update()
        ).first()
        if row is None:
            return None
        detail = dict(row.detail or {})
        payload = detail.get("payload") or {}
        line_id = payload.get("task_line_id")
        quantity = payload.get("quantity")
        source = None
        if isinstance(line_id, int):
            tl, loc, stock = t.cols(t.TaskLine), t.cols(t.Location), t.cols(t.Stock)
            source = self.session.execute(
                sa.select(loc.code, stock.quantity, stock.reserved)
                .select_from(t.table(t.TaskLine))
                .join(t.table(t.Stock), stock.id == tl.stock_id)
                .join(t.table(t.Location), loc.id == stock.location_id)
                .where(tl.id == line_id)
                .with_for_update(of=t.table(t.Stock))
            ).first()
        return RefusedPick(
            exception_id=row.id,
            event_type=str(detail.get("type", "")),
            task_line_id=line_id if source is not None else None,
            quantity=quantity if isinstance(quantity, int) else 0,
            put_back_by=str(detail.get("put_back_by", "")),
            source_location=source.code if source is not None else "",
            source_quantity=source.quantity if source is not None else 0,
            source_reserved=source.reserved if source is not None else 0,
        )

    def cancelled_pick(self, exception_id: int) -> RefusedPick | None:
        fe = t.cols(t.FloorException)
        row = self.session.execute(
            sa.select(fe.id, fe.task_line_id, fe.detail)
            .where(fe.id == exception_id, fe.kind == CANCELLED_PICK)
            .with_for_update()
        ).first()
        if row is None:
            return None
        detail = dict(row.detail or {})
        quantity = detail.get("quantity")
        return RefusedPick(
            exception_id=row.id,
            event_type=PUTS_BACK,
            task_line_id=row.task_line_id,
            quantity=quantity if isinstance(quantity, int) else 0,
            put_back_by=str(detail.get("put_back_by", "")),
            source_location=str(detail.get("location", "")),
            source_quantity=0,
            source_reserved=0,
            off_the_books=True,
        )

    def location_id(self, code: str) -> int | None:
        loc = t.cols(t.Location)
        found = self.session.execute(sa.select(loc.id).where(loc.code == code)).scalar()
        return int(found) if found is not None else None

    def move(
        self, task_line_id: int, location_id: int, take: int, add: int, *, at: datetime, ref: str
    ) -> None:
        tl, stock = t.cols(t.TaskLine), t.cols(t.Stock)
        source = self.session.execute(
            sa.select(stock.id, stock.product_id, stock.lot, stock.expiry)
            .join(t.table(t.TaskLine), tl.stock_id == stock.id)
            .where(tl.id == task_line_id)
        ).one()
        if take:
            # Locked by refused_pick; the planner kept `take` within what is not reserved.
            self.session.execute(
                sa.update(t.table(t.Stock))
                .where(stock.id == source.id)
                .values(quantity=stock.quantity - take)
            )
            record_moves(self.session, [LedgerMove(source.id, -take, at, "put_back", ref)])
        if not add:
            return
        same_expiry = (
            stock.expiry.is_(None) if source.expiry is None else stock.expiry == source.expiry
        )
        target = self.session.execute(
            sa.select(stock.id)
            .where(
                stock.location_id == location_id,
                stock.product_id == source.product_id,
                stock.lot == source.lot,
                same_expiry,
            )
            .with_for_update()
        ).scalar()
        if target is None:
            target = self.session.execute(
                sa.insert(t.table(t.Stock))
                .values(
                    {
                        "location_id": location_id,
                        "product_id": source.product_id,
                        "lot": source.lot,
                        "expiry": source.expiry,
                        "received_on": t.utcnow().date(),
                        "quantity": add,
                        "reserved": 0,
                        "version": 0,
                    }
                )
                .returning(stock.id)
            ).scalar_one()
        else:
            self.session.execute(
                sa.update(t.table(t.Stock))
                .where(stock.id == target)
                .values(quantity=stock.quantity + add)
            )
        record_moves(self.session, [LedgerMove(int(target), add, at, "put_back", ref)])

    def resolve_refusal(
        self, exception_id: int, *, user_id: int | None, resolution: str, put_back_by: str
    ) -> None:
        fe = t.cols(t.FloorException)
        row = self.session.execute(
            sa.select(fe.status, fe.detail, fe.resolution).where(fe.id == exception_id)
        ).one()
        values: dict[str, Any] = {"detail": {**dict(row.detail or {}), "put_back_by": put_back_by}}
        if row.status == "open":
            values.update(
                status="resolved",
                resolved_at=t.utcnow(),
                resolved_by=user_id,
                resolution=resolution[:300],
            )
        else:
            # A supervisor closed it first: the stock still moved, and the record says so.
            values["resolution"] = f"{row.resolution}; then {resolution}"[:300]
        self.session.execute(
            sa.update(t.table(t.FloorException)).where(fe.id == exception_id).values(**values)
        )
