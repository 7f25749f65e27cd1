"""Counts a push triggers: a location picked empty, a short pick or replenishment source, a
put-away conflict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from toteflow.central.ports.repos import UnitOfWork
from toteflow.domain.floor_batch import FloorBatch
from toteflow.domain.ledger import LedgerMove


def after_push(
    uow: UnitOfWork,
    batch: FloorBatch,
    moves: Sequence[LedgerMove],
    putaway_exceptions: Sequence[dict[str, Any]],
    replen_exceptions: Sequence[dict[str, Any]] = (),
) -> list[int]:
    """Open the counts these events call for; a location with a live count gets no second.

    Emptied: confirm the location really is empty. Short: the picker (or a replenisher at
    the source) found less than the book. A put-away refused (full, another SKU): what is
    there is not what the book says.
    """
    created: list[int] = []
    taken = sorted({m.stock_id for m in moves if m.delta < 0})
    emptied = uow.counts.emptied_locations(taken)
    created += uow.counts.open_counts(emptied, "empty", "picked empty")
    for note in batch.shorts:
        line = uow.counts.location_of_line(note.task_line_id)
        if line is not None:
            created += uow.counts.open_counts(
                [line], "short", f"short pick, task line {note.task_line_id}"
            )
    for exception in putaway_exceptions:
        if exception.get("kind") != "putaway_conflict":
            continue
        found = _event_location(uow, exception, "location")
        if found is not None:
            created += uow.counts.open_counts(
                [found], "putaway_conflict", f"put-away refused, event {exception['event_id']}"
            )
    for exception in replen_exceptions:
        if exception.get("kind") != "replenishment_short":
            continue
        found = _event_location(uow, exception, "source")
        if found is not None:
            created += uow.counts.open_counts(
                [found], "short", f"replenishment source short, event {exception['event_id']}"
            )
    return created


def _event_location(uow: UnitOfWork, exception: dict[str, Any], field: str) -> int | None:
    """The location the exception's event named in `field`, if there is one."""
    payload = exception.get("detail", {}).get("payload", {})
    code = payload.get(field) if isinstance(payload, dict) else None
    return uow.counts.location_id(code) if isinstance(code, str) else None
