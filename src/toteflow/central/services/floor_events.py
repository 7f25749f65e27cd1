"""Station events as floor commands: each type's payload checked at the edge, then planned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toteflow.contracts import sync
from toteflow.contracts.common import Id, Int, Quantity, Text40
from toteflow.domain.floor_batch import Command, MoveTask, Pick, SetTote, Short, Undo
from toteflow.domain.tasks import FloorRefusal, TaskStatus


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Line(_Payload):
    task_line_id: Id
    quantity: Quantity


class _Pick(_Line):
    # Units typed in rather than scanned; older stations send none.
    keyed: int = Field(0, ge=0, le=100_000)


class _Short(_Payload):
    task_line_id: Id
    missing: Quantity
    reason: str = Field("not_found", pattern=r"^[a-z_]{1,40}$")


class _Task(_Payload):
    task_id: Id


class _Tote(_Payload):
    task_id: Id
    slot: Int = Field(ge=1, le=999)
    tote: Text40
    destination: str = Field("", max_length=60)


def _pick(p: dict[str, Any]) -> Command:
    body = _Pick.model_validate(p)
    return Pick(body.task_line_id, body.quantity, min(body.keyed, body.quantity))


def _undo(p: dict[str, Any]) -> Command:
    body = _Line.model_validate(p)
    return Undo(body.task_line_id, body.quantity)


def _short(p: dict[str, Any]) -> Command:
    body = _Short.model_validate(p)
    return Short(body.task_line_id, body.missing, body.reason)


def _move(target: TaskStatus) -> Callable[[dict[str, Any]], Command]:
    def parse(p: dict[str, Any]) -> Command:
        return MoveTask(_Task.model_validate(p).task_id, target)

    return parse


def _tote(close: bool) -> Callable[[dict[str, Any]], Command]:
    def parse(p: dict[str, Any]) -> Command:
        body = _Tote.model_validate(p)
        return SetTote(
            body.task_id, body.slot, body.tote, (body.destination or "pack") if close else None
        )

    return parse


PARSERS: dict[str, Callable[[dict[str, Any]], Command]] = {
    "pick.confirmed": _pick,
    "pick.shorted": _short,
    "pick.undone": _undo,
    "task.started": _move(TaskStatus.IN_PROGRESS),
    "task.paused": _move(TaskStatus.PAUSED),
    "task.completed": _move(TaskStatus.DONE),
    "tote.assigned": _tote(close=False),
    "tote.closed": _tote(close=True),
}


def command(event: sync.Event) -> Command:
    """The floor command an event carries; FloorRefusal with a sentence when it carries none."""
    parse = PARSERS.get(event.type)
    if parse is None:
        raise FloorRefusal(f"this server does not know event type {event.type}: update the server")
    try:
        return parse(event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise FloorRefusal(f"{event.type} event is malformed: {field}: {first['msg']}") from None
