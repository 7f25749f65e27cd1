"""`putaway.confirmed` events pushed by stations: each applied once, a conflict an exception."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.central.services.putaway.confirm import Confirmation, confirm_in
from toteflow.contracts import putaway as pa
from toteflow.contracts import sync
from toteflow.contracts.common import Code, Quantity
from toteflow.domain.actor import Actor
from toteflow.domain.errors import ServiceError
from toteflow.domain.roles import Role

PUTAWAY_CONFIRMED = "putaway.confirmed"


class _Confirmed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    plate: pa.PlateCode
    location: Code
    quantity: Quantity | None = None
    reason: pa.ElsewhereReason | None = None


def handles(event_type: str) -> bool:
    return event_type == PUTAWAY_CONFIRMED


def apply(
    uow: UnitOfWork, station_id: int, events: list[sync.Event], at: datetime
) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
    """Apply each confirmation in order, or refuse it alone as a floor exception.

    Exactly once: the push protocol applies each event once, and the plate's remaining
    units only go down by a conditional update. A location found full or holding another
    SKU when the event arrives is refused, never overfilled: the supervisor sees it.
    """
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    for event in events:
        # The station checked the person's role when they logged in there.
        actor = Actor(event.user_id, station_id, Role.PICKER, "station event")
        try:
            body = _parse(event)
            # A savepoint of its own: a refusal found after a write undoes this event alone.
            with uow.savepoint():
                done = confirm_in(
                    uow,
                    actor,
                    Confirmation(
                        body.plate, body.location, body.quantity, body.reason, str(event.id)
                    ),
                    at,
                    done_at=_when(event.station_time, at),
                )
        except ServiceError as refusal:
            reason = f"put-away not applied: {refusal}"
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(event_exception("putaway_conflict", reason, station_id, event))
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        result = {
            "plate": done.plate.code,
            "location": done.location,
            "quantity": done.quantity,
            "status": done.plate.status,
            "cross_dock_order": done.cross_dock_order,
            "fallback": done.fallback,
        }
        if done.fallback:
            # The receiver left units at packing for an order that no longer takes them
            # (or not all): someone must bring them back to a put-away.
            exceptions.append(
                event_exception(
                    "cross_dock_fallback", f"put-away: {done.fallback}", station_id, event
                )
            )
        outcomes.append(EventOutcome(event, "applied", "", result))
    return outcomes, exceptions


def _when(station_time: datetime, at: datetime) -> datetime:
    # The station's clock says when it was done; never later than its arrival here, and
    # a time without a zone cannot be compared: then the arrival.
    if station_time.tzinfo is None:
        return at
    return min(station_time, at)


class _Malformed(ServiceError):
    pass


def _parse(event: sync.Event) -> _Confirmed:
    try:
        return _Confirmed.model_validate(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise _Malformed(f"{event.type} event is malformed: {field}: {first['msg']}") from None
