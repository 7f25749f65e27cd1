"""Replenishers' station events: units taken from the source, placed on the face; each once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.replenishment import ReplenRow
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.central.services.replenishment.triggers import announce, view
from toteflow.contracts import sync
from toteflow.contracts.common import Code, Count, Id
from toteflow.contracts.putaway import PlateCode
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Refused, ServiceError
from toteflow.domain.replenishment import OPEN_STATUSES, ReplenStatus, choose_source
from toteflow.domain.roles import Permission, Role
from toteflow.domain.words import plural

TAKEN = "replenish.taken"
PLACED = "replenish.placed"
TYPES = (TAKEN, PLACED)
P = TypeVar("P", bound=BaseModel)


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    replenishment: Id
    quantity: Count


class _Taken(_Payload):
    source: Code
    plate: PlateCode | None = None


class _Placed(_Payload):
    location: Code


def handles(event_type: str) -> bool:
    return event_type in TYPES


class _Malformed(ServiceError):
    pass


def applier(
    today: Callable[[], date], clock: Callable[[], datetime], *, pickers: bool = False
) -> Callable[[UnitOfWork, int, list[sync.Event]], tuple[list[EventOutcome], list[dict[str, Any]]]]:
    """The push's planner of replenishers' events; `pickers`: [station] pickers_replenish."""

    def apply(
        uow: UnitOfWork, station_id: int, events: list[sync.Event]
    ) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
        return apply_events(uow, station_id, events, today(), clock(), pickers=pickers)

    return apply


def apply_events(
    uow: UnitOfWork,
    station_id: int,
    events: list[sync.Event],
    today: date,
    at: datetime,
    *,
    pickers: bool = False,
) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
    """Each step in order, in a savepoint of its own; a refusal is that event's alone."""
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    roles: dict[int | None, Role | None] = {}
    for event in events:
        if event.user_id not in roles:
            user = uow.people.get_user(event.user_id) if event.user_id is not None else None
            roles[event.user_id] = Role(user.role) if user is not None else None
        actor = Actor(event.user_id, station_id, roles[event.user_id], "station event")
        try:
            _may_replenish(actor, pickers)
            with uow.savepoint():
                if event.type == TAKEN:
                    result, short = _take(uow, actor, event, today)
                else:
                    result, short = _place(uow, actor, event, at), ""
        except ServiceError as refusal:
            reason = f"replenishment not applied: {refusal}"
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(event_exception("replenishment", reason, station_id, event))
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        if short:
            exceptions.append(event_exception("replenishment_short", short, station_id, event))
        audit_event(uow, station_id, event, event.type, {"payload": event.payload, **result})
        outcomes.append(EventOutcome(event, "applied", "", result))
    return outcomes, exceptions


def _may_replenish(actor: Actor, pickers: bool) -> None:
    # Pickers replenish only where the site lets them; the station hides F6 otherwise.
    if actor.role == Role.PICKER and not pickers:
        raise Refused("pickers do not replenish at this site ([station] pickers_replenish is off)")
    if actor.role != Role.PICKER:
        actor.require(Permission.REPLENISH)


def _open(uow: UnitOfWork, replen_id: int) -> ReplenRow:
    row = uow.replenishment.get(replen_id, lock=True)
    if row is None:
        raise Refused(f"no replenishment {replen_id}")
    if row.status not in OPEN_STATUSES:
        raise Refused(f"replenishment {replen_id} is {row.status}")
    return row


def _take(
    uow: UnitOfWork, actor: Actor, event: sync.Event, today: date
) -> tuple[dict[str, Any], str]:
    body = _parse(event, _Taken)
    row = _open(uow, body.replenishment)
    if row.status != ReplenStatus.OPEN:
        raise Refused(f"replenishment {row.id} was already taken from {row.source}")
    if body.source != row.source:
        raise Refused(f"replenishment {row.id} comes from {row.source}, not {body.source}")
    if body.plate is not None and row.plate is not None and body.plate != row.plate:
        raise Refused(f"replenishment {row.id} is plate {row.plate}, not {body.plate}")
    if body.quantity > row.quantity:
        raise Refused(
            f"replenishment {row.id} is {plural(row.quantity, 'unit')}, not {body.quantity}"
        )
    if body.quantity == 0:
        return _resource(uow, actor, row, today)
    uow.replenishment.take(row.id, actor.user_id, actor.station_id or 0, body.quantity)
    taken = uow.replenishment.get(row.id)
    assert taken is not None
    announce(uow, taken)
    short = ""
    if body.quantity < row.quantity:
        short = (
            f"{row.source} held {body.quantity} of {row.sku}, not {row.quantity}: replenishment "
            f"{row.id} brings {body.quantity} to {row.location}; check the stock at {row.source}"
        )
    return {"status": taken.status, "quantity": taken.quantity}, short


def _resource(
    uow: UnitOfWork, actor: Actor, row: ReplenRow, today: date
) -> tuple[dict[str, Any], str]:
    """Nothing at the source: another source by the same rules, or the supervisor's exception."""
    choice = choose_source(
        uow.replenishment.sources(row.product_id),
        row.quantity,
        fefo=row.expiry_tracked,
        today=today,
        face=row.location,
        skip=[row.source_stock_id],
    )
    short = f"nothing of {row.sku} at {row.source} for replenishment {row.id} of {row.location}"
    if choice is not None:
        plate_id = uow.replenishment.plate_id(choice.source.plate) if choice.whole_plate else None
        if uow.replenishment.resource(row.id, choice.source.stock_id, plate_id, choice.quantity):
            moved = uow.replenishment.get(row.id)
            assert moved is not None
            announce(uow, moved)
            text = f"{short}: re-sourced from {choice.source.location}; check {row.source}"
            return {"status": moved.status, "resourced": view(moved)}, text
    uow.replenishment.cancel(row.id)
    gone = uow.replenishment.get(row.id)
    assert gone is not None
    announce(uow, gone)
    return {"status": gone.status}, f"{short}, and no other source: cancelled"


def _place(uow: UnitOfWork, actor: Actor, event: sync.Event, at: datetime) -> dict[str, Any]:
    body = _parse(event, _Placed)
    row = _open(uow, body.replenishment)
    if row.status != ReplenStatus.TAKEN:
        raise Refused(f"replenishment {row.id} has not been taken from {row.source} yet")
    if body.location != row.location:
        raise Refused(f"replenishment {row.id} goes to {row.location}, not {body.location}")
    if body.quantity > row.quantity:
        raise Refused(
            f"{plural(row.quantity, 'unit')} were taken for replenishment {row.id}, "
            f"not {body.quantity}"
        )
    uow.replenishment.complete(row.id, body.quantity, _when(event.station_time, at))
    done = uow.replenishment.get(row.id)
    assert done is not None
    announce(uow, done)
    return {"status": done.status, "moved": done.moved, "location": done.location}


def _parse(event: sync.Event, model: type[P]) -> P:
    try:
        return model.model_validate(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise _Malformed(f"{event.type} event is malformed: {field}: {first['msg']}") from None


def _when(station_time: datetime, at: datetime) -> datetime:
    # When the units were physically placed (the station's clock), never after they arrived.
    if station_time.tzinfo is None:
        return at
    return min(station_time, at)
