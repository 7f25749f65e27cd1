"""Station-side picking rules: what a floor action may do to a task line, task or tote slot."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.words import plural

# The statuses a station may still pick, short or undo in (the server accepts the same: a
# paused task's units are already in the tote, and an offline station sends them late).
WORKABLE = frozenset({"assigned", "in_progress", "paused"})
SHORT_REASONS = frozenset({"empty", "damaged", "not_found"})

# The task moves a station makes; the server's table in domain.tasks has the same edges.
_TASK_MOVES: dict[str, frozenset[str]] = {
    "assigned": frozenset({"in_progress", "done"}),
    "in_progress": frozenset({"paused", "done"}),
    "paused": frozenset({"in_progress"}),
}

_VERBS = {"in_progress": "started", "paused": "paused", "done": "completed"}


class PickRefused(Exception):
    """A floor action is not allowed now; str() tells the picker what to do instead."""


def _units(n: int) -> str:
    return plural(n, "unit")


@dataclass(frozen=True)
class LineProgress:
    """A task line as the station holds it: how much is asked, picked and shorted."""

    quantity: int
    picked: int
    shorted: int
    status: str  # open / picked / short / cancelled
    location: str = ""
    task_status: str = "in_progress"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.picked - self.shorted


def line_status(quantity: int, picked: int, shorted: int) -> str:
    """open while units are left; else picked, or short when any unit was not found."""
    if picked + shorted < quantity:
        return "open"
    return "short" if shorted else "picked"


def _check_workable(line: LineProgress, what: str) -> None:
    if line.task_status not in WORKABLE:
        raise PickRefused(f"the task is {line.task_status.replace('_', ' ')}: {what}")


def confirm(line: LineProgress, quantity: int) -> LineProgress:
    """`quantity` more units taken from the line's location into the tote."""
    if quantity < 1:
        raise PickRefused("a pick is at least one unit")
    _check_workable(line, "its lines cannot be picked")
    if line.status == "cancelled":
        raise PickRefused(f"this line was cancelled: put the units back at {line.location}")
    if quantity > line.open_quantity:
        raise PickRefused(
            f"only {line.open_quantity} left to pick here, not {quantity}: "
            f"put {_units(quantity - line.open_quantity)} back at {line.location}"
        )
    picked = line.picked + quantity
    return _with(line, picked=picked, shorted=line.shorted)


def short(line: LineProgress, reason: str) -> tuple[LineProgress, int]:
    """Report every unit still open as missing; returns the new state and how many."""
    if reason not in SHORT_REASONS:
        raise PickRefused(f"a short is {', '.join(sorted(SHORT_REASONS))}, not {reason!r}")
    _check_workable(line, "its lines cannot be shorted")
    if line.status == "cancelled":
        raise PickRefused("this line was cancelled: there is nothing to short")
    missing = line.open_quantity
    if missing < 1:
        raise PickRefused("nothing is left to pick on this line: there is nothing to short")
    return _with(line, picked=line.picked, shorted=line.shorted + missing), missing


def undo(line: LineProgress, quantity: int) -> LineProgress:
    """Take back `quantity` picked units (the compensating move: they go back on the shelf)."""
    if quantity < 1:
        raise PickRefused("an undo is at least one unit")
    _check_workable(line, "its picks cannot be undone")
    if quantity > line.picked:
        raise PickRefused(f"only {line.picked} picked on this line, cannot undo {quantity}")
    return _with(line, picked=line.picked - quantity, shorted=line.shorted)


def _with(line: LineProgress, *, picked: int, shorted: int) -> LineProgress:
    status = (
        "cancelled" if line.status == "cancelled" else line_status(line.quantity, picked, shorted)
    )
    return LineProgress(line.quantity, picked, shorted, status, line.location, line.task_status)


def move_task(current: str, target: str, *, open_lines: int = 0) -> str:
    """The task's next status; completing needs every line picked, shorted or cancelled."""
    if current == target:
        return current  # a repeated start or pause changes nothing
    if target not in _TASK_MOVES.get(current, frozenset()):
        verb = _VERBS.get(target, target)
        raise PickRefused(f"a task that is {current.replace('_', ' ')} cannot be {verb}")
    if target == "done" and open_lines:
        raise PickRefused(
            f"{plural(open_lines, 'line')} still open: pick or short "
            f"{'them' if open_lines != 1 else 'it'} first"
        )
    return target


def assign_tote(
    slot_status: str, slot_tote: str | None, tote: str, tote_elsewhere: int | None
) -> None:
    """Refuse a tote for a slot that is closed, already holds another, or is in another slot."""
    if slot_status == "closed":
        raise PickRefused("this slot's tote is closed: it cannot take another")
    if slot_tote not in (None, "", tote):
        raise PickRefused(f"this slot already holds tote {slot_tote}: close it first")
    if tote_elsewhere is not None:
        raise PickRefused(f"tote {tote} is already in slot {tote_elsewhere}")


def close_tote(slot_status: str, slot_tote: str | None, tote: str) -> None:
    if slot_status == "closed":
        raise PickRefused(f"tote {tote} is already closed")
    if not slot_tote:
        raise PickRefused("this slot has no tote yet: scan a tote first")
    if slot_tote != tote:
        raise PickRefused(f"this slot holds tote {slot_tote}, not {tote}")
