"""Station sync on the server: apply pushed events exactly once, serve the change feed."""

from __future__ import annotations

from toteflow.contracts import sync
from toteflow.contracts.people import Station
from toteflow.domain.tasks import FloorRefusal
from toteflow.services import floor_events
from toteflow.services.actor import Actor
from toteflow.services.errors import Forbidden
from toteflow.services.ports import UnitOfWork, UnitOfWorkFactory


class SyncService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def push(self, station: Station, request: sync.PushRequest) -> sync.PushResponse:
        """Apply events in order; already-applied ones get their stored answer again."""
        if request.station_id != station.id:
            raise Forbidden(f"this token belongs to station {station.id}, not {request.station_id}")
        results: list[sync.EventResult] = []
        with self.uow() as uow:
            last = uow.floor.lock_station_seq(station.id)
            gap = False
            for event in request.events:
                if event.seq <= last:
                    results.append(_replay(uow, station.id, event))
                elif event.seq == last + 1:
                    results.append(_apply(uow, station.id, event))
                    last = event.seq
                else:
                    gap = True
                    break
            uow.floor.set_station_seq(station.id, last)
            uow.commit()
        return sync.PushResponse(results=results, last_seq=last, gap=gap)

    def changes(self, station: Station, since: int, limit: int) -> sync.ChangesPage:
        with self.uow() as uow:
            changes = uow.floor.changes_since(station.id, since, limit + 1)
        more = len(changes) > limit
        changes = changes[:limit]
        cursor = changes[-1].seq if changes else since
        return sync.ChangesPage(changes=changes, cursor=cursor, more=more)


def _replay(uow: UnitOfWork, station_id: int, event: sync.Event) -> sync.EventResult:
    stored = uow.floor.stored_event(station_id, event.seq)
    if stored is None or stored.event_id != str(event.id):
        return sync.EventResult(
            id=event.id,
            seq=event.seq,
            status="rejected",
            reason="sequence number reused by another event: re-register this station",
        )
    return sync.EventResult(
        id=event.id,
        seq=event.seq,
        status="duplicate",
        reason=stored.reason,
        result={**stored.result, "outcome": stored.status},
    )


def _apply(uow: UnitOfWork, station_id: int, event: sync.Event) -> sync.EventResult:
    actor = Actor(event.user_id, station_id, None)
    try:
        with uow.floor.savepoint():
            result = floor_events.apply(uow, station_id, event)
    except FloorRefusal as refusal:
        reason = str(refusal)
        uow.floor.store_event(station_id, event, "rejected", reason, {})
        uow.floor.open_exception(
            "rejected_event",
            reason,
            station_id=station_id,
            user_id=event.user_id,
            event_id=str(event.id),
            task_line_id=event.payload.get("task_line_id")
            if isinstance(event.payload.get("task_line_id"), int)
            else None,
            detail={"type": event.type, "payload": event.payload},
        )
        uow.audit.record(
            actor, "event.rejected", "event", str(event.id), {"type": event.type, "reason": reason}
        )
        return sync.EventResult(id=event.id, seq=event.seq, status="rejected", reason=reason)
    uow.floor.store_event(station_id, event, "applied", "", result)
    uow.audit.record(
        actor,
        event.type,
        "event",
        str(event.id),
        {
            "seq": event.seq,
            "payload": event.payload,
            "station_time": event.station_time.isoformat(),
        },
        event_id=str(event.id),
    )
    return sync.EventResult(id=event.id, seq=event.seq, status="applied", result=result)
