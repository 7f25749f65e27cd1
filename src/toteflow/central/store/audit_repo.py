"""The audit log: every state change, who made it, from where, and the event behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, func, select

from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.contracts.common import Page
from toteflow.contracts.people import AuditEntry
from toteflow.domain.actor import Actor

_ENCODED = ("at", "user_id", "station_id", "action", "entity", "entity_id", "detail", "event_id")


class SqlAuditRepo:
    def __init__(self, session: Session) -> None:
        self.session = session
        # Entries wait here and go in together (COPY on PostgreSQL) when the unit of work
        # commits (or before a read): bulk use cases would otherwise flush a row per change.
        self._pending: list[dict[str, Any]] = []
        # Entries of record_many(), as rows of _ENCODED with their detail as JSON text.
        self._encoded: list[tuple[Any, ...]] = []

    def record(
        self,
        actor: Actor,
        action: str,
        entity: str,
        entity_id: str,
        detail: dict[str, Any],
        event_id: str | None = None,
    ) -> None:
        self._flush_encoded()  # entries keep the order they were recorded in
        self._pending.append(
            {
                "at": t.utcnow(),
                "user_id": actor.user_id,
                "station_id": actor.station_id,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "detail": detail,
                "event_id": event_id,
            }
        )

    def record_many(
        self, actor: Actor, action: str, entity: str, entries: Sequence[tuple[str, str]]
    ) -> None:
        """One entry per (entity id, detail as JSON text): a bulk use case's many changes."""
        self._flush_pending()
        at = t.utcnow()
        self._encoded += [
            (at, actor.user_id, actor.station_id, action, entity, entity_id, detail, None)
            for entity_id, detail in entries
        ]

    def flush(self) -> None:
        self._flush_pending()
        self._flush_encoded()

    def _flush_pending(self) -> None:
        if self._pending:
            t.copy_rows(self.session, t.AuditEntry, self._pending)
            self._pending = []

    def _flush_encoded(self) -> None:
        if self._encoded:
            t.copy_values(self.session, t.AuditEntry, _ENCODED, self._encoded)
            self._encoded = []

    def find(
        self,
        entity: str | None,
        entity_id: str | None,
        action: str | None,
        offset: int,
        limit: int,
    ) -> Page[AuditEntry]:
        self.flush()
        query = select(t.AuditEntry)
        if entity:
            query = query.where(col(t.AuditEntry.entity) == entity)
        if entity_id:
            query = query.where(col(t.AuditEntry.entity_id) == entity_id)
        if action:
            query = query.where(col(t.AuditEntry.action) == action)
        total = self.session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = self.session.exec(
            query.order_by(col(t.AuditEntry.id).desc()).offset(offset).limit(limit)
        )
        items = [
            AuditEntry(
                id=r.id or 0,
                at=_aware(r.at) or r.at,
                user_id=r.user_id,
                station_id=r.station_id,
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                detail=r.detail,
                event_id=r.event_id,
            )
            for r in rows
        ]
        return Page(items=items, total=total, offset=offset, limit=limit)
