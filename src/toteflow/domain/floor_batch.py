"""Plan a batch of floor events in memory: each is checked, then applied, or refused alone."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from toteflow.domain.containers import ToteRegistry
from toteflow.domain.tasks import (
    FloorRefusal,
    LineState,
    TaskStatus,
    check_pick,
    check_short,
    check_undo,
    move_task,
)


@dataclass(frozen=True)
class Pick:
    task_line_id: int
    quantity: int


@dataclass(frozen=True)
class Short:
    task_line_id: int
    missing: int
    reason: str


@dataclass(frozen=True)
class Undo:
    task_line_id: int
    quantity: int


@dataclass(frozen=True)
class MoveTask:
    task_id: int
    target: TaskStatus


@dataclass(frozen=True)
class SetTote:
    task_id: int
    slot: int
    tote: str
    close_to: str | None  # a destination when the tote is closed


Command = Pick | Short | Undo | MoveTask | SetTote


@dataclass
class StockState:
    quantity: int
    reserved: int


@dataclass(frozen=True)
class ShortNote:
    task_line_id: int
    missing: int
    reason: str
    text: str


@dataclass
class FloorBatch:
    """The state a batch may touch, loaded and locked up front; deltas to write at the end."""

    lines: dict[int, LineState]
    stock: dict[int, StockState]
    tasks: dict[int, TaskStatus]
    slots: set[tuple[int, int]]
    stock_deltas: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    order_line_deltas: dict[int, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    touched_lines: set[int] = field(default_factory=set)
    touched_orders: set[int] = field(default_factory=set)
    task_moves: dict[int, TaskStatus] = field(default_factory=dict)
    totes: list[SetTote] = field(default_factory=list)
    shorts: list[ShortNote] = field(default_factory=list)
    # The totes the batch names, when the server keeps their life cycle: a tote event that
    # would put a tote in use into another slot is refused like any other floor event.
    registry: ToteRegistry | None = None

    def apply(self, command: Command) -> dict[str, Any]:
        """Apply a command in memory, or raise FloorRefusal having changed nothing."""
        if isinstance(command, Pick):
            return self._pick(command)
        if isinstance(command, Short):
            return self._short(command)
        if isinstance(command, Undo):
            return self._undo(command)
        if isinstance(command, MoveTask):
            return self._move(command)
        return self._tote(command)

    def _line(self, task_line_id: int) -> LineState:
        line = self.lines.get(task_line_id)
        if line is None:
            raise FloorRefusal(f"there is no task line {task_line_id} on the server")
        # Task moves earlier in the batch count: a line of a task completed just before is closed.
        status = self.tasks.get(line.task_id, line.task_status)
        return line if status == line.task_status else replace(line, task_status=status)

    def _pick(self, pick: Pick) -> dict[str, Any]:
        line = self._line(pick.task_line_id)
        check_pick(line, pick.quantity)
        stock = self.stock[line.stock_id]
        if stock.reserved < pick.quantity or stock.quantity < pick.quantity:
            raise FloorRefusal(
                f"the stock at {line.location} is no longer there to pick: "
                f"put the {pick.quantity} back and tell a supervisor"
            )
        stock.quantity -= pick.quantity
        stock.reserved -= pick.quantity
        self._stock(line.stock_id, -pick.quantity, -pick.quantity)
        picked = line.picked + pick.quantity
        done = picked + line.shorted >= line.quantity
        self._update(line, picked=picked, line_status="picked" if done else line.line_status)
        self.order_line_deltas[line.order_line_id][0] += pick.quantity
        return {"task_line_id": line.task_line_id, "picked": picked}

    def _short(self, short: Short) -> dict[str, Any]:
        line = self._line(short.task_line_id)
        check_short(line, short.missing)
        stock = self.stock[line.stock_id]
        released = min(short.missing, stock.reserved)
        stock.reserved -= released
        self._stock(line.stock_id, 0, -released)
        shorted = line.shorted + short.missing
        done = line.picked + shorted >= line.quantity
        self._update(line, shorted=shorted, line_status="short" if done else line.line_status)
        self.order_line_deltas[line.order_line_id][1] -= short.missing
        self.shorts.append(
            ShortNote(
                line.task_line_id,
                short.missing,
                short.reason,
                f"{short.missing} short at {line.location} for order {line.order_reference} "
                f"({short.reason.replace('_', ' ')})",
            )
        )
        return {"task_line_id": line.task_line_id, "shorted": shorted}

    def _undo(self, undo: Undo) -> dict[str, Any]:
        line = self._line(undo.task_line_id)
        check_undo(line, undo.quantity)
        stock = self.stock[line.stock_id]
        # The units go back to the shelf still reserved for this line, to be picked again.
        stock.quantity += undo.quantity
        stock.reserved += undo.quantity
        self._stock(line.stock_id, undo.quantity, undo.quantity)
        picked = line.picked - undo.quantity
        self._update(line, picked=picked, line_status="open")
        self.order_line_deltas[line.order_line_id][0] -= undo.quantity
        return {"task_line_id": line.task_line_id, "picked": picked}

    def _move(self, move: MoveTask) -> dict[str, Any]:
        current = self.tasks.get(move.task_id)
        if current is None:
            raise FloorRefusal(f"there is no task {move.task_id} on the server")
        self.tasks[move.task_id] = self.task_moves[move.task_id] = move_task(current, move.target)
        return {"task_id": move.task_id, "status": move.target.value}

    def _tote(self, tote: SetTote) -> dict[str, Any]:
        if (tote.task_id, tote.slot) not in self.slots:
            raise FloorRefusal(f"task {tote.task_id} has no slot {tote.slot}")
        if self.registry is not None:
            if tote.close_to is None:
                self.registry.assign(tote.task_id, tote.slot, tote.tote)
            else:
                self.registry.close(tote.task_id, tote.slot, tote.tote, tote.close_to)
        self.totes.append(tote)
        return {"task_id": tote.task_id, "slot": tote.slot, "tote": tote.tote}

    def _stock(self, stock_id: int, quantity: int, reserved: int) -> None:
        delta = self.stock_deltas[stock_id]
        delta[0] += quantity
        delta[1] += reserved

    def _update(self, line: LineState, **changes: Any) -> None:
        self.lines[line.task_line_id] = replace(self.lines[line.task_line_id], **changes)
        self.touched_lines.add(line.task_line_id)
        self.touched_orders.add(line.order_id)
