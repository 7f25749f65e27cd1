"""The station's copy of the cart and tote registry over SQLModel."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.contracts.containers import ContainerRecord
from toteflow.domain.containers import ContainerState, Holding
from toteflow.station.store import tables as t


def _holding(row: t.CachedContainer) -> Holding:
    return Holding(
        ContainerState(row.state),
        task_id=row.task_id,
        slot=row.slot,
        order_reference=row.order_reference,
        destination=row.destination,
        units=row.units,
    )


class SqlContainerCache:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, kind: str, code: str) -> Holding | None:
        row = self.session.get(t.CachedContainer, (kind, code))
        return None if row is None else _holding(row)

    def in_force(self, kind: str) -> bool:
        box = t.table(t.CachedContainer)
        found = self.session.execute(sa.select(sa.exists().where(box.c.kind == kind)))
        return bool(found.scalar_one())

    def set(self, kind: str, code: str, holding: Holding) -> None:
        """This station's own change to a registered container (unregistered: not kept)."""
        row = self.session.get(t.CachedContainer, (kind, code))
        if row is None:
            return
        self._fill(row, holding)

    def upsert(self, records: Iterable[ContainerRecord]) -> None:
        """The server's word on these containers, as the feed brings it."""
        for record in records:
            row = self.session.get(t.CachedContainer, (record.kind, record.code))
            if row is None:
                row = t.CachedContainer(kind=record.kind, code=record.code)
            self._fill(row, record.holding())

    def free_of_task(self, task_id: int) -> None:
        """The task finished here: its cart and its never-closed totes are free again."""
        box = t.table(t.CachedContainer)
        self.session.execute(
            sa.update(box)
            .where(box.c.task_id == task_id, box.c.state == "in_task")
            .values(state="free", task_id=None, slot=None, order_reference="", units=0)
        )

    def free_totes(self, limit: int, exclude: Collection[str] = ()) -> list[str]:
        """Some free totes by code (the demo scanner takes one of these)."""
        box = t.table(t.CachedContainer)
        codes = self.session.execute(
            sa.select(box.c.code)
            .where(box.c.kind == "tote", box.c.state == "free", box.c.code.not_in(list(exclude)))
            .order_by(box.c.code)
            .limit(limit)
        ).scalars()
        return list(codes)

    def _fill(self, row: t.CachedContainer, holding: Holding) -> None:
        row.state = holding.state.value
        row.task_id, row.slot = holding.task_id, holding.slot
        row.order_reference = holding.order_reference
        row.destination, row.units = holding.destination, holding.units
        self.session.add(row)
        self.session.flush()
