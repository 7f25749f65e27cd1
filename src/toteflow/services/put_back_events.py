"""Put-back events on the server: units of a refused pick back on a shelf, moved once."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toteflow.contracts import sync
from toteflow.domain.put_back import PUT_BACK, PutBack, plan
from toteflow.domain.tasks import FloorRefusal
from toteflow.services.actor import Actor
from toteflow.services.ports import EventOutcome, UnitOfWork


class _PutBack(BaseModel):
    model_config = ConfigDict(extra="ignore")

    refused_event: str = Field(min_length=1, max_length=36)
    task_line_id: int = Field(ge=1, le=2**62)
    quantity: int = Field(ge=1, le=100_000)
    location: str = Field(min_length=1, max_length=40)


def handles(event_type: str) -> bool:
    return event_type == PUT_BACK


def command(event: sync.Event) -> PutBack:
    try:
        body = _PutBack.model_validate(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise FloorRefusal(f"{event.type} event is malformed: {field}: {first['msg']}") from None
    return PutBack(body.refused_event, body.task_line_id, body.quantity, body.location)


def apply(
    uow: UnitOfWork, station_id: int, events: list[sync.Event]
) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
    """Apply each put-back in order, or refuse it alone; the refusal it answers is resolved.

    Exactly once: the push protocol applies each event once, and the refusal it answers
    records the put-back, so a second put-back for the same units is refused.
    """
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    for event in events:
        try:
            put = command(event)
            refused = uow.floor.refused_pick(station_id, put.refused_event)
            if refused is None:
                raise FloorRefusal(
                    f"this station has no refused event {put.refused_event} on the server"
                )
            target = uow.floor.location_id(put.location)
            move = plan(put, refused, target_exists=target is not None)
        except FloorRefusal as refusal:
            reason = str(refusal)
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(
                {
                    "kind": "rejected_event",
                    "reason": reason[:300],
                    "station_id": station_id,
                    "user_id": event.user_id,
                    "event_id": str(event.id),
                    "task_line_id": None,
                    "detail": {"type": event.type, "payload": event.payload},
                }
            )
            _audit(uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason})
            continue
        assert target is not None
        uow.floor.move_put_back(put.task_line_id, target, move.take_from_source, move.add_to_target)
        words = f"{put.quantity} put back at {put.location}"
        uow.floor.resolve_refusal(
            refused.exception_id,
            user_id=event.user_id,
            resolution=f"{words} (station {station_id})",
            put_back_by=str(event.id),
        )
        result: dict[str, Any] = {
            "location": put.location,
            "quantity": put.quantity,
            "moved_from": refused.source_location if move.add_to_target else "",
        }
        outcomes.append(EventOutcome(event, "applied", "", result))
        _audit(uow, station_id, event, event.type, {"seq": event.seq, "payload": event.payload})
    return outcomes, exceptions


def _audit(
    uow: UnitOfWork, station_id: int, event: sync.Event, action: str, detail: dict[str, Any]
) -> None:
    actor = Actor(event.user_id, station_id, None)
    uow.audit.record(actor, action, "event", str(event.id), detail, event_id=str(event.id))
