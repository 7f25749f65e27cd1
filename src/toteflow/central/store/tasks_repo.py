"""Pick tasks over SQLModel: handing them out, reading them, freeing a cancelled order's work."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.contracts import tasks as tk
from toteflow.contracts.catalogue import ProductUnit


class SqlTaskRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next_ready(self) -> int | None:
        task, tl = t.cols(t.Task), t.cols(t.TaskLine)
        before = t.table(t.Task).alias("before_task")
        # Pick-and-pass: a zone task waits until the order's zone before it is done (its tote
        # is on the way) or cancelled. A task with no open line (every line cancelled) is
        # never handed out: there is nothing to walk to.
        arrived = sa.or_(
            task.after_task_id.is_(None),
            sa.exists().where(
                before.c.id == task.after_task_id, before.c.status.in_(("done", "cancelled"))
            ),
        )
        has_work = sa.exists().where(tl.task_id == task.id, tl.status == "open")
        # SKIP LOCKED: concurrent callers each get a different task instead of queueing on one.
        # SQLite renders no FOR UPDATE; there BEGIN IMMEDIATE already serialises callers.
        value = self.session.execute(
            sa.select(task.id)
            .where(task.status == "ready", arrived, has_work)
            .order_by(task.priority, task.id)
            .limit(1)
            .with_for_update(of=t.table(t.Task), skip_locked=True)
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def assign(self, task_id: int, user_id: int, station_id: int, at: datetime) -> None:
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

    def get(self, task_id: int) -> tk.Task | None:
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
                arriving_tote=container.arriving_tote,
                arriving_from=container.arriving_from,
            )
            for container, reference in rows
        ]

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
        self._cancel_emptied({line.task_id for line in lines})
        return picked

    def _cancel_emptied(self, task_ids: set[int]) -> None:
        """Tasks no one holds that are left with nothing to pick and nothing picked: cancelled.

        Otherwise a task whose every line was cancelled stays ready, to be handed out empty.
        A task someone holds is left to its station, which the change feed tells.
        """
        if not task_ids:
            return
        task, tl = t.cols(t.Task), t.cols(t.TaskLine)
        busy = (
            sa.select(tl.id)
            .where(tl.task_id == task.id, sa.or_(tl.status == "open", tl.picked > 0))
            .exists()
        )
        self.session.execute(
            sa.update(t.table(t.Task))
            .where(
                task.id.in_(sorted(task_ids)),
                task.status.in_(("ready", "paused")),
                task.user_id.is_(None),
                ~busy,
            )
            .values(status="cancelled", version=task.version + 1)
        )
