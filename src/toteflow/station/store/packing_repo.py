"""The pack station's orders, cartons, SSCC pool and print queue over SQLModel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from toteflow.contracts.shipping import PackOrder, SsccBlock
from toteflow.station.ports.packing import CartonRecord, PackState, PrintJob
from toteflow.station.store import packing_tables as pt
from toteflow.station.store.sync_repo import aware
from toteflow.station.store.tables import LocalTask, LocalTaskContainer, LocalTaskLine, table


def _counts(raw: dict[str, Any]) -> dict[str, int]:
    return {str(k): int(v) for k, v in raw.items()}


class SqlPackingRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, reference: str) -> PackState | None:
        row = self.session.get(pt.PackOrderRow, reference, populate_existing=True)
        if row is None:
            return None
        return PackState(
            reference=row.reference,
            order=PackOrder.model_validate(row.order),
            shipment_key=row.shipment_key,
            status=row.status,
            user_id=row.user_id,
            verified=_counts(row.verified),
            shorted=_counts(row.shorted),
            marks=dict(row.marks or {}),
        )

    def upsert_order(
        self, order: PackOrder, shipment_key: str, user_id: int | None, at: datetime
    ) -> None:
        row = self.session.get(pt.PackOrderRow, order.reference)
        payload = order.model_dump(mode="json")
        if row is None:
            self.session.add(
                pt.PackOrderRow(
                    reference=order.reference,
                    order=payload,
                    shipment_key=shipment_key,
                    user_id=user_id,
                    opened_at=at,
                    updated_at=at,
                )
            )
        else:
            row.order = payload
            row.updated_at = at
            if user_id is not None:
                row.user_id = user_id
        self.session.flush()

    def set_progress(
        self,
        reference: str,
        verified: dict[str, int],
        shorted: dict[str, int],
        at: datetime,
        marks: dict[str, Any] | None = None,
    ) -> None:
        values: dict[str, Any] = {"verified": verified, "shorted": shorted, "updated_at": at}
        if marks is not None:
            values["marks"] = marks
        self.session.execute(
            sa.update(table(pt.PackOrderRow))
            .where(table(pt.PackOrderRow).c.reference == reference)
            .values(**values)
        )

    def set_status(self, reference: str, status: str, at: datetime) -> None:
        self.session.execute(
            sa.update(table(pt.PackOrderRow))
            .where(table(pt.PackOrderRow).c.reference == reference)
            .values(status=status, updated_at=at)
        )

    def cartons(self, reference: str) -> list[CartonRecord]:
        rows = self.session.exec(
            select(pt.PackCartonRow)
            .where(col(pt.PackCartonRow.reference) == reference)
            .order_by(col(pt.PackCartonRow.box_no))
        ).all()
        return [
            CartonRecord(
                sscc=r.sscc,
                reference=r.reference,
                box_no=r.box_no,
                box_code=r.box_code,
                box_name=r.box_name,
                tracking=r.tracking,
                carrier=r.carrier,
                service=r.service,
                weight_g=r.weight_g,
                expected_weight_g=r.expected_weight_g,
                length_mm=r.length_mm,
                width_mm=r.width_mm,
                height_mm=r.height_mm,
                contents=_counts(r.contents),
            )
            for r in rows
        ]

    def add_carton(self, carton: CartonRecord) -> None:
        self.session.add(pt.PackCartonRow(**carton.__dict__))
        self.session.flush()

    def take_sscc(self) -> tuple[str, int, int] | None:
        pool = table(pt.SsccPoolRow).c
        row = self.session.execute(
            sa.select(pool.id, pool.company_prefix, pool.extension_digit, pool.next_serial)
            .where(pool.next_serial <= pool.last_serial)
            .order_by(pool.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        # One writer at a time (BEGIN IMMEDIATE): the read and this update cannot interleave.
        self.session.execute(
            sa.update(table(pt.SsccPoolRow))
            .where(pool.id == row.id)
            .values(next_serial=pool.next_serial + 1)
        )
        return row.company_prefix, row.extension_digit, int(row.next_serial)

    def sscc_left(self) -> int:
        pool = table(pt.SsccPoolRow).c
        value = self.session.execute(
            sa.select(func.coalesce(func.sum(pool.last_serial - pool.next_serial + 1), 0)).where(
                pool.next_serial <= pool.last_serial
            )
        ).scalar_one()
        return int(value)

    def add_sscc_block(self, block: SsccBlock) -> None:
        self.session.add(
            pt.SsccPoolRow(
                company_prefix=block.company_prefix,
                extension_digit=block.extension_digit,
                next_serial=block.first,
                last_serial=block.last,
            )
        )
        self.session.flush()

    def add_print_job(
        self,
        kind: str,
        reference: str,
        sscc: str,
        title: str,
        content: dict[str, Any],
        printer: str,
        at: datetime,
    ) -> int:
        row = pt.PrintJobRow(
            kind=kind,
            reference=reference,
            sscc=sscc,
            title=title,
            content=content,
            printer=printer,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        return row.id

    def print_job(self, job_id: int) -> PrintJob | None:
        row = self.session.get(pt.PrintJobRow, job_id, populate_existing=True)
        return _job(row) if row is not None else None

    def jobs(self, *, queued_only: bool = True, reference: str | None = None) -> list[PrintJob]:
        query = select(pt.PrintJobRow)
        if queued_only:
            query = query.where(col(pt.PrintJobRow.status) == "queued")
        if reference is not None:
            query = query.where(col(pt.PrintJobRow.reference) == reference)
        rows = self.session.exec(
            query.order_by(col(pt.PrintJobRow.id)).execution_options(populate_existing=True)
        ).all()
        return [_job(r) for r in rows]

    def job_printed(self, job_id: int, printer: str, at: datetime) -> None:
        job = table(pt.PrintJobRow).c
        self.session.execute(
            sa.update(table(pt.PrintJobRow))
            .where(job.id == job_id)
            .values(
                status="printed",
                printer=printer,
                printed_at=at,
                attempts=job.attempts + 1,
                last_error="",
            )
        )

    def job_failed(self, job_id: int, printer: str, error: str) -> None:
        job = table(pt.PrintJobRow).c
        self.session.execute(
            sa.update(table(pt.PrintJobRow))
            .where(job.id == job_id)
            .values(printer=printer, attempts=job.attempts + 1, last_error=error[:300])
        )

    def picked_totes(self, limit: int) -> list[tuple[str, str]]:
        packed = select(pt.PackOrderRow.reference).where(col(pt.PackOrderRow.status) == "closed")
        line = table(LocalTaskLine).c
        # A tote whose every unit was reported short holds nothing to pack.
        holds_units = (
            sa.select(line.id)
            .where(
                line.task_id == col(LocalTaskContainer.task_id),
                line.slot == col(LocalTaskContainer.slot),
                line.picked > 0,
            )
            .exists()
        )
        rows = self.session.exec(
            select(LocalTaskContainer.tote, LocalTaskContainer.order_reference)
            .join(LocalTask, col(LocalTask.id) == col(LocalTaskContainer.task_id))
            .where(
                col(LocalTask.status) == "done",
                col(LocalTaskContainer.tote).is_not(None),
                col(LocalTaskContainer.destination) == "pack",
                col(LocalTaskContainer.order_reference).not_in(packed),
                holds_units,
            )
            .order_by(col(LocalTaskContainer.task_id), col(LocalTaskContainer.slot))
            .limit(limit)
        ).all()
        found = [(str(tote), reference) for tote, reference in rows]
        gone = self._all_short_at_packing({reference for _, reference in found})
        return [(tote, reference) for tote, reference in found if reference not in gone]

    def _all_short_at_packing(self, references: set[str]) -> set[str]:
        """Orders opened here whose every unit the packer reported short: nothing to pack."""
        if not references:
            return set()
        gone = set()
        for row in self.session.exec(
            select(pt.PackOrderRow).where(col(pt.PackOrderRow.reference).in_(references))
        ):
            picked = sum(int(li.get("picked", 0)) for li in row.order.get("lines", []))
            verified, shorted = _counts(row.verified), _counts(row.shorted)
            if picked and not any(verified.values()) and sum(shorted.values()) >= picked:
                gone.add(row.reference)
        return gone


def _job(row: pt.PrintJobRow) -> PrintJob:
    return PrintJob(
        id=row.id or 0,
        kind=row.kind,
        reference=row.reference,
        sscc=row.sscc,
        title=row.title,
        content=dict(row.content),
        printer=row.printer,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=aware(row.created_at) or row.created_at,
        printed_at=aware(row.printed_at),
    )
