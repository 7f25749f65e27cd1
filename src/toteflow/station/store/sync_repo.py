"""The station's credentials, sync state, outbox and exceptions over SQLModel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from toteflow.domain.put_back import CANCELLED_PICK
from toteflow.station.ports.store import (
    OutboxEvent,
    OutboxState,
    StationException,
    StationIdentity,
    SyncState,
)
from toteflow.station.store import tables as t


def aware(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


_TAKE_SEQ = sa.text(
    "UPDATE sync_state SET next_seq = next_seq + 1 WHERE id = 1 RETURNING next_seq - 1"
)
_ADD_EVENT = sa.insert(t.table(t.OutboxRow))


class SqlIdentityRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self) -> StationIdentity | None:
        row = self.session.get(t.Identity, 1)
        if row is None:
            return None
        return StationIdentity(
            station_id=row.station_id,
            name=row.name,
            server_url=row.server_url,
            token=row.token,
            registered_at=_aware(row.registered_at),
        )

    def set(self, identity: StationIdentity) -> None:
        row = self.session.get(t.Identity, 1) or t.Identity(
            station_id=identity.station_id, server_url=identity.server_url, token=identity.token
        )
        row.station_id = identity.station_id
        row.name = identity.name
        row.server_url = identity.server_url
        row.token = identity.token
        row.registered_at = identity.registered_at
        self.session.add(row)
        self.session.flush()


class SqlSyncStateRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self) -> t.SyncStateRow:
        # populate_existing: take_seq changes the row behind the ORM's back.
        row = self.session.get(t.SyncStateRow, 1, populate_existing=True)
        if row is None:
            # The migration inserts it; a store made by create_all in a test may lack it.
            row = t.SyncStateRow()
            self.session.add(row)
            self.session.flush()
        return row

    def get(self) -> SyncState:
        row = self._row()
        return SyncState(
            next_seq=row.next_seq,
            last_acked_seq=row.last_acked_seq,
            cursor=row.cursor,
            needs_reregistration=row.needs_reregistration,
            last_error=row.last_error,
            last_push_at=aware(row.last_push_at),
            last_pull_at=aware(row.last_pull_at),
        )

    def take_seq(self) -> int:
        # One statement, built once: this runs inside every scan's transaction. That began
        # IMMEDIATE, so no other writer can take the same number.
        taken = self.session.execute(_TAKE_SEQ).scalar_one()
        return int(taken)

    def set_acked(self, seq: int) -> None:
        row = self._row()
        row.last_acked_seq = seq
        self.session.add(row)
        self.session.flush()

    def set_cursor(self, cursor: int) -> None:
        row = self._row()
        row.cursor = cursor
        self.session.add(row)
        self.session.flush()

    def set_flags(
        self,
        *,
        needs_reregistration: bool | None = None,
        last_error: str | None = None,
        pushed_at: datetime | None = None,
        pulled_at: datetime | None = None,
    ) -> None:
        row = self._row()
        if needs_reregistration is not None:
            row.needs_reregistration = needs_reregistration
        if last_error is not None:
            row.last_error = last_error[:500]
        if pushed_at is not None:
            row.last_push_at = pushed_at
        if pulled_at is not None:
            row.last_pull_at = pulled_at
        self.session.add(row)
        self.session.flush()

    def reset(self, *, next_seq: int, last_acked_seq: int, cursor: int) -> None:
        row = self._row()
        row.next_seq = next_seq
        row.last_acked_seq = last_acked_seq
        row.cursor = cursor
        self.session.add(row)
        self.session.flush()


def _event(row: t.OutboxRow | sa.Row[Any]) -> OutboxEvent:
    state: OutboxState = "acked" if row.state == "acked" else "pending"
    return OutboxEvent(
        seq=row.seq,
        id=UUID(row.event_id),
        user_id=row.user_id,
        type=row.type,
        payload=dict(row.payload),
        station_time=_aware(row.station_time),
        state=state,
        status=row.status,
        reason=row.reason,
        result=dict(row.result),
    )


class SqlOutboxRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, event: OutboxEvent) -> None:
        undoes = event.payload.get("undoes") if event.type == "pick.undone" else None
        # A prepared Core insert: the ORM's bookkeeping would cost more than the write.
        self.session.execute(
            _ADD_EVENT,
            {
                "seq": event.seq,
                "event_id": str(event.id),
                "user_id": event.user_id,
                "type": event.type,
                "payload": event.payload,
                "station_time": event.station_time,
                "state": "pending",
                "status": "",
                "reason": "",
                "result": {},
                "undoes": str(undoes) if undoes is not None else None,
            },
        )

    def after(self, seq: int, limit: int) -> list[OutboxEvent]:
        table = t.table(t.OutboxRow)
        rows = self.session.execute(
            sa.select(table).where(table.c.seq > seq).order_by(table.c.seq).limit(limit)
        )
        return [_event(row) for row in rows]

    def get(self, event_id: UUID) -> OutboxEvent | None:
        row = self.session.exec(
            select(t.OutboxRow).where(col(t.OutboxRow.event_id) == str(event_id))
        ).first()
        return _event(row) if row else None

    def last_of_task(self, task_id: int, types: tuple[str, ...]) -> OutboxEvent | None:
        # Newest first along the primary key: SQLite stops at the first row that matches.
        row = self.session.exec(
            select(t.OutboxRow)
            .where(
                col(t.OutboxRow.type).in_(types),
                func.json_extract(t.OutboxRow.payload, "$.task_id") == task_id,
            )
            .order_by(col(t.OutboxRow.seq).desc())
            .limit(1)
        ).first()
        return _event(row) if row else None

    def undoing(self, event_id: UUID) -> OutboxEvent | None:
        row = self.session.exec(
            select(t.OutboxRow).where(col(t.OutboxRow.undoes) == str(event_id))
        ).first()
        return _event(row) if row else None

    def mark_acked(self, answers: list[tuple[int, str, str, dict[str, Any]]]) -> None:
        if not answers:
            return
        table = t.table(t.OutboxRow)
        now = datetime.now(UTC)
        # One executemany for the whole batch: the drain of a backlog is bound by this.
        self.session.execute(
            sa.update(table)
            .where(table.c.seq == sa.bindparam("b_seq"))
            .values(
                state="acked",
                status=sa.bindparam("b_status"),
                reason=sa.bindparam("b_reason"),
                result=sa.bindparam("b_result"),
                acked_at=now,
            ),
            [
                {"b_seq": seq, "b_status": status, "b_reason": reason[:300], "b_result": result}
                for seq, status, reason, result in answers
            ],
        )

    def reopen_after(self, seq: int) -> int:
        table = t.table(t.OutboxRow)
        result = self.session.execute(
            sa.update(table)
            .where(table.c.seq > seq, table.c.state == "acked")
            .values(state="pending", status="", reason="", result={}, acked_at=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def count_pending(self) -> int:
        return int(
            self.session.exec(
                select(func.count())
                .select_from(t.OutboxRow)
                .where(col(t.OutboxRow.state) == "pending")
            ).one()
        )

    def clear(self) -> None:
        self.session.execute(sa.delete(t.table(t.StationExceptionRow)))
        self.session.execute(sa.delete(t.table(t.OutboxRow)))


def _exception(row: t.StationExceptionRow) -> StationException:
    return StationException(
        id=row.id or 0,
        kind=row.kind,
        reason=row.reason,
        event_seq=row.event_seq,
        event_id=row.event_id,
        event_type=row.event_type,
        payload=dict(row.payload),
        user_id=row.user_id,
        created_at=_aware(row.created_at),
        resolved=row.resolved,
        resolved_at=aware(row.resolved_at),
        resolved_by=row.resolved_by,
        resolution=row.resolution,
    )


class SqlExceptionRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_for_event(self, event: OutboxEvent, reason: str, at: datetime) -> bool:
        existing = self.session.exec(
            select(col(t.StationExceptionRow.id)).where(
                col(t.StationExceptionRow.event_seq) == event.seq
            )
        ).first()
        if existing is not None:
            return False
        self.session.add(
            t.StationExceptionRow(
                kind="rejected_event",
                reason=reason[:300],
                event_seq=event.seq,
                event_id=str(event.id),
                event_type=event.type,
                payload=event.payload,
                user_id=event.user_id,
                created_at=at,
            )
        )
        self.session.flush()
        return True

    def open_for_cancelled_pick(
        self, server_exception_id: int, reason: str, payload: dict[str, Any], at: datetime
    ) -> bool:
        # A replayed change must not open it twice; a station holds a handful of these.
        known = self.session.exec(
            select(t.StationExceptionRow.payload).where(
                col(t.StationExceptionRow.kind) == CANCELLED_PICK
            )
        )
        if any(p.get("exception_id") == server_exception_id for p in known):
            return False
        self.session.add(
            t.StationExceptionRow(
                kind=CANCELLED_PICK,
                reason=reason[:300],
                event_type="order.cancelled",
                payload={**payload, "exception_id": server_exception_id},
                created_at=at,
            )
        )
        self.session.flush()
        return True

    def list(self, *, open_only: bool = True) -> list[StationException]:
        query = select(t.StationExceptionRow).order_by(col(t.StationExceptionRow.id))
        if open_only:
            query = query.where(col(t.StationExceptionRow.resolved).is_(False))
        return [_exception(row) for row in self.session.exec(query)]

    def get(self, exception_id: int) -> StationException | None:
        row = self.session.get(t.StationExceptionRow, exception_id)
        return _exception(row) if row else None

    def resolve(
        self, exception_id: int, user_id: int | None, resolution: str, at: datetime
    ) -> None:
        row = self.session.get(t.StationExceptionRow, exception_id)
        if row is None:
            return
        row.resolved = True
        row.resolved_at = at
        row.resolved_by = user_id
        row.resolution = resolution[:300]
        self.session.add(row)
        self.session.flush()

    def count_open(self) -> int:
        return int(
            self.session.exec(
                select(func.count())
                .select_from(t.StationExceptionRow)
                .where(col(t.StationExceptionRow.resolved).is_(False))
            ).one()
        )
