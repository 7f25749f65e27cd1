"""A station's push over SQLModel: its seq, the events it applied, the floor batch they write.

Stock moves by conditional UPDATE; the statements are built once (at the end of the module).
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.ports.floor import EventOutcome, StoredEvent
from toteflow.central.store import tables as t
from toteflow.central.store.tote_trail_repo import ToteTrail
from toteflow.domain.floor_batch import FloorBatch, SetTote, StockState
from toteflow.domain.tasks import LineState, TaskStatus
from toteflow.domain.zone_pass import is_packing


class SqlPushRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    # station events ---------------------------------------------------------------------

    def lock_station_seq(self, station_id: int, token_hash: str | None = None) -> int | None:
        # The row lock serialises two pushes from one station (a retry racing the original).
        values: dict[str, Any] = {"sid": station_id, "hash": token_hash}
        query = _station_seq(check_token=token_hash is not None)
        value = self.session.execute(query, values).scalar_one_or_none()
        return None if value is None else int(value)

    def set_station_seq(self, station_id: int, seq: int) -> None:
        self.session.execute(_set_station_seq(), {"sid": station_id, "seq": seq, "at": t.utcnow()})

    def stored_events(self, station_id: int, seqs: list[int]) -> dict[int, StoredEvent]:
        if not seqs:
            return {}
        ev = t.cols(t.AppliedEvent)
        rows = self.session.execute(
            sa.select(ev.seq, ev.event_id, ev.status, ev.reason, ev.result).where(
                ev.station_id == station_id, ev.seq.in_(seqs)
            )
        ).all()
        return {
            row.seq: StoredEvent(row.event_id, row.status, row.reason, dict(row.result))
            for row in rows
        }

    def store_events(self, station_id: int, outcomes: list[EventOutcome]) -> None:
        if not outcomes:
            return
        now = t.utcnow()
        t.copy_rows(
            self.session,
            t.AppliedEvent,
            [
                {
                    "event_id": str(o.event.id),
                    "station_id": station_id,
                    "seq": o.event.seq,
                    "type": o.event.type,
                    "user_id": o.event.user_id,
                    "status": o.status,
                    "reason": o.reason[:300],
                    "result": o.result,
                    "station_time": o.event.station_time,
                    "applied_at": now,
                }
                for o in outcomes
            ],
        )

    # batches of floor events ------------------------------------------------------------

    def load_batch(self, task_line_ids: set[int], task_ids: set[int]) -> FloorBatch:
        lines: dict[int, LineState] = {}
        stock_state: dict[int, StockState] = {}
        if task_line_ids:
            # Lock the lines and the stock rows they reserved: between this read and the
            # writes at the end nothing else can change what the planner decided on.
            rows = self.session.execute(_batch_lines(), {"ids": list(task_line_ids)}).all()
            for row in rows:
                lines[row.id] = LineState(
                    task_line_id=row.id,
                    task_id=row.task_id,
                    order_id=row.order_id,
                    order_line_id=row.order_line_id,
                    stock_id=row.stock_id,
                    task_status=TaskStatus(row.task_status),
                    order_reference=row.reference,
                    order_status=row.order_status,
                    location=row.code,
                    quantity=row.quantity,
                    picked=row.picked,
                    shorted=row.shorted,
                    line_status=row.line_status,
                )
                stock_state[row.stock_id] = StockState(row.stock_quantity, row.stock_reserved)
        tasks: dict[int, TaskStatus] = {}
        slots: set[tuple[int, int]] = set()
        locked = task_ids | {line.task_id for line in lines.values()}
        if locked:
            for task_id, status in self.session.execute(_batch_tasks(), {"ids": list(locked)}):
                tasks[task_id] = TaskStatus(status)
        if task_ids:
            # Only a tote event looks at slots, and it names its task: a batch of picks
            # saves the round trip.
            container = t.cols(t.TaskContainer)
            slots = {
                (row.task_id, row.slot)
                for row in self.session.execute(
                    sa.select(container.task_id, container.slot).where(
                        container.task_id.in_(task_ids)
                    )
                )
            }
        return FloorBatch(lines=lines, stock=stock_state, tasks=tasks, slots=slots)

    def write_batch(self, batch: FloorBatch) -> None:
        stock_rows = [
            {"sid": sid, "dq": dq, "dr": dr}
            for sid, (dq, dr) in batch.stock_deltas.items()
            if dq or dr
        ]
        if stock_rows:
            self.session.execute(_stock_deltas(), stock_rows)
        line_rows = [
            {
                "lid": line_id,
                "p": batch.lines[line_id].picked,
                "s": batch.lines[line_id].shorted,
                "st": batch.lines[line_id].line_status,
            }
            for line_id in sorted(batch.touched_lines)
        ]
        if line_rows:
            # Absolute values are safe: the rows were locked when the batch read them.
            self.session.execute(_line_progress(), line_rows)
        if batch.keyed:
            tl = t.cols(t.TaskLine)
            self.session.execute(
                sa.update(t.table(t.TaskLine))
                .where(tl.id == sa.bindparam("lid"))
                .values(keyed=tl.keyed + sa.bindparam("k")),
                [{"lid": lid, "k": k} for lid, k in sorted(batch.keyed.items())],
            )
        order_line_rows = [
            {"olid": olid, "dp": dp, "da": da}
            for olid, (dp, da) in batch.order_line_deltas.items()
            if dp or da
        ]
        if order_line_rows:
            self.session.execute(_order_line_deltas(), order_line_rows)
        if batch.task_moves:
            task = t.cols(t.Task)
            self.session.execute(
                sa.update(t.table(t.Task))
                .where(task.id == sa.bindparam("tid"))
                .values(status=sa.bindparam("st"), version=task.version + 1),
                [{"tid": tid, "st": st.value} for tid, st in batch.task_moves.items()],
            )
            finished = [tid for tid, st in batch.task_moves.items() if st == TaskStatus.DONE]
            if finished:
                self._finish_waves(finished)
        container = t.cols(t.TaskContainer)
        for tote in batch.totes:
            values: dict[str, Any] = {"tote_code": tote.tote}
            if tote.close_to is not None:
                # A zone's tote closed full goes to packing; the slot keeps its next zone for
                # the tote that takes its place.
                planned = sa.case(
                    (container.destination.like("zone:%"), container.destination),
                    else_=tote.close_to,
                )
                values.update(
                    status="closed",
                    destination=planned if is_packing(tote.close_to) else tote.close_to,
                )
            self.session.execute(
                sa.update(t.table(t.TaskContainer))
                .where(container.task_id == tote.task_id, container.slot == tote.slot)
                .values(**values)
            )
        if batch.touched_orders:
            self._orders_progress(batch.touched_orders)

    def pass_totes(self, totes: list[SetTote]) -> list[tuple[int, int]]:
        # Only pushes that set totes pay for it: a batch of picks touches none.
        return ToteTrail(self.session).pass_totes(totes) if totes else []

    def _finish_waves(self, task_ids: list[int]) -> None:
        """Waves of these just-finished tasks whose every task is now done (or cancelled).

        The waves are locked first, in id order: two pushes finishing a wave's last two tasks
        at once then check one after the other, and the second sees the first's task done.
        """
        task, wave = t.cols(t.Task), t.cols(t.Wave)
        live = ("released", "on_hold")
        wave_ids = list(
            self.session.execute(
                sa.select(wave.id)
                .where(
                    wave.id.in_(sa.select(task.wave_id).where(task.id.in_(task_ids))),
                    wave.status.in_(live),
                )
                .order_by(wave.id)
                .with_for_update()
            ).scalars()
        )
        if not wave_ids:
            return
        other = t.table(t.Task).alias("other_task")
        self.session.execute(
            sa.update(t.table(t.Wave))
            .where(
                wave.id.in_(wave_ids),
                wave.status.in_(live),
                ~sa.exists().where(
                    other.c.wave_id == wave.id, other.c.status.not_in(("done", "cancelled"))
                ),
            )
            .values(status="done")
        )

    def _orders_progress(self, order_ids: set[int]) -> None:
        """Released -> picking at the first pick; -> picked when every task line is finished."""
        self.session.execute(
            orders_progress_statement(), {"ids": list(order_ids), "at": t.utcnow()}
        )


# The push path's statements, built once: building one and computing its cache key again per
# execution costs more Python time than the database spends running most of them.


@functools.cache
def _station_seq(check_token: bool) -> Any:
    station = t.cols(t.Station)
    query = sa.select(station.last_seq).where(station.id == sa.bindparam("sid")).with_for_update()
    if check_token:
        query = query.where(station.token_hash == sa.bindparam("hash"), station.active.is_(True))
    return query


@functools.cache
def _set_station_seq() -> Any:
    station = t.cols(t.Station)
    return (
        sa.update(t.table(t.Station))
        .where(station.id == sa.bindparam("sid"))
        .values(last_seq=sa.bindparam("seq"), last_seen_at=sa.bindparam("at"))
    )


@functools.cache
def _batch_lines() -> Any:
    """The batch's task lines with what the planner checks; locks them and their stock rows."""
    tl, task, ol, order, loc, stock = (
        t.cols(t.TaskLine),
        t.cols(t.Task),
        t.cols(t.OrderLine),
        t.cols(t.Order),
        t.cols(t.Location),
        t.cols(t.Stock),
    )
    return (
        sa.select(
            tl.id,
            tl.task_id,
            tl.order_line_id,
            tl.stock_id,
            tl.quantity,
            tl.picked,
            tl.shorted,
            tl.status.label("line_status"),
            task.status.label("task_status"),
            ol.order_id,
            order.reference,
            order.status.label("order_status"),
            loc.code,
            stock.quantity.label("stock_quantity"),
            stock.reserved.label("stock_reserved"),
        )
        .select_from(t.table(t.TaskLine))
        .join(t.table(t.Task), task.id == tl.task_id)
        .join(t.table(t.OrderLine), ol.id == tl.order_line_id)
        .join(t.table(t.Order), order.id == ol.order_id)
        .join(t.table(t.Location), loc.id == tl.location_id)
        .join(t.table(t.Stock), stock.id == tl.stock_id)
        .where(tl.id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(tl.id)
        .with_for_update(of=[t.table(t.TaskLine), t.table(t.Stock)])
    )


@functools.cache
def _batch_tasks() -> Any:
    task = t.cols(t.Task)
    return (
        sa.select(task.id, task.status)
        .where(task.id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(task.id)
        .with_for_update()
    )


@functools.cache
def _stock_deltas() -> Any:
    stock = t.cols(t.Stock)
    return (
        sa.update(t.table(t.Stock))
        .where(stock.id == sa.bindparam("sid"))
        .values(
            quantity=stock.quantity + sa.bindparam("dq"),
            reserved=stock.reserved + sa.bindparam("dr"),
        )
    )


@functools.cache
def _line_progress() -> Any:
    tl = t.cols(t.TaskLine)
    return (
        sa.update(t.table(t.TaskLine))
        .where(tl.id == sa.bindparam("lid"))
        .values(picked=sa.bindparam("p"), shorted=sa.bindparam("s"), status=sa.bindparam("st"))
    )


@functools.cache
def _order_line_deltas() -> Any:
    ol = t.cols(t.OrderLine)
    return (
        sa.update(t.table(t.OrderLine))
        .where(ol.id == sa.bindparam("olid"))
        .values(picked=ol.picked + sa.bindparam("dp"), allocated=ol.allocated + sa.bindparam("da"))
    )


@functools.cache
def orders_progress_statement() -> Any:
    """Each order's status from its lines' totals: one UPDATE ... FROM, no round trip to read."""
    tl, ol, orders = t.cols(t.TaskLine), t.cols(t.OrderLine), t.cols(t.Order)
    totals = (
        sa.select(
            ol.order_id,
            sa.func.sum(tl.picked).label("picked"),
            sa.func.sum(sa.case((tl.status == "open", 1), else_=0)).label("open_lines"),
        )
        .join(t.table(t.OrderLine), ol.id == tl.order_line_id)
        .where(ol.order_id.in_(sa.bindparam("ids", expanding=True)))
        .group_by(ol.order_id)
        .subquery()
    )
    picked_any = sa.func.coalesce(totals.c.picked, 0) > 0
    return (
        sa.update(t.table(t.Order))
        .where(
            orders.id == totals.c.order_id,
            orders.status.in_(("released", "picking", "picked")),
        )
        .values(
            status=sa.case(
                (sa.and_(picked_any, totals.c.open_lines == 0), "picked"),
                (picked_any, "picking"),
                else_="released",
            ),
            updated_at=sa.bindparam("at"),
        )
    )
