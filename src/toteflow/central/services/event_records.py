"""What a push writes for each station event: its audit row, and the exception of a refusal."""

from __future__ import annotations

from typing import Any

from toteflow.central.ports.repos import UnitOfWork
from toteflow.contracts import sync
from toteflow.domain.actor import Actor


def audit_event(
    uow: UnitOfWork, station_id: int, event: sync.Event, action: str, detail: dict[str, Any]
) -> None:
    """The event's audit row, by the person and the station that recorded it."""
    actor = Actor(event.user_id, station_id, None)
    uow.audit.record(actor, action, "event", str(event.id), detail, event_id=str(event.id))


def event_exception(
    kind: str,
    reason: str,
    station_id: int,
    event: sync.Event,
    *,
    task_line_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A floor exception about the event, for the supervisor (reason cut to the column)."""
    return {
        "kind": kind,
        "reason": reason[:300],
        "station_id": station_id,
        "user_id": event.user_id,
        "event_id": str(event.id),
        "task_line_id": task_line_id,
        "detail": detail or {"type": event.type, "payload": event.payload},
    }
