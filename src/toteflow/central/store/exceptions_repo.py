"""Floor exceptions over SQLModel: opened for supervisors by pushes, cancels and shortages."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.store import tables as t


class SqlFloorExceptionRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_many(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            now = t.utcnow()
            t.insert_rows(
                self.session,
                t.FloorException,
                [{"status": "open", "created_at": now, **row} for row in rows],
            )

    def open(self, row: dict[str, Any]) -> int:
        fe = t.cols(t.FloorException)
        created = self.session.execute(
            sa.insert(t.table(t.FloorException))
            .values(status="open", created_at=t.utcnow(), **row)
            .returning(fe.id)
        ).scalar_one()
        return int(created)
