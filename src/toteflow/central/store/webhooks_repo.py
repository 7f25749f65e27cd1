"""Webhook deliveries over SQLModel: queued in the transaction that caused them, then leased."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from toteflow.central.ports.shipping import DueDelivery
from toteflow.central.store import shipping_tables as st
from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.contracts import shipping as sh
from toteflow.contracts.common import Page


class SqlWebhookRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(self, rows: list[dict[str, Any]]) -> None:
        now = t.utcnow()
        t.insert_rows(
            self.session,
            st.WebhookDelivery,
            [
                {
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": "",
                    "created_at": now,
                    **row,
                }
                for row in rows
            ],
        )

    def claim_deliveries(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[DueDelivery]:
        d = t.cols(st.WebhookDelivery)
        # SKIP LOCKED: several server processes each take different deliveries; SQLite's
        # BEGIN IMMEDIATE serialises the claim instead.
        ids = list(
            self.session.execute(
                sa.select(d.id)
                .where(d.status == "pending", d.next_attempt_at <= now)
                .order_by(d.next_attempt_at, d.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if not ids:
            return []
        # The lease: until it runs out no other sender sees these as due; a sender that dies
        # mid-send leaves them to be retried after it.
        self.session.execute(
            sa.update(t.table(st.WebhookDelivery))
            .where(d.id.in_(ids))
            .values(next_attempt_at=lease_until, attempts=d.attempts + 1)
        )
        rows = self.session.execute(
            sa.select(d.id, d.url, d.event, d.body, d.attempts).where(d.id.in_(ids)).order_by(d.id)
        ).all()
        return [DueDelivery(r.id, r.url, r.event, r.body, r.attempts) for r in rows]

    def delivery_succeeded(self, delivery_id: int, status: int, now: datetime) -> None:
        d = t.cols(st.WebhookDelivery)
        self.session.execute(
            sa.update(t.table(st.WebhookDelivery))
            .where(d.id == delivery_id)
            .values(status="delivered", delivered_at=now, last_status=status, last_error="")
        )

    def delivery_failed(
        self, delivery_id: int, status: int | None, error: str, next_attempt_at: datetime
    ) -> None:
        d = t.cols(st.WebhookDelivery)
        self.session.execute(
            sa.update(t.table(st.WebhookDelivery))
            .where(d.id == delivery_id, d.status == "pending")
            .values(last_status=status, last_error=error[:300], next_attempt_at=next_attempt_at)
        )

    def deliveries(self, status: str | None, offset: int, limit: int) -> Page[sh.WebhookDelivery]:
        query = select(st.WebhookDelivery)
        if status:
            query = query.where(col(st.WebhookDelivery.status) == status)
        total = self.session.execute(
            sa.select(sa.func.count()).select_from(query.subquery())
        ).scalar_one()
        rows = self.session.exec(
            query.order_by(col(st.WebhookDelivery.id).desc()).offset(offset).limit(limit)
        ).all()
        return Page(items=[_delivery(r) for r in rows], total=total, offset=offset, limit=limit)

    def retry_delivery(self, delivery_id: int, now: datetime) -> sh.WebhookDelivery | None:
        d = t.cols(st.WebhookDelivery)
        self.session.execute(
            sa.update(t.table(st.WebhookDelivery))
            .where(d.id == delivery_id, d.status == "pending")
            .values(next_attempt_at=now)
        )
        row = self.session.get(st.WebhookDelivery, delivery_id, populate_existing=True)
        return _delivery(row) if row is not None else None


def _delivery(r: st.WebhookDelivery) -> sh.WebhookDelivery:
    return sh.WebhookDelivery(
        id=r.id or 0,
        event=r.event,
        entity_id=r.entity_id,
        url=r.url,
        status="delivered" if r.status == "delivered" else "pending",
        attempts=r.attempts,
        next_attempt_at=_aware(r.next_attempt_at) or r.next_attempt_at,
        last_status=r.last_status,
        last_error=r.last_error,
        created_at=_aware(r.created_at) or r.created_at,
        delivered_at=_aware(r.delivered_at),
    )
