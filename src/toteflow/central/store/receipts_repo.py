"""Receipts over SQLModel: notices locked for receiving, line tallies, cases, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from toteflow.central.ports.receipts import CaseRow, LineRow, NoticeHead, PalletContent
from toteflow.central.store import putaway_tables as pt
from toteflow.central.store import tables as t
from toteflow.central.store.notices_tables import (
    InboundNotice,
    InboundNoticeLine,
    InboundSscc,
    InboundSsccContent,
)
from toteflow.central.store.receipts_tables import ReceiptCase, ReceiptConfirmation
from toteflow.domain.errors import Conflict


class SqlReceiptRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_notices(self, references: Sequence[str]) -> dict[str, NoticeHead]:
        found: dict[str, NoticeHead] = {}
        # One at a time in reference order: two pushes naming the same notices never wait
        # on each other in a circle.
        for reference in sorted(set(references)):
            row = self.session.exec(
                select(InboundNotice)
                .where(col(InboundNotice.reference) == reference)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).first()
            if row is not None and row.id is not None:
                dock = (
                    self.session.exec(
                        select(col(t.Location.code)).where(col(t.Location.id) == row.dock_id)
                    ).first()
                    if row.dock_id is not None
                    else None
                )
                found[reference] = NoticeHead(
                    row.id,
                    row.reference,
                    row.kind,
                    row.status,
                    row.supplier_code,
                    row.supplier_name,
                    dock,
                )
        return found

    def lines(self, notice_id: int) -> list[LineRow]:
        rows = self.session.exec(
            select(InboundNoticeLine, col(t.Product.sku))
            .join(t.Product, col(t.Product.id) == col(InboundNoticeLine.product_id))
            .where(col(InboundNoticeLine.notice_id) == notice_id)
            .order_by(col(InboundNoticeLine.line_no))
            .execution_options(populate_existing=True)
        ).all()
        return [
            LineRow(
                id=line.id or 0,
                line_no=line.line_no,
                sku=sku,
                product_id=line.product_id,
                uom=line.uom,
                lot=line.lot,
                expiry=line.expiry,
                expected=line.base_quantity,
                received=line.received,
                accepted=line.accepted,
                damaged=line.damaged,
                held=line.held,
                status=line.line_status,
                short_reason=line.short_reason,
            )
            for line, sku in rows
        ]

    def taken_case(self, notice_id: int | None, case_id: str) -> CaseRow | None:
        where = (
            col(ReceiptCase.notice_id).is_(None)
            if notice_id is None
            else col(ReceiptCase.notice_id) == notice_id
        )
        found = self._case_rows(sa.and_(where, col(ReceiptCase.case_id) == case_id), limit=1)
        return found[0] if found else None

    def add_case(self, row: dict[str, Any]) -> None:
        try:
            self.session.execute(sa.insert(ReceiptCase).values(**row))
        except IntegrityError:
            # The unique (notice, case id) caught what the look-up did not (a race without
            # the notice's lock): the case is counted once all the same. The caller's
            # savepoint or transaction is left to roll back.
            raise Conflict(
                f"case {row['case_id']} was already received on this notice: it is counted once"
            ) from None

    def add_to_line(
        self, line_id: int, *, accepted: int, damaged: int, held: int, expect_received: int
    ) -> bool:
        line = InboundNoticeLine
        done = self.session.execute(
            sa.update(line)
            .where(
                col(line.id) == line_id,
                col(line.line_status) == "open",
                col(line.received) == expect_received,
            )
            .values(
                received=col(line.received) + accepted + damaged + held,
                accepted=col(line.accepted) + accepted,
                damaged=col(line.damaged) + damaged,
                held=col(line.held) + held,
            )
        )
        return bool(getattr(done, "rowcount", 0))

    def add_to_plate(self, plate_id: int, units: int, status: str) -> bool:
        plate = t.cols(pt.Plate)
        done = self.session.execute(
            sa.update(t.table(pt.Plate))
            .where(plate.id == plate_id, plate.status == status, plate.remaining == plate.quantity)
            .values(
                quantity=plate.quantity + units,
                remaining=plate.remaining + units,
                version=plate.version + 1,
            )
        )
        return bool(getattr(done, "rowcount", 0))

    def close_line(self, line_id: int, reason: str) -> bool:
        line = InboundNoticeLine
        done = self.session.execute(
            sa.update(line)
            .where(col(line.id) == line_id, col(line.line_status) == "open")
            .values(line_status="closed", short_reason=reason)
        )
        return bool(getattr(done, "rowcount", 0))

    def lot_expiries(self, product_id: int, lot: str) -> set[date | None]:
        return set(
            self.session.exec(
                select(col(ReceiptCase.expiry))
                .where(col(ReceiptCase.product_id) == product_id, col(ReceiptCase.lot) == lot)
                .distinct()
            ).all()
        )

    def cases(self, notice_id: int) -> list[CaseRow]:
        return self._case_rows(col(ReceiptCase.notice_id) == notice_id)

    def _case_rows(self, where: Any, limit: int | None = None) -> list[CaseRow]:
        query = (
            select(ReceiptCase, col(t.Product.sku))
            .outerjoin(t.Product, col(t.Product.id) == col(ReceiptCase.product_id))
            .where(where)
            .order_by(col(ReceiptCase.id))
        )
        if limit is not None:
            query = query.limit(limit)
        return [
            CaseRow(
                line_id=row.line_id,
                kind=row.kind,
                case_id=row.case_id,
                sku=sku,
                scanned=row.scanned,
                lot=row.lot,
                expiry=row.expiry,
                quantity=row.quantity,
                accepted=row.accepted,
                damaged=row.damaged,
                held=row.held,
                damage={str(k): int(v) for k, v in row.damage.items()},
                plates=[str(p) for p in row.plates],
                station_id=row.station_id,
            )
            for row, sku in self.session.exec(query).all()
        ]

    def pallet(self, notice_id: int, sscc: str) -> list[PalletContent] | None:
        ssccs = {
            row.sscc: row
            for row in self.session.exec(
                select(InboundSscc).where(col(InboundSscc.notice_id) == notice_id)
            ).all()
        }
        if sscc not in ssccs:
            return None
        # The pallet and every case standing on it (or on a case on it).
        inside = {sscc}
        grew = True
        while grew:
            more = {s for s, row in ssccs.items() if row.parent_sscc in inside} - inside
            inside |= more
            grew = bool(more)
        ids = {ssccs[s].id: s for s in inside}
        rows = self.session.exec(
            select(InboundSsccContent, col(t.Product.sku))
            .join(t.Product, col(t.Product.id) == col(InboundSsccContent.product_id))
            .where(col(InboundSsccContent.sscc_id).in_(list(ids)))
            .order_by(col(InboundSsccContent.sscc_id), col(InboundSsccContent.position))
        ).all()
        return [PalletContent(ids[c.sscc_id], sku, c.quantity, c.lot, c.expiry) for c, sku in rows]

    def first_location(self, kind: str) -> str | None:
        return self.session.exec(
            select(col(t.Location.code))
            .where(col(t.Location.kind) == kind, col(t.Location.active).is_(True))
            .order_by(col(t.Location.code))
            .limit(1)
        ).first()

    def add_confirmation(self, notice_id: int, body: str, at: datetime) -> None:
        self.session.execute(
            sa.insert(ReceiptConfirmation).values(notice_id=notice_id, body=body, created_at=at)
        )

    def confirmation(self, reference: str) -> str | None:
        return self.session.exec(
            select(col(ReceiptConfirmation.body))
            .join(InboundNotice, col(InboundNotice.id) == col(ReceiptConfirmation.notice_id))
            .where(col(InboundNotice.reference) == reference)
        ).first()
