"""The waves themselves over SQLModel: their rows, and whether a lost race may be run again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from toteflow.central.ports.waves import WaveRow
from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware

# PostgreSQL's codes for a lost deadlock and a serialization failure: the transaction may
# simply be run again.
RETRYABLE = frozenset({"40001", "40P01"})


class SqlWaveRepo:
    """Planned, released, held and cancelled waves."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, name: str, strategy: str, spec: dict[str, Any], created_by: int | None) -> int:
        wave = t.cols(t.Wave)
        return int(
            self.session.execute(
                sa.insert(t.table(t.Wave))
                .values(
                    name=name,
                    status="planned",
                    strategy=strategy,
                    filters=spec,
                    created_by=created_by,
                    created_at=t.utcnow(),
                )
                .returning(wave.id)
            ).scalar_one()
        )

    def get(self, wave_id: int, *, lock: bool = False) -> WaveRow | None:
        query = sa.select(t.table(t.Wave)).where(t.cols(t.Wave).id == wave_id)
        if lock:
            query = query.with_for_update()
        row = self.session.execute(query).first()
        return _wave_row(row) if row else None

    def name_taken(self, name: str) -> bool:
        wave = t.cols(t.Wave)
        return self.session.execute(sa.select(wave.id).where(wave.name == name)).first() is not None

    def find(self, status: str | None, offset: int, limit: int) -> tuple[list[WaveRow], int]:
        wave = t.cols(t.Wave)
        query = sa.select(t.table(t.Wave))
        if status:
            query = query.where(wave.status == status)
        total = self.session.execute(
            sa.select(sa.func.count()).select_from(query.subquery())
        ).scalar_one()
        rows = self.session.execute(query.order_by(wave.id.desc()).offset(offset).limit(limit))
        return [_wave_row(row) for row in rows], int(total)

    def update(
        self,
        wave_id: int,
        *,
        status: str,
        spec: dict[str, Any] | None = None,
        released_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status}
        if spec is not None:
            values["filters"] = spec
        if released_at is not None:
            values["released_at"] = released_at
        self.session.execute(
            sa.update(t.table(t.Wave)).where(t.cols(t.Wave).id == wave_id).values(**values)
        )

    def retryable(self, error: BaseException) -> bool:
        return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in RETRYABLE


def _wave_row(row: Any) -> WaveRow:
    return WaveRow(
        id=row.id,
        name=row.name,
        status=row.status,
        strategy=row.strategy,
        spec=dict(row.filters),
        created_by=row.created_by,
        created_at=_aware(row.created_at) or row.created_at,
        released_at=_aware(row.released_at),
    )
