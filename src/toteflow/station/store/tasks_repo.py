"""Local tasks, the product and location caches and the picker's notices over SQLModel."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.tasks import Task, TaskContainer, TaskLine
from toteflow.station.ports.store import CachedLocation, CachedProduct, LineView, Notice
from toteflow.station.store import tables as t
from toteflow.station.store.sync_repo import aware

_FINISHED = ("done", "cancelled")


def _line(row: t.LocalTaskLine, units: list[ProductUnit]) -> TaskLine:
    return TaskLine(
        id=row.id,
        stop_no=row.stop_no,
        location=row.location,
        zone=row.zone,
        aisle=row.aisle,
        bay=row.bay,
        level=row.level,
        sku=row.sku,
        description=row.description,
        units=units,
        lot_tracked=row.lot_tracked,
        expiry_tracked=row.expiry_tracked,
        lot_substitution=row.lot_substitution,
        lot=row.lot,
        expiry=row.expiry,
        quantity=row.quantity,
        picked=row.picked,
        shorted=row.shorted,
        slot=row.slot,
        order_reference=row.order_reference,
        status=row.status,
    )


def _container(row: t.LocalTaskContainer) -> TaskContainer:
    return TaskContainer(
        slot=row.slot,
        order_reference=row.order_reference,
        tote=row.tote,
        status="closed" if row.status == "closed" else "open",
        destination=row.destination,
        arriving_tote=row.arriving_tote,
        arriving_from=row.arriving_from,
    )


def _unit(row: t.CachedBarcode) -> ProductUnit:
    return ProductUnit(
        uom=row.uom,
        units=row.units,
        barcode=row.barcode,
        barcode_kind=row.barcode_kind,
        length_mm=row.length_mm,
        width_mm=row.width_mm,
        height_mm=row.height_mm,
        weight_g=row.weight_g,
    )


class SqlLocalTaskRepo:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[int, t.LocalTaskLine] = {}

    def upsert(self, task: Task) -> None:
        row = self.session.get(t.LocalTask, task.id)
        if row is None:
            row = t.LocalTask(id=task.id, kind=task.kind, status=task.status)
        elif task.status == "cancelled":
            row.status = "cancelled"
        # Otherwise the station's own status wins: the server may not have seen its events yet.
        row.wave, row.kind, row.zone = task.wave, task.kind, task.zone
        row.cart, row.slots, row.distance_m = task.cart, task.slots, task.distance_m
        row.user_id, row.station_id, row.assigned_at = (
            task.user_id,
            task.station_id,
            task.assigned_at,
        )
        row.held = True
        row.updated_at = t.utcnow()
        self.session.add(row)
        self.session.flush()
        cancelled = task.status == "cancelled"
        for line in task.lines:
            self._upsert_line(task.id, line, cancelled=cancelled)
        for container in task.containers:
            self._upsert_container(task.id, container)
        self.session.flush()

    def _upsert_line(self, task_id: int, line: TaskLine, *, cancelled: bool) -> None:
        row = self.session.get(t.LocalTaskLine, line.id)
        if row is None:
            row = t.LocalTaskLine(
                id=line.id,
                task_id=task_id,
                stop_no=line.stop_no,
                location=line.location,
                sku=line.sku,
                quantity=line.quantity,
                order_reference=line.order_reference,
                picked=line.picked,
                shorted=line.shorted,
                status=line.status,
            )
        elif (line.status == "cancelled" or cancelled) and row.status == "open":
            # Only what is still open is cancelled: picks already made stay recorded, and
            # the picker is told to put them back.
            row.status = "cancelled"
        row.stop_no, row.location, row.zone = line.stop_no, line.location, line.zone
        row.aisle, row.bay, row.level = line.aisle, line.bay, line.level
        row.sku, row.description = line.sku, line.description
        row.lot_tracked, row.expiry_tracked = line.lot_tracked, line.expiry_tracked
        row.lot_substitution, row.lot, row.expiry = line.lot_substitution, line.lot, line.expiry
        # Never below what this station already did on the line.
        row.quantity = max(line.quantity, row.picked + row.shorted)
        row.slot, row.order_reference = line.slot, line.order_reference
        self.session.add(row)

    def _upsert_container(self, task_id: int, container: TaskContainer) -> None:
        row = self.session.get(t.LocalTaskContainer, (task_id, container.slot))
        if row is None:
            row = t.LocalTaskContainer(
                task_id=task_id,
                slot=container.slot,
                order_reference=container.order_reference,
                tote=container.tote,
                status=container.status,
                destination=container.destination,
            )
        elif not row.tote and row.status == "open":
            # A tote scanned here wins over the server's older view of the slot.
            row.tote, row.status = container.tote, container.status
        row.order_reference = container.order_reference
        # What the zone before sent on is the server's to know: it may change after hand-out.
        row.arriving_tote, row.arriving_from = container.arriving_tote, container.arriving_from
        if row.status == "open":
            # The planned destination; a tote closed here keeps the one it was sent to.
            row.destination = container.destination
        self.session.add(row)

    def get(self, task_id: int) -> Task | None:
        row = self.session.get(t.LocalTask, task_id)
        return self._task(row) if row else None

    def _task(self, row: t.LocalTask) -> Task:
        lines = self.session.exec(
            select(t.LocalTaskLine)
            .where(col(t.LocalTaskLine.task_id) == row.id)
            .order_by(col(t.LocalTaskLine.stop_no), col(t.LocalTaskLine.id))
        ).all()
        skus = {line.sku for line in lines}
        units: dict[str, list[ProductUnit]] = {sku: [] for sku in skus}
        if skus:
            for unit in self.session.exec(
                select(t.CachedBarcode)
                .where(col(t.CachedBarcode.sku).in_(skus))
                .order_by(col(t.CachedBarcode.units), col(t.CachedBarcode.barcode))
            ):
                units[unit.sku].append(_unit(unit))
        containers = self.session.exec(
            select(t.LocalTaskContainer)
            .where(col(t.LocalTaskContainer.task_id) == row.id)
            .order_by(col(t.LocalTaskContainer.slot))
        ).all()
        return Task(
            id=row.id,
            wave=row.wave,
            kind=row.kind,
            zone=row.zone,
            status=row.status,
            cart=row.cart,
            slots=row.slots,
            distance_m=row.distance_m,
            user_id=row.user_id,
            station_id=row.station_id,
            assigned_at=aware(row.assigned_at),
            lines=[_line(line, units[line.sku]) for line in lines],
            containers=[_container(c) for c in containers],
        )

    def held(self, user_id: int | None = None) -> list[Task]:
        query = (
            select(t.LocalTask)
            .where(col(t.LocalTask.held).is_(True), col(t.LocalTask.status).not_in(_FINISHED))
            .order_by(col(t.LocalTask.assigned_at), col(t.LocalTask.id))
        )
        if user_id is not None:
            query = query.where(col(t.LocalTask.user_id) == user_id)
        return [self._task(row) for row in self.session.exec(query).all()]

    def exists(self, task_id: int) -> bool:
        return self.session.get(t.LocalTask, task_id) is not None

    def _view(self, row: t.LocalTaskLine, task_status: str, user_id: int | None) -> LineView:
        # Held for the unit of work: the session's identity map is weak, and set_line would
        # otherwise select the row again.
        self._rows[row.id] = row
        # The rules never look at pack sizes: no barcode query on a confirming scan.
        return LineView(
            task_id=row.task_id, task_status=task_status, user_id=user_id, line=_line(row, [])
        )

    def _views(self, where: sa.ColumnElement[bool]) -> list[LineView]:
        rows = self.session.exec(
            select(t.LocalTaskLine, t.LocalTask.status, t.LocalTask.user_id)
            .join(t.LocalTask, col(t.LocalTask.id) == col(t.LocalTaskLine.task_id))
            .where(where)
            .order_by(col(t.LocalTaskLine.task_id), col(t.LocalTaskLine.stop_no))
        ).all()
        return [self._view(row, status, user_id) for row, status, user_id in rows]

    def line(self, line_id: int) -> LineView | None:
        """The line with its task's status in one query (the confirming scan's only read)."""
        views = self._views(col(t.LocalTaskLine.id) == line_id)
        return views[0] if views else None

    def lines_of_order(self, reference: str) -> list[LineView]:
        return self._views(col(t.LocalTaskLine.order_reference) == reference)

    def open_lines(self, task_id: int) -> int:
        return int(
            self.session.exec(
                select(func.count())
                .select_from(t.LocalTaskLine)
                .where(
                    col(t.LocalTaskLine.task_id) == task_id, col(t.LocalTaskLine.status) == "open"
                )
            ).one()
        )

    def set_line(self, line_id: int, *, picked: int, shorted: int, status: str) -> None:
        row = self._rows.get(line_id) or self.session.get(t.LocalTaskLine, line_id)
        if row is None:
            raise LookupError(f"no local task line {line_id}")
        row.picked, row.shorted, row.status = picked, shorted, status
        self.session.add(row)
        self.session.flush()

    def set_task_status(self, task_id: int, status: str) -> None:
        row = self.session.get(t.LocalTask, task_id)
        if row is None:
            raise LookupError(f"no local task {task_id}")
        row.status = status
        row.updated_at = t.utcnow()
        self.session.add(row)
        self.session.flush()

    def release(self, task_id: int) -> None:
        row = self.session.get(t.LocalTask, task_id)
        if row is not None:
            row.held = False
            self.session.add(row)
            self.session.flush()

    def container(self, task_id: int, slot: int) -> TaskContainer | None:
        row = self.session.get(t.LocalTaskContainer, (task_id, slot))
        return _container(row) if row else None

    def slot_of_tote(self, task_id: int, tote: str) -> int | None:
        return self.session.exec(
            select(col(t.LocalTaskContainer.slot)).where(
                col(t.LocalTaskContainer.task_id) == task_id,
                col(t.LocalTaskContainer.tote) == tote,
                col(t.LocalTaskContainer.status) == "open",
            )
        ).first()

    def set_container(
        self,
        task_id: int,
        slot: int,
        *,
        tote: str | None,
        status: str,
        destination: str | None = None,
    ) -> None:
        row = self.session.get(t.LocalTaskContainer, (task_id, slot))
        if row is None:
            raise LookupError(f"task {task_id} has no slot {slot}")
        row.tote, row.status = tote, status
        if destination is not None:
            # None keeps the planned destination (a tote scanned into the slot).
            row.destination = destination
        self.session.add(row)
        self.session.flush()

    def clear(self) -> None:
        self._rows.clear()
        for model in (t.NoticeRow, t.LocalTaskContainer, t.LocalTaskLine, t.LocalTask):
            self.session.execute(sa.delete(t.table(model)))


def _product(row: t.CachedProductRow, units: list[ProductUnit]) -> CachedProduct:
    return CachedProduct(
        sku=row.sku,
        description=row.description,
        lot_tracked=row.lot_tracked,
        expiry_tracked=row.expiry_tracked,
        lot_substitution=row.lot_substitution,
        units=units,
    )


class SqlCatalogueCacheRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert_product(self, product: CachedProduct) -> None:
        row = self.session.get(t.CachedProductRow, product.sku) or t.CachedProductRow(
            sku=product.sku
        )
        row.description = product.description
        row.lot_tracked, row.expiry_tracked = product.lot_tracked, product.expiry_tracked
        row.lot_substitution = product.lot_substitution
        row.updated_at = t.utcnow()
        self.session.add(row)
        self.session.flush()
        if not product.units:
            return  # a task line may carry no units; keep the ones known
        barcodes = t.table(t.CachedBarcode)
        self.session.execute(sa.delete(barcodes).where(barcodes.c.sku == product.sku))
        # A barcode moved from another product follows the newest word on it.
        self.session.execute(
            sa.delete(barcodes).where(barcodes.c.barcode.in_([u.barcode for u in product.units]))
        )
        for unit in product.units:
            self.session.add(t.CachedBarcode(sku=product.sku, **unit.model_dump()))
        self.session.flush()

    def product(self, sku: str) -> CachedProduct | None:
        row = self.session.get(t.CachedProductRow, sku)
        if row is None:
            return None
        units = self.session.exec(
            select(t.CachedBarcode)
            .where(col(t.CachedBarcode.sku) == sku)
            .order_by(col(t.CachedBarcode.units))
        ).all()
        return _product(row, [_unit(u) for u in units])

    def product_by_barcode(self, barcode: str) -> tuple[CachedProduct, ProductUnit] | None:
        unit = self.session.get(t.CachedBarcode, barcode)
        if unit is None:
            return None
        product = self.product(unit.sku)
        return (product, _unit(unit)) if product else None

    def upsert_location(self, location: CachedLocation) -> None:
        row = self.session.get(t.CachedLocationRow, location.code) or t.CachedLocationRow(
            code=location.code
        )
        row.zone, row.aisle, row.bay, row.level = (
            location.zone,
            location.aisle,
            location.bay,
            location.level,
        )
        row.kind, row.active = location.kind, location.active
        self.session.add(row)
        self.session.flush()

    def location(self, code: str) -> CachedLocation | None:
        row = self.session.get(t.CachedLocationRow, code)
        if row is None:
            return None
        return CachedLocation(
            code=row.code,
            zone=row.zone,
            aisle=row.aisle,
            bay=row.bay,
            level=row.level,
            kind=row.kind,
            active=row.active,
        )

    def locations(self) -> list[CachedLocation]:
        rows = self.session.execute(
            sa.select(t.table(t.CachedLocationRow)).order_by(t.table(t.CachedLocationRow).c.code)
        ).mappings()
        return [
            CachedLocation(
                r["code"], r["zone"], r["aisle"], r["bay"], r["level"], r["kind"], r["active"]
            )
            for r in rows
        ]


class SqlNoticeRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        key: str,
        message: str,
        at: datetime,
        *,
        task_id: int | None = None,
        line_id: int | None = None,
        order_reference: str = "",
    ) -> None:
        exists = self.session.exec(
            select(col(t.NoticeRow.id)).where(col(t.NoticeRow.key) == key)
        ).first()
        if exists is not None:
            return
        self.session.add(
            t.NoticeRow(
                key=key[:120],
                task_id=task_id,
                line_id=line_id,
                order_reference=order_reference,
                message=message[:400],
                created_at=at,
            )
        )
        self.session.flush()

    def pending(self, task_id: int | None = None) -> list[Notice]:
        query = (
            select(t.NoticeRow)
            .where(col(t.NoticeRow.seen).is_(False))
            .order_by(col(t.NoticeRow.id))
        )
        if task_id is not None:
            query = query.where(col(t.NoticeRow.task_id) == task_id)
        return [
            Notice(
                id=row.id or 0,
                task_id=row.task_id,
                line_id=row.line_id,
                order_reference=row.order_reference,
                message=row.message,
                created_at=aware(row.created_at) or row.created_at,
                seen=row.seen,
            )
            for row in self.session.exec(query)
        ]

    def mark_seen(self, notice_id: int) -> None:
        row = self.session.get(t.NoticeRow, notice_id)
        if row is not None:
            row.seen = True
            self.session.add(row)
            self.session.flush()
