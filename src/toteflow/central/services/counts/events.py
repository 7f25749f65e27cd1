"""`count.finished` events pushed by stations: each applied once, at the time it was counted."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.counts.common import CountPolicy, finish, open_count
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.contracts import counts as cc
from toteflow.contracts import sync
from toteflow.contracts.common import Id
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Refused, ServiceError
from toteflow.domain.roles import Role

COUNT_FINISHED = "count.finished"


class _Finished(BaseModel):
    model_config = ConfigDict(extra="ignore")

    count_id: Id
    items: list[cc.CountedItem] = Field(max_length=500)


def handles(event_type: str) -> bool:
    return event_type == COUNT_FINISHED


def apply(
    uow: UnitOfWork, station_id: int, events: list[sync.Event], policy: CountPolicy
) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
    """Apply each count in order, or refuse it alone as a floor exception.

    Exactly once: the push protocol applies each event once (and the count's event id is
    unique). The book is taken at the event's own time, when the counter finished, so a
    count finished offline and pushed later is compared with what the shelf held then.
    """
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    for event in events:
        # The station checked the person's role when they logged in there.
        actor = Actor(event.user_id, station_id, Role.COUNTER, "station event")
        try:
            body = _parse(event)
            with uow.savepoint():
                count = open_count(uow, actor, body.count_id)
                result = finish(
                    uow, actor, policy, count, body.items, event.station_time, str(event.id)
                )
        except ServiceError as refusal:
            reason = f"count not applied: {refusal}"
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(event_exception("count_refused", reason, station_id, event))
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        outcomes.append(EventOutcome(event, "applied", "", result))
    return outcomes, exceptions


def _parse(event: sync.Event) -> _Finished:
    try:
        return _Finished.model_validate(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise Refused(f"{event.type} event is malformed: {field}: {first['msg']}") from None
