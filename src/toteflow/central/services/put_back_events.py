"""Put-back events on the server: units of a refused or cancelled pick back on a shelf, once."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.contracts import sync
from toteflow.contracts.common import Id, Quantity, Text40
from toteflow.domain.put_back import PUT_BACK, PutBack, plan
from toteflow.domain.tasks import FloorRefusal


class _PutBack(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # One of the two: the refused pick's event, or the server's exception for units picked
    # before their order was cancelled.
    refused_event: str | None = Field(default=None, min_length=1, max_length=36)
    exception_id: Id | None = None
    task_line_id: Id
    quantity: Quantity
    location: Text40


def handles(event_type: str) -> bool:
    return event_type == PUT_BACK


def command(event: sync.Event) -> PutBack:
    try:
        body = _PutBack.model_validate(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise FloorRefusal(f"{event.type} event is malformed: {field}: {first['msg']}") from None
    if (body.refused_event is None) == (body.exception_id is None):
        raise FloorRefusal(
            f"{event.type} event is malformed: name either refused_event or exception_id"
        )
    return PutBack(
        body.refused_event or "",
        body.task_line_id,
        body.quantity,
        body.location,
        exception_id=body.exception_id,
    )


def apply(
    uow: UnitOfWork, station_id: int, events: list[sync.Event]
) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
    """Apply each put-back in order, or refuse it alone; the refusal it answers is resolved.

    Exactly once: the push protocol applies each event once, and the refusal (or the
    cancelled pick's exception) it answers records the put-back, so a second put-back for
    the same units is refused. A cancelled pick's units may be put back from any station:
    the tote may have moved on from the one that picked them.
    """
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    for event in events:
        try:
            put = command(event)
            if put.exception_id is not None:
                refused = uow.put_backs.cancelled_pick(put.exception_id)
                if refused is None:
                    raise FloorRefusal(
                        f"there is no cancelled pick to put back under exception {put.exception_id}"
                    )
            else:
                refused = uow.put_backs.refused_pick(station_id, put.refused_event)
                if refused is None:
                    raise FloorRefusal(
                        f"this station has no refused event {put.refused_event} on the server"
                    )
            target = uow.put_backs.location_id(put.location)
            move = plan(put, refused, target_exists=target is not None)
        except FloorRefusal as refusal:
            reason = str(refusal)
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(event_exception("rejected_event", reason, station_id, event))
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        assert target is not None
        uow.put_backs.move(
            put.task_line_id,
            target,
            move.take_from_source,
            move.add_to_target,
            at=event.station_time,
            ref=f"event {event.id}",
        )
        words = f"{put.quantity} put back at {put.location}"
        uow.put_backs.resolve_refusal(
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
        audit_event(
            uow, station_id, event, event.type, {"seq": event.seq, "payload": event.payload}
        )
    return outcomes, exceptions
