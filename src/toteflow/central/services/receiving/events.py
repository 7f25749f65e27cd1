"""Receipt events pushed by stations: each applied once, or refused alone as a floor exception."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.central.services.receiving.cases import receive_case, receive_pallet
from toteflow.central.services.receiving.closing import close_line, finish
from toteflow.central.services.receiving.common import Receiver, announce
from toteflow.central.services.receiving.policy import ReceiptSettings
from toteflow.central.services.receiving.unlisted import receive_unlisted
from toteflow.contracts import receipts as r
from toteflow.contracts import sync
from toteflow.domain.actor import Actor
from toteflow.domain.errors import ServiceError
from toteflow.domain.roles import Role

# What one event did: its result, and the floor exception it raises (reason, detail) if any.
Done = tuple[dict[str, Any], dict[str, Any] | None]
Handler = Callable[[UnitOfWork, Receiver, Any, datetime], Done]


def _case(uow: UnitOfWork, who: Receiver, body: r.CaseReceived, at: datetime) -> Done:
    return receive_case(uow, who, body, at).model_dump(mode="json"), None


def _pallet(uow: UnitOfWork, who: Receiver, body: r.PalletReceived, at: datetime) -> Done:
    return receive_pallet(uow, who, body, at).model_dump(mode="json"), None


def _unlisted(uow: UnitOfWork, who: Receiver, body: r.NotOnNotice, at: datetime) -> Done:
    result, exception = receive_unlisted(uow, who, body, at)
    return result.model_dump(mode="json"), exception


def _closed(uow: UnitOfWork, who: Receiver, body: r.LineClosed, at: datetime) -> Done:
    return close_line(uow, who, body, at).model_dump(mode="json"), None


def _finished(uow: UnitOfWork, who: Receiver, body: r.Finished, at: datetime) -> Done:
    if body.notice is None:
        # A blind receipt's cases were applied one by one: no notice is left to confirm.
        return {"notice": None, "status": "blind receipt finished"}, None
    done = finish(uow, who, body.notice, at, by="station")
    return {"notice": done.notice, "status": done.status}, None


EVENTS: dict[str, tuple[type[BaseModel], Handler]] = {
    "receipt.case_received": (r.CaseReceived, _case),
    "receipt.pallet_received": (r.PalletReceived, _pallet),
    "receipt.not_on_notice": (r.NotOnNotice, _unlisted),
    "receipt.line_closed": (r.LineClosed, _closed),
    "receipt.finished": (r.Finished, _finished),
}


def handles(event_type: str) -> bool:
    return event_type in EVENTS


def apply(
    uow: UnitOfWork,
    station_id: int,
    events: list[sync.Event],
    settings: ReceiptSettings,
    at: datetime,
) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
    """Apply each receipt event in order, each in a savepoint of its own: a refused one
    (bad payload, case already counted, beyond the tolerance, ...) writes nothing and
    becomes a floor exception, and the events behind it still apply."""
    if not events:
        return [], []
    # Every notice named, locked up front in one order: two stations' pushes never wait on
    # each other in a circle, and a case counted on one is seen by the other.
    named = [e.payload.get("notice") for e in events]
    uow.receipts.lock_notices([x for x in named if isinstance(x, str)])
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    touched: set[str] = set()
    for event in events:
        # The station checked the person's role when they logged in there.
        actor = Actor(event.user_id, station_id, Role.RECEIVER, "station event")
        who = Receiver(actor, settings, station_id, str(event.id))
        model, handler = EVENTS[event.type]
        try:
            body = _parse(model, event)
            with uow.savepoint():
                result, raised = handler(uow, who, body, at)
        except ServiceError as refusal:
            reason = f"{event.type} not applied: {refusal}"
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(event_exception("rejected_receipt", reason, station_id, event))
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        outcomes.append(EventOutcome(event, "applied", "", result))
        notice = getattr(body, "notice", None)
        if isinstance(notice, str):
            touched.add(notice)
        if raised is not None:
            exceptions.append(
                event_exception(
                    "not_on_notice", raised["reason"], station_id, event, detail=raised["detail"]
                )
            )
    announce(uow, touched)
    return outcomes, exceptions


class _Malformed(ServiceError):
    pass


def _parse(model: type[BaseModel], event: sync.Event) -> Any:
    try:
        return model.model_validate(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "payload"
        raise _Malformed(f"the event is malformed: {field}: {first['msg']}") from None
