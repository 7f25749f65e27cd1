"""Tasks, station events and the change feed over SQLModel; stock moves by conditional UPDATE."""

from __future__ import annotations

from collections import defaultdict
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from toteflow.adapters.store import tables as t
from toteflow.adapters.store.people_repo import _aware
from toteflow.contracts import sync
from toteflow.contracts import tasks as tk
from toteflow.contracts.catalogue import ProductUnit
from toteflow.domain.tasks import LineState, TaskStatus
from toteflow.services.ports import StoredEvent


class SqlFloorRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    # station events ---------------------------------------------------------------------

    def lock_station_seq(self, station_id: int) -> int:
        # The row lock serialises two pushes from one station (a retry racing the original).
        value = self.session.execute(
            sa.select(t.cols(t.Station).last_seq)
            .where(t.cols(t.Station).id == station_id)
            .with_for_update()
        ).scalar_one()
        return int(value)

    def set_station_seq(self, station_id: int, seq: int) -> None:
        self.session.execute(
            sa.update(t.Station).where(col(t.Station.id) == station_id).values(last_seq=seq)
        )

    def stored_event(self, station_id: int, seq: int) -> StoredEvent | None:
        row = self.session.exec(
            select(t.AppliedEvent).where(
                col(t.AppliedEvent.station_id) == station_id, col(t.AppliedEvent.seq) == seq
            )
        ).first()
        if row is None:
            return None
        return StoredEvent(row.event_id, row.status, row.reason, dict(row.result))

    def store_event(
        self, station_id: int, event: sync.Event, status: str, reason: str, result: dict[str, Any]
    ) -> None:
        self.session.execute(
            sa.insert(t.AppliedEvent).values(
                event_id=str(event.id),
                station_id=station_id,
                seq=event.seq,
                type=event.type,
                user_id=event.user_id,
                status=status,
                reason=reason[:300],
                result=result,
                station_time=event.station_time,
                applied_at=t.utcnow(),
            )
        )

    def savepoint(self) -> AbstractContextManager[object]:
        return self.session.begin_nested()

    # task lines -------------------------------------------------------------------------

    def line_state(self, task_line_id: int, *, lock: bool = True) -> LineState | None:
        query = (
            sa.select(
                t.cols(t.Task).status.label("task_status"),
                t.cols(t.Order).reference,
                t.cols(t.Order).status.label("order_status"),
                t.cols(t.Location).code,
                t.cols(t.TaskLine).quantity,
                t.cols(t.TaskLine).picked,
                t.cols(t.TaskLine).shorted,
                t.cols(t.TaskLine).status.label("line_status"),
            )
            .select_from(t.TaskLine)
            .join(t.Task, col(t.Task.id) == col(t.TaskLine.task_id))
            .join(t.OrderLine, col(t.OrderLine.id) == col(t.TaskLine.order_line_id))
            .join(t.Order, col(t.Order.id) == col(t.OrderLine.order_id))
            .join(t.Location, col(t.Location.id) == col(t.TaskLine.location_id))
            .where(col(t.TaskLine.id) == task_line_id)
        )
        if lock:
            query = query.with_for_update(of=t.table(t.TaskLine))
        row = self.session.execute(query).first()
        if row is None:
            return None
        return LineState(
            task_status=TaskStatus(row.task_status),
            order_reference=row.reference,
            order_status=row.order_status,
            location=row.code,
            quantity=row.quantity,
            picked=row.picked,
            shorted=row.shorted,
            line_status=row.line_status,
        )

    def _line(self, task_line_id: int) -> sa.Row[Any]:
        return self.session.execute(
            sa.select(
                t.cols(t.TaskLine).task_id,
                t.cols(t.TaskLine).stock_id,
                t.cols(t.TaskLine).order_line_id,
                t.cols(t.OrderLine).order_id,
            )
            .join(t.OrderLine, col(t.OrderLine.id) == col(t.TaskLine.order_line_id))
            .where(col(t.TaskLine.id) == task_line_id)
        ).one()

    def line_task(self, task_line_id: int) -> tuple[int, int | None]:
        line = self._line(task_line_id)
        return int(line.task_id), int(line.order_id)

    def pick(self, task_line_id: int, quantity: int) -> bool:
        line = self._line(task_line_id)
        stock = t.cols(t.Stock)
        moved = self.session.execute(
            sa.update(t.Stock)
            .where(
                stock.id == line.stock_id, stock.reserved >= quantity, stock.quantity >= quantity
            )
            .values(quantity=stock.quantity - quantity, reserved=stock.reserved - quantity)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return False
        tl = t.cols(t.TaskLine)
        self.session.execute(
            sa.update(t.TaskLine)
            .where(tl.id == task_line_id)
            .values(
                picked=tl.picked + quantity,
                status=sa.case(
                    (tl.picked + tl.shorted + quantity >= tl.quantity, "picked"), else_=tl.status
                ),
            )
        )
        ol = t.cols(t.OrderLine)
        self.session.execute(
            sa.update(t.OrderLine)
            .where(ol.id == line.order_line_id)
            .values(picked=ol.picked + quantity)
        )
        self._order_progress(line.order_id)
        return True

    def short(self, task_line_id: int, missing: int) -> None:
        line = self._line(task_line_id)
        stock = t.cols(t.Stock)
        self.session.execute(
            sa.update(t.Stock)
            .where(stock.id == line.stock_id)
            .values(reserved=sa.func.max(0, stock.reserved - missing))
            if self.session.get_bind().dialect.name == "sqlite"
            else sa.update(t.Stock)
            .where(stock.id == line.stock_id)
            .values(reserved=sa.func.greatest(0, stock.reserved - missing))
        )
        tl = t.cols(t.TaskLine)
        self.session.execute(
            sa.update(t.TaskLine)
            .where(tl.id == task_line_id)
            .values(
                shorted=tl.shorted + missing,
                status=sa.case(
                    (tl.picked + tl.shorted + missing >= tl.quantity, "short"), else_=tl.status
                ),
            )
        )
        ol = t.cols(t.OrderLine)
        self.session.execute(
            sa.update(t.OrderLine)
            .where(ol.id == line.order_line_id)
            .values(allocated=sa.case((ol.allocated >= missing, ol.allocated - missing), else_=0))
        )
        self._order_progress(line.order_id)

    def undo_pick(self, task_line_id: int, quantity: int) -> None:
        line = self._line(task_line_id)
        stock = t.cols(t.Stock)
        # The units go back to the shelf still reserved for this line, to be picked again.
        self.session.execute(
            sa.update(t.Stock)
            .where(stock.id == line.stock_id)
            .values(quantity=stock.quantity + quantity, reserved=stock.reserved + quantity)
        )
        tl = t.cols(t.TaskLine)
        self.session.execute(
            sa.update(t.TaskLine)
            .where(tl.id == task_line_id)
            .values(picked=tl.picked - quantity, status="open")
        )
        ol = t.cols(t.OrderLine)
        self.session.execute(
            sa.update(t.OrderLine)
            .where(ol.id == line.order_line_id)
            .values(picked=ol.picked - quantity)
        )
        self._order_progress(line.order_id)

    def release_order_work(self, order_id: int) -> list[dict[str, Any]]:
        """Cancel the order's open task lines, freeing their reservations; what was picked."""
        tl, ol, stock = t.cols(t.TaskLine), t.cols(t.OrderLine), t.cols(t.Stock)
        lines = self.session.execute(
            sa.select(tl.id, tl.stock_id, tl.quantity, tl.picked, tl.shorted, tl.status, tl.task_id)
            .join(t.OrderLine, ol.id == tl.order_line_id)
            .where(ol.order_id == order_id)
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
                    {"task_id": line.task_id, "task_line_id": line.id, "picked": line.picked}
                )
        self.session.execute(
            sa.update(t.OrderLine).where(ol.order_id == order_id).values(allocated=ol.picked)
        )
        return picked

    def _order_progress(self, order_id: int) -> None:
        """Released -> picking at the first pick; -> picked when every task line is finished."""
        tl = t.cols(t.TaskLine)
        ol = t.cols(t.OrderLine)
        lines = self.session.execute(
            sa.select(tl.status, tl.picked)
            .join(t.OrderLine, ol.id == tl.order_line_id)
            .where(ol.order_id == order_id)
        ).all()
        picked_any = any(line.picked > 0 for line in lines)
        finished = bool(lines) and all(line.status != "open" for line in lines)
        target = "picked" if finished and picked_any else "picking" if picked_any else "released"
        orders = t.cols(t.Order)
        self.session.execute(
            sa.update(t.Order)
            .where(orders.id == order_id, orders.status.in_(("released", "picking", "picked")))
            .values(status=target, updated_at=t.utcnow())
        )

    # tasks ------------------------------------------------------------------------------

    def task_status(self, task_id: int, *, lock: bool = True) -> TaskStatus | None:
        query = sa.select(t.cols(t.Task).status).where(t.cols(t.Task).id == task_id)
        if lock:
            query = query.with_for_update()
        value = self.session.execute(query).scalar_one_or_none()
        return TaskStatus(value) if value else None

    def set_task_status(self, task_id: int, status: TaskStatus) -> None:
        task = t.cols(t.Task)
        self.session.execute(
            sa.update(t.Task)
            .where(task.id == task_id)
            .values(status=status.value, version=task.version + 1)
        )

    def set_tote(self, task_id: int, slot: int, tote: str, *, close: str | None) -> bool:
        values: dict[str, Any] = {"tote_code": tote}
        if close is not None:
            values.update(status="closed", destination=close)
        done = self.session.execute(
            sa.update(t.TaskContainer)
            .where(col(t.TaskContainer.task_id) == task_id, col(t.TaskContainer.slot) == slot)
            .values(**values)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

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

    def open_exception(
        self,
        kind: str,
        reason: str,
        *,
        station_id: int | None,
        user_id: int | None,
        event_id: str | None,
        task_line_id: int | None,
        detail: dict[str, Any],
    ) -> None:
        self.session.execute(
            sa.insert(t.FloorException).values(
                kind=kind,
                status="open",
                reason=reason[:300],
                station_id=station_id,
                user_id=user_id,
                event_id=event_id,
                task_line_id=task_line_id,
                detail=detail,
                created_at=t.utcnow(),
            )
        )
