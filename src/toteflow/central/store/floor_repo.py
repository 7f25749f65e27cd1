"""Tasks, station events and the change feed over SQLModel; stock moves by conditional UPDATE."""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from toteflow.central.ports.repos import EventOutcome, StoredEvent
from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.contracts import sync
from toteflow.contracts import tasks as tk
from toteflow.contracts.catalogue import ProductUnit
from toteflow.domain.floor_batch import FloorBatch, StockState
from toteflow.domain.put_back import CANCELLED_PICK, PUTS_BACK, RefusedPick
from toteflow.domain.tasks import LineState, TaskStatus


class SqlFloorRepo:
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
                values.update(status="closed", destination=tote.close_to)
            self.session.execute(
                sa.update(t.table(t.TaskContainer))
                .where(container.task_id == tote.task_id, container.slot == tote.slot)
                .values(**values)
            )
        if batch.touched_orders:
            self._orders_progress(batch.touched_orders)

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

    def release_order_work(self, order_id: int) -> list[dict[str, Any]]:
        """Cancel the order's open task lines, freeing their reservations; what was picked.

        Each picked line comes with what a put-back names: the task's station and picker,
        the product, the shelf it was picked from and the tote it went into.
        """
        tl, ol, stock = t.cols(t.TaskLine), t.cols(t.OrderLine), t.cols(t.Stock)
        task, loc, prod, box = (
            t.cols(t.Task),
            t.cols(t.Location),
            t.cols(t.Product),
            t.cols(t.TaskContainer),
        )
        lines = self.session.execute(
            sa.select(
                tl.id,
                tl.stock_id,
                tl.quantity,
                tl.picked,
                tl.shorted,
                tl.status,
                tl.task_id,
                task.station_id,
                task.user_id,
                loc.code,
                prod.sku,
                box.tote_code,
            )
            .join(t.OrderLine, ol.id == tl.order_line_id)
            .join(t.table(t.Task), task.id == tl.task_id)
            .join(t.table(t.Location), loc.id == tl.location_id)
            .join(t.table(t.Product), prod.id == tl.product_id)
            .outerjoin(
                t.table(t.TaskContainer), sa.and_(box.task_id == tl.task_id, box.slot == tl.slot)
            )
            .where(ol.order_id == order_id)
            .order_by(tl.id)
            .with_for_update(of=t.table(t.TaskLine))
        ).all()
        picked = []
        for line in lines:
            if line.status == "open":
                still_reserved = line.quantity - line.picked - line.shorted
                self.session.execute(
                    sa.update(t.Stock)
                    .where(stock.id == line.stock_id, stock.reserved >= still_reserved)
                    .values(reserved=stock.reserved - still_reserved)
                )
                self.session.execute(
                    sa.update(t.TaskLine).where(tl.id == line.id).values(status="cancelled")
                )
            if line.picked:
                picked.append(
                    {
                        "task_id": line.task_id,
                        "task_line_id": line.id,
                        "picked": line.picked,
                        "station_id": line.station_id,
                        "user_id": line.user_id,
                        "sku": line.sku,
                        "location": line.code,
                        "tote": line.tote_code or "",
                    }
                )
        self.session.execute(
            sa.update(t.OrderLine).where(ol.order_id == order_id).values(allocated=ol.picked)
        )
        return picked

    def open_exception(self, row: dict[str, Any]) -> int:
        fe = t.cols(t.FloorException)
        created = self.session.execute(
            sa.insert(t.table(t.FloorException))
            .values(status="open", created_at=t.utcnow(), **row)
            .returning(fe.id)
        ).scalar_one()
        return int(created)

    def _orders_progress(self, order_ids: set[int]) -> None:
        """Released -> picking at the first pick; -> picked when every task line is finished."""
        self.session.execute(_orders_progress(), {"ids": list(order_ids), "at": t.utcnow()})

    # tasks ------------------------------------------------------------------------------

    def next_ready_task(self) -> int | None:
        task = t.cols(t.Task)
        # SKIP LOCKED: concurrent callers each get a different task instead of queueing on one.
        # SQLite renders no FOR UPDATE; there BEGIN IMMEDIATE already serialises callers.
        value = self.session.execute(
            sa.select(task.id)
            .where(task.status == "ready")
            .order_by(task.priority, task.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def assign_task(self, task_id: int, user_id: int, station_id: int, at: datetime) -> None:
        task = t.cols(t.Task)
        self.session.execute(
            sa.update(t.Task)
            .where(task.id == task_id)
            .values(
                status="assigned",
                user_id=user_id,
                station_id=station_id,
                assigned_at=at,
                version=task.version + 1,
            )
        )

    def task(self, task_id: int) -> tk.Task | None:
        row = self.session.execute(
            sa.select(t.Task, t.cols(t.Wave).name)
            .outerjoin(t.Wave, col(t.Wave.id) == col(t.Task.wave_id))
            .where(col(t.Task.id) == task_id)
            .execution_options(populate_existing=True)
        ).first()
        if row is None:
            return None
        task, wave = row
        return tk.Task(
            id=task_id,
            wave=wave,
            kind=task.kind,
            zone=task.zone,
            status=task.status,
            cart=task.cart_code,
            slots=task.slots,
            distance_m=task.distance_m,
            user_id=task.user_id,
            station_id=task.station_id,
            assigned_at=_aware(task.assigned_at),
            lines=self._task_lines(task_id),
            containers=self._containers(task_id),
        )

    def _task_lines(self, task_id: int) -> list[tk.TaskLine]:
        tl, loc, zone, prod, order = (
            t.cols(t.TaskLine),
            t.cols(t.Location),
            t.cols(t.Zone),
            t.cols(t.Product),
            t.cols(t.Order),
        )
        rows = self.session.execute(
            sa.select(
                tl,
                loc.code,
                loc.aisle,
                loc.bay,
                loc.level,
                zone.name.label("zone_name"),
                prod.sku,
                prod.description,
                prod.lot_tracked,
                prod.expiry_tracked,
                prod.lot_substitution,
                order.reference,
            )
            .select_from(t.TaskLine)
            .join(t.Location, loc.id == tl.location_id)
            .outerjoin(t.Zone, zone.id == loc.zone_id)
            .join(t.Product, prod.id == tl.product_id)
            .join(t.OrderLine, t.cols(t.OrderLine).id == tl.order_line_id)
            .join(t.Order, order.id == t.cols(t.OrderLine).order_id)
            .where(tl.task_id == task_id)
            .order_by(tl.stop_no, tl.id)
        ).all()
        units: dict[int, list[ProductUnit]] = defaultdict(list)
        for unit in self.session.exec(
            select(t.ProductUnit).where(
                col(t.ProductUnit.product_id).in_({row.product_id for row in rows})
            )
        ):
            units[unit.product_id].append(ProductUnit.model_validate(unit, from_attributes=True))
        return [
            tk.TaskLine(
                id=row.id,
                stop_no=row.stop_no,
                location=row.code,
                zone=row.zone_name,
                aisle=row.aisle,
                bay=row.bay,
                level=row.level,
                sku=row.sku,
                description=row.description,
                units=units[row.product_id],
                lot_tracked=row.lot_tracked,
                expiry_tracked=row.expiry_tracked,
                lot_substitution=row.lot_substitution,
                lot=row.lot,
                expiry=row.expiry,
                quantity=row.quantity,
                picked=row.picked,
                shorted=row.shorted,
                slot=row.slot,
                order_reference=row.reference,
                status=row.status,
            )
            for row in rows
        ]

    def _containers(self, task_id: int) -> list[tk.TaskContainer]:
        rows = self.session.execute(
            sa.select(t.TaskContainer, t.cols(t.Order).reference)
            .join(t.Order, col(t.Order.id) == col(t.TaskContainer.order_id))
            .where(col(t.TaskContainer.task_id) == task_id)
            .order_by(col(t.TaskContainer.slot))
            .execution_options(populate_existing=True)
        ).all()
        return [
            tk.TaskContainer(
                slot=container.slot,
                order_reference=reference,
                tote=container.tote_code,
                status=container.status,
                destination=container.destination,
            )
            for container, reference in rows
        ]

    # change feed ------------------------------------------------------------------------

    def add_change(
        self,
        kind: str,
        entity: str,
        entity_id: str,
        payload: dict[str, Any],
        station_id: int | None = None,
    ) -> int:
        clock = t.cols(t.FeedClock)
        # Taking the counter row's lock orders the feed by commit: a change numbered lower can
        # never become visible after a higher one, so a station's cursor never skips one.
        seq = self.session.execute(
            sa.update(t.FeedClock)
            .where(clock.id == 1)
            .values(value=clock.value + 1)
            .returning(clock.value)
        ).scalar_one()
        self.session.execute(
            sa.insert(t.Change).values(
                seq=seq,
                at=datetime.now(UTC),
                kind=kind,
                entity=entity,
                entity_id=entity_id,
                station_id=station_id,
                payload=payload,
            )
        )
        return int(seq)

    def changes_since(self, station_id: int, since: int, limit: int) -> list[sync.Change]:
        change = t.cols(t.Change)
        rows = self.session.execute(
            sa.select(change.seq, change.kind, change.entity, change.entity_id, change.payload)
            .where(
                change.seq > since,
                sa.or_(change.station_id.is_(None), change.station_id == station_id),
            )
            .order_by(change.seq)
            .limit(limit)
        ).all()
        return [
            sync.Change(
                seq=row.seq,
                kind=row.kind,
                entity=row.entity,
                entity_id=row.entity_id,
                payload=row.payload,
            )
            for row in rows
        ]

    def open_exceptions(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            now = t.utcnow()
            t.insert_rows(
                self.session,
                t.FloorException,
                [{"status": "open", "created_at": now, **row} for row in rows],
            )

    # put-backs of refused picks ----------------------------------------------------------

    def refused_pick(self, station_id: int, event_id: str) -> RefusedPick | None:
        fe = t.cols(t.FloorException)
        row = self.session.execute(
            sa.select(fe.id, fe.detail)
            .where(
                fe.station_id == station_id,
                fe.event_id == event_id,
                fe.kind == "rejected_event",
            )
            .order_by(fe.id)
            .limit(1)
            .with_for_update()
        ).first()
        if row is None:
            return None
        detail = dict(row.detail or {})
        payload = detail.get("payload") or {}
        line_id = payload.get("task_line_id")
        quantity = payload.get("quantity")
        source = None
        if isinstance(line_id, int):
            tl, loc, stock = t.cols(t.TaskLine), t.cols(t.Location), t.cols(t.Stock)
            source = self.session.execute(
                sa.select(loc.code, stock.quantity, stock.reserved)
                .select_from(t.table(t.TaskLine))
                .join(t.table(t.Stock), stock.id == tl.stock_id)
                .join(t.table(t.Location), loc.id == stock.location_id)
                .where(tl.id == line_id)
                .with_for_update(of=t.table(t.Stock))
            ).first()
        return RefusedPick(
            exception_id=row.id,
            event_type=str(detail.get("type", "")),
            task_line_id=line_id if source is not None else None,
            quantity=quantity if isinstance(quantity, int) else 0,
            put_back_by=str(detail.get("put_back_by", "")),
            source_location=source.code if source is not None else "",
            source_quantity=source.quantity if source is not None else 0,
            source_reserved=source.reserved if source is not None else 0,
        )

    def cancelled_pick(self, exception_id: int) -> RefusedPick | None:
        fe = t.cols(t.FloorException)
        row = self.session.execute(
            sa.select(fe.id, fe.task_line_id, fe.detail)
            .where(fe.id == exception_id, fe.kind == CANCELLED_PICK)
            .with_for_update()
        ).first()
        if row is None:
            return None
        detail = dict(row.detail or {})
        quantity = detail.get("quantity")
        return RefusedPick(
            exception_id=row.id,
            event_type=PUTS_BACK,
            task_line_id=row.task_line_id,
            quantity=quantity if isinstance(quantity, int) else 0,
            put_back_by=str(detail.get("put_back_by", "")),
            source_location=str(detail.get("location", "")),
            source_quantity=0,
            source_reserved=0,
            off_the_books=True,
        )

    def location_id(self, code: str) -> int | None:
        loc = t.cols(t.Location)
        found = self.session.execute(sa.select(loc.id).where(loc.code == code)).scalar()
        return int(found) if found is not None else None

    def move_put_back(self, task_line_id: int, location_id: int, take: int, add: int) -> None:
        tl, stock = t.cols(t.TaskLine), t.cols(t.Stock)
        source = self.session.execute(
            sa.select(stock.id, stock.product_id, stock.lot, stock.expiry)
            .join(t.table(t.TaskLine), tl.stock_id == stock.id)
            .where(tl.id == task_line_id)
        ).one()
        if take:
            # Locked by refused_pick; the planner kept `take` within what is not reserved.
            self.session.execute(
                sa.update(t.table(t.Stock))
                .where(stock.id == source.id)
                .values(quantity=stock.quantity - take)
            )
        if not add:
            return
        same_expiry = (
            stock.expiry.is_(None) if source.expiry is None else stock.expiry == source.expiry
        )
        target = self.session.execute(
            sa.select(stock.id)
            .where(
                stock.location_id == location_id,
                stock.product_id == source.product_id,
                stock.lot == source.lot,
                same_expiry,
            )
            .with_for_update()
        ).scalar()
        if target is None:
            t.insert_rows(
                self.session,
                t.Stock,
                [
                    {
                        "location_id": location_id,
                        "product_id": source.product_id,
                        "lot": source.lot,
                        "expiry": source.expiry,
                        "received_on": t.utcnow().date(),
                        "quantity": add,
                        "reserved": 0,
                        "version": 0,
                    }
                ],
            )
        else:
            self.session.execute(
                sa.update(t.table(t.Stock))
                .where(stock.id == target)
                .values(quantity=stock.quantity + add)
            )

    def resolve_refusal(
        self, exception_id: int, *, user_id: int | None, resolution: str, put_back_by: str
    ) -> None:
        fe = t.cols(t.FloorException)
        row = self.session.execute(
            sa.select(fe.status, fe.detail, fe.resolution).where(fe.id == exception_id)
        ).one()
        values: dict[str, Any] = {"detail": {**dict(row.detail or {}), "put_back_by": put_back_by}}
        if row.status == "open":
            values.update(
                status="resolved",
                resolved_at=t.utcnow(),
                resolved_by=user_id,
                resolution=resolution[:300],
            )
        else:
            # A supervisor closed it first: the stock still moved, and the record says so.
            values["resolution"] = f"{row.resolution}; then {resolution}"[:300]
        self.session.execute(
            sa.update(t.table(t.FloorException)).where(fe.id == exception_id).values(**values)
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
def _orders_progress() -> Any:
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
