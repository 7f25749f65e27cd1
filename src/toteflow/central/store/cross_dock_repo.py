"""Cross-docked units given to their backordered order line over SQLModel, as a wave's pick."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.ports.cross_dock import CrossDocked, LockedLine
from toteflow.central.store import tables as t
from toteflow.central.store.push_repo import orders_progress_statement
from toteflow.central.store.set_based import rowcount
from toteflow.central.store.stock_ledger import record_moves
from toteflow.domain.cross_dock import BackorderedLine
from toteflow.domain.errors import Conflict
from toteflow.domain.ledger import LedgerMove
from toteflow.domain.orders import OrderStatus
from toteflow.domain.zone_pass import PACK


class SqlCrossDockRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_line(self, order_line_id: int) -> LockedLine | None:
        ln, o = t.cols(t.OrderLine), t.cols(t.Order)
        order = self.session.execute(
            sa.select(o.id, o.reference, o.status, o.priority)
            .where(o.id == sa.select(ln.order_id).where(ln.id == order_line_id).scalar_subquery())
            .with_for_update(of=t.table(t.Order))
        ).first()
        if order is None:
            return None
        line = self.session.execute(
            sa.select(ln.line_no, ln.product_id, ln.quantity, ln.allocated)
            .where(ln.id == order_line_id)
            .with_for_update(of=t.table(t.OrderLine))
        ).first()
        if line is None:  # pragma: no cover - a line of a locked order is not deleted
            return None
        task, box = t.cols(t.Task), t.cols(t.TaskContainer)
        wave_id = self.session.execute(
            sa.select(sa.func.max(task.wave_id))
            .join(t.table(t.TaskContainer), box.task_id == task.id)
            .where(box.order_id == order.id)
        ).scalar()
        return LockedLine(
            order_id=order.id,
            order_line_id=order_line_id,
            product_id=line.product_id,
            priority=order.priority,
            wave_id=wave_id,
            line=BackorderedLine(
                order=order.reference,
                order_status=OrderStatus(order.status),
                line_no=line.line_no,
                quantity=line.quantity,
                allocated=line.allocated,
            ),
        )

    def allocate_picked(self, line: LockedLine, given: CrossDocked) -> int:
        n = given.units
        ln, s = t.cols(t.OrderLine), t.cols(t.Stock)
        # Conditional, although the line is locked: the guard is what never over-allocates.
        filled = self.session.execute(
            sa.update(t.table(t.OrderLine))
            .where(ln.id == line.order_line_id, ln.quantity - ln.allocated >= n)
            .values(allocated=ln.allocated + n, picked=ln.picked + n)
        )
        if rowcount(filled) != 1:
            raise Conflict(
                f"line {line.line.line_no} of order {line.line.order} has not {n} units short "
                "any more: try again"
            )
        same_expiry = s.expiry.is_(None) if given.expiry is None else s.expiry == given.expiry
        stock_id = self.session.execute(
            sa.select(s.id)
            .where(
                s.location_id == given.location_id,
                s.product_id == line.product_id,
                s.lot == given.lot,
                same_expiry,
            )
            .with_for_update()
        ).scalar()
        # Picked units leave the shelf's books as a pick's do: they are the order's now.
        taken = self.session.execute(
            sa.update(t.table(t.Stock))
            .where(s.id == stock_id, s.quantity - s.reserved >= n)
            .values(quantity=s.quantity - n, version=s.version + 1)
        )
        if stock_id is None or rowcount(taken) != 1:
            raise Conflict("the stock at the packing location changed meanwhile: try again")
        now = t.utcnow()
        record_moves(
            self.session, [LedgerMove(stock_id, -n, now, "cross_dock", f"plate {given.plate}")]
        )
        task_id = int(
            self.session.execute(
                sa.insert(t.table(t.Task))
                .values(
                    wave_id=line.wave_id,
                    kind="discrete",
                    status="done",
                    priority=line.priority,
                    user_id=given.user_id,
                    station_id=given.station_id,
                    assigned_at=now,
                    slots=1,
                    distance_m=0.0,
                    created_at=now,
                    version=0,
                )
                .returning(t.cols(t.Task).id)
            ).scalar_one()
        )
        self.session.execute(
            sa.insert(t.table(t.TaskContainer)).values(
                task_id=task_id,
                slot=1,
                order_id=line.order_id,
                status="closed",
                destination=PACK,
            )
        )
        self.session.execute(
            sa.insert(t.table(t.TaskLine)).values(
                task_id=task_id,
                stop_no=1,
                order_line_id=line.order_line_id,
                stock_id=stock_id,
                location_id=given.location_id,
                product_id=line.product_id,
                lot=given.lot,
                expiry=given.expiry,
                quantity=n,
                picked=n,
                shorted=0,
                keyed=0,
                slot=1,
                status="picked",
            )
        )
        self.session.execute(orders_progress_statement(), {"ids": [line.order_id], "at": now})
        o = t.cols(t.Order)
        self.session.execute(
            sa.update(t.table(t.Order)).where(o.id == line.order_id).values(version=o.version + 1)
        )
        return task_id
