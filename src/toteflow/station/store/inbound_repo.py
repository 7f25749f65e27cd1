"""The station's copy of open inbound notices over SQLModel."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.contracts.notices import OPEN_STATUSES, Notice
from toteflow.station.store import tables as t


class SqlInboundCache:
    def __init__(self, session: Session) -> None:
        self.session = session

    def keep(self, notice: Notice) -> None:
        ssccs = t.table(t.CachedInboundSscc)
        # Replaced whole: the feed carries the whole notice each time it changes.
        self.session.execute(sa.delete(ssccs).where(ssccs.c.reference == notice.reference))
        row = self.session.get(t.CachedInboundNotice, notice.reference)
        if notice.status not in OPEN_STATUSES:
            if row is not None:
                self.session.delete(row)
                self.session.flush()
            return
        if row is None:
            row = t.CachedInboundNotice(
                reference=notice.reference,
                kind=notice.kind.value,
                supplier_code=notice.supplier.code,
                expected_on=notice.expected_on,
                status=notice.status.value,
            )
        row.kind, row.supplier_code = notice.kind.value, notice.supplier.code
        row.expected_on, row.status = notice.expected_on, notice.status.value
        row.notice = notice.model_dump(mode="json")
        row.updated_at = t.utcnow()
        self.session.add(row)
        self.session.flush()
        if notice.ssccs:
            self.session.execute(
                sa.insert(ssccs),
                [
                    {"sscc": s.sscc, "reference": notice.reference, "parent_sscc": s.parent_sscc}
                    for s in notice.ssccs
                ],
            )

    def get(self, reference: str) -> Notice | None:
        row = self.session.get(t.CachedInboundNotice, reference)
        return None if row is None else Notice.model_validate(row.notice)

    def by_sscc(self, sscc: str) -> Notice | None:
        found = self.session.get(t.CachedInboundSscc, sscc)
        return None if found is None else self.get(found.reference)

    def open_notices(self) -> list[Notice]:
        notices = t.table(t.CachedInboundNotice)
        rows = self.session.execute(
            sa.select(notices.c.notice).order_by(notices.c.expected_on, notices.c.reference)
        ).scalars()
        return [Notice.model_validate(row) for row in rows]
