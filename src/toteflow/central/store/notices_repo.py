"""Inbound notices, their lines, SSCCs and SSCC contents over SQLModel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from toteflow.central.ports.notices import UnitSizes
from toteflow.central.store import tables as t
from toteflow.central.store.notices_tables import (
    InboundNotice,
    InboundNoticeLine,
    InboundSscc,
    InboundSsccContent,
)
from toteflow.central.store.people_repo import _aware
from toteflow.central.store.set_based import text_filters
from toteflow.contracts import notices as n
from toteflow.contracts.common import Page


class SqlNoticeRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def units_of(self, skus: Sequence[str]) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = defaultdict(dict)
        for where in text_filters(self.session, col(t.Product.sku), sorted(set(skus))):
            for sku, uom, units in self.session.exec(
                select(col(t.Product.sku), col(t.ProductUnit.uom), col(t.ProductUnit.units))
                .join(t.ProductUnit, col(t.ProductUnit.product_id) == col(t.Product.id))
                .where(where)
            ):
                found[sku][uom] = units
        return dict(found)

    def location_kinds(self, codes: Sequence[str]) -> dict[str, str]:
        if not codes:
            return {}
        query = select(col(t.Location.code), col(t.Location.kind)).where(
            col(t.Location.code).in_(sorted(set(codes)))
        )
        return dict(self.session.exec(query).all())

    def existing_references(self, references: Sequence[str]) -> set[str]:
        return {
            reference
            for where in text_filters(self.session, col(InboundNotice.reference), references)
            for reference in self.session.exec(select(col(InboundNotice.reference)).where(where))
        }

    def taken_ssccs(self, ssccs: Sequence[str]) -> dict[str, str]:
        return {
            sscc: reference
            for where in text_filters(self.session, col(InboundSscc.sscc), ssccs)
            for sscc, reference in self.session.exec(
                select(col(InboundSscc.sscc), col(InboundNotice.reference))
                .join(InboundNotice, col(InboundNotice.id) == col(InboundSscc.notice_id))
                .where(where)
            )
        }

    def add_many(self, notices: Sequence[n.NoticeCreate], units: UnitSizes) -> None:
        skus = {line.sku for notice in notices for line in notice.lines}
        skus |= {c.sku for notice in notices for s in notice.ssccs for c in s.contents}
        product_ids = self._product_ids(sorted(skus))
        docks = self._location_ids(sorted({x.dock for x in notices if x.dock}))
        now = t.utcnow()
        for notice in notices:
            row = InboundNotice(
                reference=notice.reference,
                kind=notice.kind.value,
                supplier_code=notice.supplier.code,
                supplier_name=notice.supplier.name,
                expected_on=notice.expected_on,
                dock_id=docks[notice.dock] if notice.dock else None,
                created_at=now,
                updated_at=now,
            )
            self.session.add(row)
            self.session.flush()
            assert row.id is not None
            t.insert_rows(
                self.session,
                InboundNoticeLine,
                [
                    {
                        "notice_id": row.id,
                        "line_no": line.line_no,
                        "product_id": product_ids[line.sku],
                        "uom": line.uom,
                        "units_per_uom": units[(line.sku, line.uom)],
                        "quantity": line.quantity,
                        "base_quantity": line.quantity * units[(line.sku, line.uom)],
                        "lot": line.lot,
                        "expiry": line.expiry,
                    }
                    for line in notice.lines
                ],
            )
            self._add_ssccs(row.id, notice.ssccs, product_ids)

    def _add_ssccs(
        self, notice_id: int, ssccs: Sequence[n.SsccIn], product_ids: dict[str, int]
    ) -> None:
        if not ssccs:
            return
        t.insert_rows(
            self.session,
            InboundSscc,
            [
                {
                    "notice_id": notice_id,
                    "sscc": s.sscc,
                    "parent_sscc": s.parent_sscc,
                    "position": position,
                }
                for position, s in enumerate(ssccs)
            ],
        )
        ids = dict(
            self.session.exec(
                select(col(InboundSscc.sscc), col(InboundSscc.id)).where(
                    col(InboundSscc.notice_id) == notice_id
                )
            ).all()
        )
        t.insert_rows(
            self.session,
            InboundSsccContent,
            [
                {
                    "sscc_id": ids[s.sscc],
                    "position": position,
                    "product_id": product_ids[c.sku],
                    "quantity": c.quantity,
                    "lot": c.lot,
                    "expiry": c.expiry,
                }
                for s in ssccs
                for position, c in enumerate(s.contents)
            ],
        )

    def _product_ids(self, skus: list[str]) -> dict[str, int]:
        return {
            sku: pid
            for where in text_filters(self.session, col(t.Product.sku), skus)
            for sku, pid in self.session.exec(
                select(col(t.Product.sku), col(t.Product.id)).where(where)
            )
            if pid is not None
        }

    def _location_ids(self, codes: list[str]) -> dict[str, int]:
        if not codes:
            return {}
        return {
            code: lid
            for code, lid in self.session.exec(
                select(col(t.Location.code), col(t.Location.id)).where(
                    col(t.Location.code).in_(codes)
                )
            )
            if lid is not None
        }

    def get(self, reference: str, *, lock: bool = False) -> n.Notice | None:
        query = select(InboundNotice).where(col(InboundNotice.reference) == reference)
        if lock:
            query = query.with_for_update()
        row = self.session.exec(query.execution_options(populate_existing=True)).first()
        return self._notices([row])[0] if row else None

    def by_sscc(self, sscc: str) -> n.Notice | None:
        row = self.session.exec(
            select(InboundNotice)
            .join(InboundSscc, col(InboundSscc.notice_id) == col(InboundNotice.id))
            .where(col(InboundSscc.sscc) == sscc)
        ).first()
        return self._notices([row])[0] if row else None

    def find(self, filters: n.NoticeFilter, offset: int, limit: int) -> Page[n.Notice]:
        query = select(InboundNotice)
        if filters.status:
            query = query.where(col(InboundNotice.status) == filters.status.value)
        if filters.supplier:
            query = query.where(col(InboundNotice.supplier_code) == filters.supplier)
        if filters.expected_from:
            query = query.where(col(InboundNotice.expected_on) >= filters.expected_from)
        if filters.expected_to:
            query = query.where(col(InboundNotice.expected_on) <= filters.expected_to)
        total = self.session.exec(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).one()
        rows = self.session.exec(
            query.order_by(col(InboundNotice.expected_on), col(InboundNotice.id))
            .offset(offset)
            .limit(limit)
        ).all()
        return Page(items=self._notices(rows), total=total, offset=offset, limit=limit)

    def set_status(self, notice_id: int, status: n.NoticeStatus, *, reason: str = "") -> None:
        values: dict[str, object] = {
            "status": status.value,
            "updated_at": t.utcnow(),
            "version": col(InboundNotice.version) + 1,
        }
        if reason:
            values["cancel_reason"] = reason
        self.session.execute(
            sa.update(InboundNotice).where(col(InboundNotice.id) == notice_id).values(**values)
        )

    def _notices(self, rows: Sequence[InboundNotice]) -> list[n.Notice]:
        ids = [r.id for r in rows]
        lines: dict[int, list[n.NoticeLine]] = defaultdict(list)
        for line, sku in self.session.exec(
            select(InboundNoticeLine, col(t.Product.sku))
            .join(t.Product, col(t.Product.id) == col(InboundNoticeLine.product_id))
            .where(col(InboundNoticeLine.notice_id).in_(ids))
            .order_by(col(InboundNoticeLine.notice_id), col(InboundNoticeLine.line_no))
            # Tallies change by UPDATE statements in the same session: read them fresh.
            .execution_options(populate_existing=True)
        ):
            lines[line.notice_id].append(
                n.NoticeLine(
                    line_no=line.line_no,
                    sku=sku,
                    quantity=line.quantity,
                    uom=line.uom,
                    lot=line.lot,
                    expiry=line.expiry,
                    units_per_uom=line.units_per_uom,
                    base_quantity=line.base_quantity,
                    received=line.received,
                    accepted=line.accepted,
                    damaged=line.damaged,
                    held=line.held,
                    over=max(0, line.received - line.base_quantity),
                    short=max(0, line.base_quantity - line.received),
                    status="closed" if line.line_status == "closed" else "open",
                    short_reason=line.short_reason,
                )
            )
        ssccs = self._ssccs(ids)
        docks = self._dock_codes({r.dock_id for r in rows if r.dock_id is not None})
        return [
            n.Notice(
                id=r.id or 0,
                reference=r.reference,
                kind=n.NoticeKind(r.kind),
                supplier=n.Supplier(code=r.supplier_code, name=r.supplier_name),
                expected_on=r.expected_on,
                dock=docks.get(r.dock_id) if r.dock_id is not None else None,
                status=n.NoticeStatus(r.status),
                cancel_reason=r.cancel_reason,
                created_at=_aware(r.created_at) or r.created_at,
                updated_at=_aware(r.updated_at) or r.updated_at,
                lines=lines[r.id or 0],
                ssccs=ssccs[r.id or 0],
            )
            for r in rows
        ]

    def _ssccs(self, notice_ids: list[int | None]) -> dict[int, list[n.SsccOut]]:
        contents: dict[int, list[n.SsccContent]] = defaultdict(list)
        for content, sku in self.session.exec(
            select(InboundSsccContent, col(t.Product.sku))
            .join(t.Product, col(t.Product.id) == col(InboundSsccContent.product_id))
            .join(InboundSscc, col(InboundSscc.id) == col(InboundSsccContent.sscc_id))
            .where(col(InboundSscc.notice_id).in_(notice_ids))
            .order_by(col(InboundSsccContent.sscc_id), col(InboundSsccContent.position))
        ):
            contents[content.sscc_id].append(
                n.SsccContent(
                    sku=sku, quantity=content.quantity, lot=content.lot, expiry=content.expiry
                )
            )
        found: dict[int, list[n.SsccOut]] = defaultdict(list)
        for row in self.session.exec(
            select(InboundSscc)
            .where(col(InboundSscc.notice_id).in_(notice_ids))
            .order_by(col(InboundSscc.notice_id), col(InboundSscc.position))
        ):
            found[row.notice_id].append(
                n.SsccOut(
                    sscc=row.sscc, parent_sscc=row.parent_sscc, contents=contents[row.id or 0]
                )
            )
        return found

    def _dock_codes(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return {
            lid: code
            for lid, code in self.session.exec(
                select(col(t.Location.id), col(t.Location.code)).where(
                    col(t.Location.id).in_(sorted(ids))
                )
            )
            if lid is not None
        }
