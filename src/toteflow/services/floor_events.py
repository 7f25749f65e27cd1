"""What each station event does on the server; a refusal rolls its changes back alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toteflow.contracts import sync
from toteflow.domain.tasks import (
    FloorRefusal,
    TaskStatus,
    check_pick,
    check_short,
    check_undo,
    move_task,
)
from toteflow.services.ports import UnitOfWork


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PickPayload(_Payload):
    task_line_id: int = Field(ge=1)
    quantity: int = Field(ge=1, le=100_000)


class ShortPayload(_Payload):
    task_line_id: int = Field(ge=1)
    missing: int = Field(ge=1, le=100_000)
    reason: str = Field("not_found", max_length=40)


class TaskPayload(_Payload):
    task_id: int = Field(ge=1)


class TotePayload(_Payload):
    task_id: int = Field(ge=1)
    slot: int = Field(ge=1, le=999)
    tote: str = Field(min_length=1, max_length=40)
    destination: str = Field("", max_length=40)


Handler = Callable[[UnitOfWork, int, sync.Event], dict[str, Any]]


def _line(uow: UnitOfWork, task_line_id: int) -> Any:
    state = uow.floor.line_state(task_line_id)
    if state is None:
        raise FloorRefusal(f"there is no task line {task_line_id} on the server")
    return state


def pick_confirmed(uow: UnitOfWork, station_id: int, event: sync.Event) -> dict[str, Any]:
    body = PickPayload.model_validate(event.payload)
    state = _line(uow, body.task_line_id)
    check_pick(state, body.quantity)
    if not uow.floor.pick(body.task_line_id, body.quantity):
        raise FloorRefusal(
            f"the stock at {state.location} is no longer there to pick: "
            f"put the {body.quantity} back and tell a supervisor"
        )
    return {"task_line_id": body.task_line_id, "picked": state.picked + body.quantity}


def pick_shorted(uow: UnitOfWork, station_id: int, event: sync.Event) -> dict[str, Any]:
    body = ShortPayload.model_validate(event.payload)
    state = _line(uow, body.task_line_id)
    check_short(state, body.missing)
    uow.floor.short(body.task_line_id, body.missing)
    uow.floor.open_exception(
        "short",
        f"{body.missing} short at {state.location} for order {state.order_reference} "
        f"({body.reason.replace('_', ' ')})",
        station_id=station_id,
        user_id=event.user_id,
        event_id=str(event.id),
        task_line_id=body.task_line_id,
        detail={"missing": body.missing, "reason": body.reason},
    )
    return {"task_line_id": body.task_line_id, "shorted": state.shorted + body.missing}


def pick_undone(uow: UnitOfWork, station_id: int, event: sync.Event) -> dict[str, Any]:
    body = PickPayload.model_validate(event.payload)
    state = _line(uow, body.task_line_id)
    check_undo(state, body.quantity)
    uow.floor.undo_pick(body.task_line_id, body.quantity)
    return {"task_line_id": body.task_line_id, "picked": state.picked - body.quantity}


def _task_move(target: TaskStatus) -> Handler:
    def handle(uow: UnitOfWork, station_id: int, event: sync.Event) -> dict[str, Any]:
        body = TaskPayload.model_validate(event.payload)
        current = uow.floor.task_status(body.task_id)
        if current is None:
            raise FloorRefusal(f"there is no task {body.task_id} on the server")
        uow.floor.set_task_status(body.task_id, move_task(current, target))
        return {"task_id": body.task_id, "status": target.value}

    return handle


def _tote(close: bool) -> Handler:
    def handle(uow: UnitOfWork, station_id: int, event: sync.Event) -> dict[str, Any]:
        body = TotePayload.model_validate(event.payload)
        destination = body.destination or "pack" if close else None
        if not uow.floor.set_tote(body.task_id, body.slot, body.tote, close=destination):
            raise FloorRefusal(f"task {body.task_id} has no slot {body.slot}")
        return {"task_id": body.task_id, "slot": body.slot, "tote": body.tote}

    return handle


HANDLERS: dict[str, Handler] = {
    "pick.confirmed": pick_confirmed,
    "pick.shorted": pick_shorted,
    "pick.undone": pick_undone,
    "task.started": _task_move(TaskStatus.IN_PROGRESS),
    "task.paused": _task_move(TaskStatus.PAUSED),
    "task.completed": _task_move(TaskStatus.DONE),
    "tote.assigned": _tote(close=False),
    "tote.closed": _tote(close=True),
}


def apply(uow: UnitOfWork, station_id: int, event: sync.Event) -> dict[str, Any]:
    """Apply one event; raise FloorRefusal with a sentence when it cannot be."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        raise FloorRefusal(f"this server does not know event type {event.type}: update the server")
    try:
        return handler(uow, station_id, event)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise FloorRefusal(f"{event.type} event is malformed: {field}: {first['msg']}") from None
