"""The station's copy of open replenishments over SQLModel, with this station's steps."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.contracts.replenishment import Replenishment
from toteflow.station.ports.replenishment import ReplenJob
from toteflow.station.store import tables as t
from toteflow.station.store.replen_tables import CachedReplenishment

_OPEN = ("open", "taken")


class SqlReplenCache:
    def __init__(self, session: Session) -> None:
        self.session = session

    def keep(self, replenishment: Replenishment) -> None:
        row = self.session.get(CachedReplenishment, replenishment.id)
        if replenishment.status not in _OPEN:
            if row is not None:
                self.session.delete(row)
                self.session.flush()
            return
        if row is None:
            row = CachedReplenishment(
                id=replenishment.id,
                status=replenishment.status,
                location=replenishment.location,
                sku=replenishment.sku,
                source=replenishment.source,
                quantity=replenishment.quantity,
            )
        elif row.source != replenishment.source:
            # Re-sourced by the server (this station found the old source empty): start over.
            row.step, row.taken = "", 0
        row.status = replenishment.status
        row.location, row.sku = replenishment.location, replenishment.sku
        row.description, row.source = replenishment.description[:200], replenishment.source
        row.plate, row.lot = replenishment.plate, replenishment.lot
        row.quantity, row.before_task_id = replenishment.quantity, replenishment.before_task_id
        row.barcodes = dict(replenishment.barcodes)
        row.updated_at = t.utcnow()
        self.session.add(row)
        self.session.flush()

    def open_jobs(self) -> list[ReplenJob]:
        c = t.table(CachedReplenishment).c
        rows = self.session.execute(
            sa.select(CachedReplenishment)
            # Taken here and not yet placed, or open and not yet touched anywhere.
            .where(sa.or_(c.step == "taken", sa.and_(c.step == "", c.status == "open")))
            .order_by(c.before_task_id.is_(None), c.before_task_id, c.id)
        ).scalars()
        return [_job(row) for row in rows]

    def job(self, replen_id: int) -> ReplenJob | None:
        row = self.session.get(CachedReplenishment, replen_id)
        return None if row is None else _job(row)

    def set_step(self, replen_id: int, step: str, taken: int, user_id: int | None) -> None:
        row = self.session.get(CachedReplenishment, replen_id)
        if row is None:
            raise ValueError(f"replenishment {replen_id} is not known at this station")
        row.step, row.taken, row.user_id = step, taken, user_id
        row.updated_at = t.utcnow()
        self.session.add(row)
        self.session.flush()


def _job(row: CachedReplenishment) -> ReplenJob:
    return ReplenJob(
        row.id,
        row.location,
        row.sku,
        row.description,
        row.source,
        row.plate,
        row.lot,
        row.quantity,
        row.before_task_id,
        row.step,
        row.taken,
        {str(code): int(units) for code, units in row.barcodes.items()},
    )
