"""`stock.moved_by_hand` events pushed by stations: each applied once, a refusal an exception."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.central.services.stock_moves import HandMove, move_in
from toteflow.contracts import stock as st
from toteflow.contracts import sync
from toteflow.domain.actor import Actor
from toteflow.domain.errors import ServiceError


def handles(event_type: str) -> bool:
    return event_type == st.STOCK_MOVED_BY_HAND


def apply(
    uow: UnitOfWork, station_id: int, events: list[sync.Event], at: datetime
) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
    """Apply each move in order, or refuse it alone as a `stock_move_refused` exception.

    Exactly once: the push protocol applies each event once (a replay gets its stored
    answer), and the move's units only leave the source by a conditional update, so stock
    taken meanwhile (a pick, a count) is never taken twice.
    """
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    for event in events:
        try:
            actor = _mover(uow, station_id, event)
            body = _parse(event)
            # A savepoint of its own: a refusal found after a write undoes this event alone.
            with uow.savepoint():
                done = move_in(uow, actor, HandMove.of(body, str(event.id), event.station_time), at)
        except ServiceError as refusal:
            reason = f"stock move not applied: {refusal}"
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(event_exception("stock_move_refused", reason, station_id, event))
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        outcomes.append(EventOutcome(event, "applied", "", done.model_dump(mode="json")))
    return outcomes, exceptions


class _Malformed(ServiceError):
    pass


def _mover(uow: UnitOfWork, station_id: int, event: sync.Event) -> Actor:
    """Who moved it, with their role now: a move by someone whose role may not (a packer, a
    role taken away since) is refused like any other."""
    user = uow.people.get_user(event.user_id) if event.user_id is not None else None
    if user is None:
        raise _Malformed("the event names no person: a move by hand is someone's")
    return Actor(user.id, station_id, user.role, "station event")


def _parse(event: sync.Event) -> st.MoveRequest:
    try:
        # Fields a newer station adds are left aside, as for the other event types.
        known = {k: v for k, v in event.payload.items() if k in st.MoveRequest.model_fields}
        return st.MoveRequest.model_validate(known)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise _Malformed(f"{event.type} event is malformed: {field}: {first['msg']}") from None
