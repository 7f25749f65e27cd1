"""Pick task states and the rules a floor event must pass before it changes anything."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TaskStatus(StrEnum):
    READY = "ready"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


_NEXT: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.READY: frozenset({TaskStatus.ASSIGNED, TaskStatus.CANCELLED}),
    TaskStatus.ASSIGNED: frozenset(
        {TaskStatus.IN_PROGRESS, TaskStatus.READY, TaskStatus.CANCELLED, TaskStatus.DONE}
    ),
    TaskStatus.IN_PROGRESS: frozenset(
        {TaskStatus.PAUSED, TaskStatus.DONE, TaskStatus.READY, TaskStatus.CANCELLED}
    ),
    TaskStatus.PAUSED: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.READY, TaskStatus.CANCELLED}),
    TaskStatus.DONE: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}

# Events that carry picks are accepted while the task is being worked, including after a
# pause or a late completion sent from an offline station: the units are in the tote.
WORKABLE = frozenset({TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.PAUSED})


class FloorRefusal(Exception):
    """A floor event cannot be applied; str() tells the person what to do instead."""


def move_task(current: TaskStatus, target: TaskStatus) -> TaskStatus:
    if current == target:
        return current  # a repeated start or pause changes nothing
    if target not in _NEXT[current]:
        raise FloorRefusal(f"a task that is {current.value} cannot become {target.value}")
    return target


@dataclass(frozen=True)
class LineState:
    """What the server knows of a task line (and the stock row it reserved) for a floor event."""

    task_line_id: int
    task_id: int
    order_id: int
    order_line_id: int
    stock_id: int
    task_status: TaskStatus
    order_reference: str
    order_status: str
    location: str
    quantity: int
    picked: int
    shorted: int
    line_status: str

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.picked - self.shorted


def check_pick(line: LineState, quantity: int) -> None:
    """Refuse a pick that the order, the task or the line no longer allows."""
    if line.order_status == "cancelled":
        raise FloorRefusal(
            f"order {line.order_reference} was cancelled: "
            f"put the {quantity} unit{'s' if quantity != 1 else ''} back at {line.location}"
        )
    if line.order_status == "on_hold":
        raise FloorRefusal(
            f"order {line.order_reference} is on hold: "
            f"put the {quantity} unit{'s' if quantity != 1 else ''} back at {line.location}"
        )
    if line.task_status not in WORKABLE:
        raise FloorRefusal(f"the task is {line.task_status.value}: its lines cannot be picked")
    if line.line_status == "cancelled":
        raise FloorRefusal(
            f"this line of order {line.order_reference} was cancelled: "
            f"put the units back at {line.location}"
        )
    if quantity > line.open_quantity:
        raise FloorRefusal(
            f"only {line.open_quantity} left to pick on this line, not {quantity}: "
            f"put {quantity - line.open_quantity} back at {line.location}"
        )


def check_short(line: LineState, missing: int) -> None:
    if line.task_status not in WORKABLE:
        raise FloorRefusal(f"the task is {line.task_status.value}: its lines cannot be shorted")
    if missing > line.open_quantity:
        raise FloorRefusal(f"only {line.open_quantity} left on this line, cannot short {missing}")


def check_undo(line: LineState, quantity: int) -> None:
    if quantity > line.picked:
        raise FloorRefusal(f"only {line.picked} picked on this line, cannot undo {quantity}")
