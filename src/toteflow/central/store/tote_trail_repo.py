"""Every tote of an order as it is closed, and pick-and-pass: a tote handed to the next zone."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.store import tables as t
from toteflow.contracts import shipping as sh
from toteflow.domain.floor_batch import SetTote
from toteflow.domain.zone_pass import PACK, is_packing, next_zone, zone_words

_HELD = ("assigned", "in_progress", "paused")


class ToteTrail:
    """Writes `order_tote` rows and the next zone's arriving tote, inside a push."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def pass_totes(self, totes: Sequence[SetTote]) -> list[tuple[int, int]]:
        """Record each closed tote on its order and hand it to the order's next zone task.

        A tote taken into a slot that expected another arriving tote sends that one on to
        packing (the pack desk waits for both). Returns (task, station) for each next-zone
        task a station already holds, whose arriving tote changed: it is sent again.
        """
        told: list[tuple[int, int]] = []
        for tote in totes:
            slot = self._slot(tote.task_id, tote.slot)
            if slot is None:
                continue
            order_id, zone, arriving = slot
            if tote.close_to is None:
                if arriving:
                    self._taken(order_id, tote.task_id, arriving, tote.tote)
                continue
            destination = tote.close_to
            if next_zone(destination) is not None:
                after = self._next_task(tote.task_id)
                if after is None:
                    # The zones after this one have nothing left to pick: straight to packing.
                    destination = PACK
                else:
                    next_id, station_id = after
                    container = t.cols(t.TaskContainer)
                    self.session.execute(
                        sa.update(t.table(t.TaskContainer))
                        .where(container.task_id == next_id, container.slot == 1)
                        .values(arriving_tote=tote.tote, arriving_from=zone)
                    )
                    if station_id is not None:
                        told.append((next_id, station_id))
            self.session.execute(
                sa.insert(t.table(t.OrderTote)).values(
                    order_id=order_id,
                    tote_code=tote.tote,
                    task_id=tote.task_id,
                    slot=tote.slot,
                    zone=zone,
                    destination=destination,
                    taken_by_task_id=None,
                    closed_at=t.utcnow(),
                )
            )
        return told

    def _slot(self, task_id: int, slot: int) -> tuple[int, str | None, str | None] | None:
        container, task = t.cols(t.TaskContainer), t.cols(t.Task)
        row = self.session.execute(
            sa.select(container.order_id, task.zone, container.arriving_tote)
            .join(t.table(t.Task), task.id == container.task_id)
            .where(container.task_id == task_id, container.slot == slot)
        ).first()
        return (row.order_id, row.zone, row.arriving_tote) if row is not None else None

    def _next_task(self, task_id: int) -> tuple[int, int | None] | None:
        """The order's next zone task with work left (passing over cancelled ones), if any."""
        task = t.cols(t.Task)
        current = task_id
        while True:
            row = self.session.execute(
                sa.select(task.id, task.status, task.station_id).where(
                    task.after_task_id == current
                )
            ).first()
            if row is None:
                return None
            if row.status not in ("cancelled", "done"):
                return row.id, row.station_id if row.status in _HELD else None
            current = row.id

    def _taken(self, order_id: int, task_id: int, arriving: str, tote: str) -> None:
        trail = t.cols(t.OrderTote)
        waiting = sa.and_(
            trail.order_id == order_id,
            trail.taken_by_task_id.is_(None),
            trail.destination != PACK,
        )
        if tote == arriving:
            self.session.execute(
                sa.update(t.table(t.OrderTote))
                .where(waiting, trail.tote_code == tote)
                .values(taken_by_task_id=task_id)
            )
        else:
            # A new tote instead of the one that arrived: that one goes on to packing.
            self.session.execute(
                sa.update(t.table(t.OrderTote))
                .where(waiting, trail.tote_code == arriving)
                .values(destination=PACK)
            )


def order_trail(session: Session, order_id: int) -> tuple[list[sh.OrderTote], list[str]]:
    """Every tote of an order with where it is now, and the work on it not yet begun."""
    container, task, trail = t.cols(t.TaskContainer), t.cols(t.Task), t.cols(t.OrderTote)
    closed = session.execute(
        sa.select(
            trail.task_id, trail.slot, trail.tote_code, trail.destination, trail.taken_by_task_id
        )
        .where(trail.order_id == order_id)
        .order_by(trail.id)
    ).all()
    recorded = {(r.task_id, r.slot, r.tote_code) for r in closed}
    # A tote the next zone took on is where that zone's slot says.
    out = [_closed(r.tote_code, r.destination) for r in closed if r.taken_by_task_id is None]
    to_pick: list[str] = []
    rows = session.execute(
        sa.select(
            container.task_id,
            container.slot,
            container.tote_code,
            container.status,
            container.destination,
            task.status.label("task_status"),
            task.kind,
            task.zone,
        )
        .join(t.table(t.Task), task.id == container.task_id)
        .where(container.order_id == order_id, task.status != "cancelled")
        .order_by(container.task_id, container.slot)
    ).all()
    line = t.cols(t.TaskLine)
    open_slots = {
        (r.task_id, r.slot)
        for r in session.execute(
            sa.select(line.task_id, line.slot)
            .where(line.task_id.in_(sorted({r.task_id for r in rows})), line.status == "open")
            .distinct()
        )
    }
    for row in rows:
        where = zone_words(row.zone) if row.kind == "zone" else f"task {row.task_id}"
        if row.status == "closed":
            # Closed before totes were recorded on their orders: the slot says where it went.
            if row.tote_code and (row.task_id, row.slot, row.tote_code) not in recorded:
                out.append(_closed(row.tote_code, row.destination))
        elif row.task_status == "done" or (row.task_id, row.slot) not in open_slots:
            # Nothing left to pick into it: a tote left open by a finished task received
            # nothing, and one whose finish is still on its way is as good as closed.
            if row.tote_code and row.task_status != "done":
                out.append(_closed(row.tote_code, row.destination))
        elif row.tote_code:
            out.append(sh.OrderTote(tote=row.tote_code, state="picking", place=where))
        else:
            to_pick.append(where)
    unique = {(x.tote, x.state, x.place): x for x in out}
    return list(unique.values()), to_pick


def _closed(tote: str, destination: str) -> sh.OrderTote:
    if is_packing(destination):
        return sh.OrderTote(tote=tote, state="at_packing", place=PACK)
    return sh.OrderTote(tote=tote, state="travelling", place=destination)
