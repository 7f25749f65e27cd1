"""The change feed over SQLModel: numbered by one counter row, so in commit order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.store import tables as t
from toteflow.contracts import sync


class SqlChangeFeed:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_change(
        self,
        kind: str,
        entity: str,
        entity_id: str,
        payload: dict[str, Any],
        station_id: int | None = None,
    ) -> int:
        clock = t.cols(t.FeedClock)
        # Taking the counter row's lock orders the feed by commit: a change numbered lower can
        # never become visible after a higher one, so a station's cursor never skips one.
        seq = self.session.execute(
            sa.update(t.FeedClock)
            .where(clock.id == 1)
            .values(value=clock.value + 1)
            .returning(clock.value)
        ).scalar_one()
        self.session.execute(
            sa.insert(t.Change).values(
                seq=seq,
                at=datetime.now(UTC),
                kind=kind,
                entity=entity,
                entity_id=entity_id,
                station_id=station_id,
                payload=payload,
            )
        )
        return int(seq)

    def changes_since(self, station_id: int, since: int, limit: int) -> list[sync.Change]:
        change = t.cols(t.Change)
        rows = self.session.execute(
            sa.select(change.seq, change.kind, change.entity, change.entity_id, change.payload)
            .where(
                change.seq > since,
                sa.or_(change.station_id.is_(None), change.station_id == station_id),
            )
            .order_by(change.seq)
            .limit(limit)
        ).all()
        return [
            sync.Change(
                seq=row.seq,
                kind=row.kind,
                entity=row.entity,
                entity_id=row.entity_id,
                payload=row.payload,
            )
            for row in rows
        ]
