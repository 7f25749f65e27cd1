"""The station's receipts, their cases, plate serials and the cached policy over SQLModel."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.contracts.notices import ReceivingPolicy
from toteflow.station.ports.putaway import PlateOnHand
from toteflow.station.ports.receiving import (
    LineTally,
    Receipt,
    ReceivedCaseRecord,
    ServerPlate,
    Uncounted,
)
from toteflow.station.store import receiving_tables as rt
from toteflow.station.store.tables import OutboxRow, table, utcnow

_PLATE_SERIAL = "plate_serial"
_POLICY = "policy"
_COUNTED = "counted_seq"


def _receipt(row: rt.ReceiptRow) -> Receipt:
    assert row.id is not None
    lines = {
        int(no): LineTally(
            received=int(tally.get("received", 0)),
            damaged=int(tally.get("damaged", 0)),
            closed=bool(tally.get("closed", False)),
            short_reason=tally.get("short_reason"),
        )
        for no, tally in row.lines.items()
    }
    return Receipt(row.id, row.notice, row.dock, row.user_id, row.status, lines, row.plate)


def _lines(receipt: Receipt) -> dict[str, Any]:
    return {
        str(no): {
            "received": tally.received,
            "damaged": tally.damaged,
            "closed": tally.closed,
            "short_reason": tally.short_reason,
        }
        for no, tally in sorted(receipt.lines.items())
    }


class SqlReceivingRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_receipt(self, notice: str | None, dock: str, user_id: int | None) -> Receipt:
        row = rt.ReceiptRow(notice=notice, dock=dock, user_id=user_id)
        self.session.add(row)
        self.session.flush()
        return _receipt(row)

    def receipt(self, receipt_id: int) -> Receipt | None:
        row = self.session.get(rt.ReceiptRow, receipt_id)
        return None if row is None else _receipt(row)

    def open_for(self, notice: str | None, dock: str) -> Receipt | None:
        receipts = table(rt.ReceiptRow)
        query = sa.select(receipts.c.id).where(receipts.c.status == "open")
        if notice is None:
            query = query.where(receipts.c.notice.is_(None), receipts.c.dock == dock)
        else:
            query = query.where(receipts.c.notice == notice)
        found = self.session.execute(query.order_by(receipts.c.id.desc()).limit(1)).scalar()
        return None if found is None else self.receipt(int(found))

    def save(self, receipt: Receipt) -> None:
        row = self.session.get(rt.ReceiptRow, receipt.id)
        assert row is not None, f"receipt {receipt.id} is not in this store"
        row.lines = _lines(receipt)
        row.plate = receipt.plate
        row.status = receipt.status
        if receipt.status == "finished" and row.finished_at is None:
            row.finished_at = utcnow()
        self.session.add(row)
        self.session.flush()

    def add_case(self, receipt_id: int, case: ReceivedCaseRecord) -> None:
        self.session.add(
            rt.ReceiptCaseRow(
                receipt_id=receipt_id,
                case_id=case.case_id,
                line_no=case.line_no,
                sku=case.sku,
                lot=case.lot,
                expiry=case.expiry,
                quantity=case.quantity,
                damaged=case.damaged,
                plate=case.plate,
                event_id=case.event_id,
            )
        )
        self.session.flush()

    def has_case(self, notice: str | None, case_id: str) -> bool:
        cases, receipts = table(rt.ReceiptCaseRow), table(rt.ReceiptRow)
        query = (
            sa.select(cases.c.id)
            .join(receipts, receipts.c.id == cases.c.receipt_id)
            .where(cases.c.case_id == case_id)
        )
        if notice is not None:
            query = query.where(receipts.c.notice == notice)
        return self.session.execute(query.limit(1)).first() is not None

    def cases(self, receipt_id: int) -> list[ReceivedCaseRecord]:
        cases = table(rt.ReceiptCaseRow)
        rows = self.session.execute(
            sa.select(cases).where(cases.c.receipt_id == receipt_id).order_by(cases.c.id)
        ).mappings()
        return [
            ReceivedCaseRecord(
                r["case_id"],
                r["line_no"],
                r["sku"],
                r["lot"],
                r["expiry"],
                r["quantity"],
                r["damaged"],
                r["plate"],
                r["event_id"],
            )
            for r in rows
        ]

    def goods_on(self, plate: str) -> tuple[str | None, str, date | None] | None:
        cases = table(rt.ReceiptCaseRow)
        row = self.session.execute(
            sa.select(cases.c.sku, cases.c.lot, cases.c.expiry)
            .where(cases.c.plate == plate)
            .order_by(cases.c.id)
            .limit(1)
        ).first()
        return None if row is None else (row[0], row[1], row[2])

    def lot_expiries(self, sku: str) -> dict[str, date | None]:
        cases = table(rt.ReceiptCaseRow)
        rows = self.session.execute(
            sa.select(cases.c.lot, cases.c.expiry)
            .where(cases.c.sku == sku, cases.c.lot != "")
            .order_by(cases.c.id)
        )
        found: dict[str, date | None] = {}
        for lot, expiry in rows:
            # The first date a lot came with is the one it keeps.
            if found.get(lot) is None:
                found[lot] = expiry
        return found

    def take_plate_serial(self) -> int:
        row = self.session.get(rt.ReceivingValue, _PLATE_SERIAL)
        serial = 1 if row is None else int(row.value.get("next", 1))
        if row is None:
            row = rt.ReceivingValue(key=_PLATE_SERIAL)
        row.value = {"next": serial + 1}
        row.updated_at = utcnow()
        self.session.add(row)
        self.session.flush()
        return serial

    def policy(self) -> ReceivingPolicy | None:
        row = self.session.get(rt.ReceivingValue, _POLICY)
        return None if row is None else ReceivingPolicy.model_validate(row.value)

    def keep_policy(self, policy: ReceivingPolicy) -> None:
        row = self.session.get(rt.ReceivingValue, _POLICY) or rt.ReceivingValue(key=_POLICY)
        row.value = policy.model_dump(mode="json")
        row.updated_at = utcnow()
        self.session.add(row)
        self.session.flush()

    # -- the whole notice --------------------------------------------------------------

    def uncounted(self, notice: str, after_seq: int) -> dict[int, Uncounted]:
        cases, receipts, outbox = table(rt.ReceiptCaseRow), table(rt.ReceiptRow), table(OutboxRow)
        refused = sa.or_(
            outbox.c.status == "rejected",
            sa.and_(
                outbox.c.status == "duplicate",
                sa.func.json_extract(outbox.c.result, "$.outcome") == "rejected",
            ),
        )
        rows = self.session.execute(
            sa.select(cases.c.line_no, sa.func.sum(cases.c.quantity), sa.func.sum(cases.c.damaged))
            .join(receipts, receipts.c.id == cases.c.receipt_id)
            .join(outbox, outbox.c.event_id == cases.c.event_id)
            .where(
                receipts.c.notice == notice,
                cases.c.line_no.is_not(None),
                sa.or_(
                    outbox.c.state == "pending",
                    sa.and_(outbox.c.seq > after_seq, sa.not_(refused)),
                ),
            )
            .group_by(cases.c.line_no)
        )
        return {int(no): Uncounted(int(n), int(d or 0)) for no, n, d in rows}

    def counted_seq(self) -> int:
        row = self.session.get(rt.ReceivingValue, _COUNTED)
        return 0 if row is None else int(row.value.get("seq", 0))

    def set_counted_seq(self, seq: int) -> None:
        row = self.session.get(rt.ReceivingValue, _COUNTED) or rt.ReceivingValue(key=_COUNTED)
        row.value = {"seq": seq}
        row.updated_at = utcnow()
        self.session.add(row)
        self.session.flush()

    # -- plates of the server's own ----------------------------------------------------

    def keep_server_plate(self, plate: ServerPlate) -> None:
        row = self.session.get(rt.ServerPlateRow, plate.code)
        if row is None:
            row = rt.ServerPlateRow(
                code=plate.code,
                quantity=plate.quantity,
                location=plate.location,
                status=plate.status,
                event_id=plate.event_id,
            )
        row.notice, row.sku, row.lot, row.expiry = plate.notice, plate.sku, plate.lot, plate.expiry
        row.quantity, row.location, row.status = plate.quantity, plate.location, plate.status
        row.event_id, row.recorded_at = plate.event_id, utcnow()
        self.session.add(row)
        self.session.flush()

    def server_plate(self, code: str) -> ServerPlate | None:
        row = self.session.get(rt.ServerPlateRow, code)
        return None if row is None else _server_plate(row)

    def server_plates(self, notice: str | None) -> list[ServerPlate]:
        plates = table(rt.ServerPlateRow)
        query = sa.select(rt.ServerPlateRow).where(
            plates.c.notice.is_(None) if notice is None else plates.c.notice == notice
        )
        rows = self.session.execute(
            query.order_by(plates.c.recorded_at.desc(), plates.c.code.desc())
        ).scalars()
        return [_server_plate(row) for row in rows]

    # -- plates put away from this station ---------------------------------------------

    def on_plate(self, plate: str) -> list[PlateOnHand]:
        own = self.session.get(rt.ServerPlateRow, plate)
        if own is not None:
            # A plate of the server's: what its answer said, whatever the station's cases say.
            return [PlateOnHand(plate, own.sku, own.lot, own.quantity)] if own.sku else []
        cases = table(rt.ReceiptCaseRow)
        rows = self.session.execute(
            sa.select(cases.c.sku, cases.c.lot, sa.func.sum(cases.c.quantity - cases.c.damaged))
            .where(cases.c.plate == plate, cases.c.sku.is_not(None))
            .group_by(cases.c.sku, cases.c.lot)
            .order_by(cases.c.sku, cases.c.lot)
        )
        return [PlateOnHand(plate, sku, lot, int(n)) for sku, lot, n in rows if n]

    def add_move(
        self,
        plate: str,
        location: str,
        sku: str | None,
        quantity: int | None,
        reason: str | None,
        event_id: str,
    ) -> None:
        self.session.add(
            rt.PlateMoveRow(
                plate=plate,
                location=location,
                sku=sku,
                quantity=quantity,
                reason=reason,
                event_id=event_id,
            )
        )
        self.session.flush()

    def moved(self, plate: str) -> bool:
        moves = table(rt.PlateMoveRow)
        found = self.session.execute(sa.select(moves.c.id).where(moves.c.plate == plate).limit(1))
        return found.first() is not None

    def waiting(self) -> list[str]:
        cases, moves = table(rt.ReceiptCaseRow), table(rt.PlateMoveRow)
        plates = table(rt.ServerPlateRow)
        moved = sa.select(moves.c.plate)
        own = self.session.execute(
            sa.select(cases.c.plate)
            .where(cases.c.sku.is_not(None), cases.c.plate.not_in(moved))
            .group_by(cases.c.plate)
            .having(sa.func.sum(cases.c.quantity - cases.c.damaged) > 0)
            .order_by(sa.func.min(cases.c.id))
        ).scalars()
        servers = self.session.execute(
            sa.select(plates.c.code)
            .where(
                plates.c.status != "held",
                plates.c.sku.is_not(None),
                plates.c.code.not_in(moved),
            )
            .order_by(plates.c.recorded_at, plates.c.code)
        ).scalars()
        return [*own, *servers]

    def contents(self) -> dict[str, list[tuple[str, int]]]:
        moves = table(rt.PlateMoveRow)
        out: dict[str, list[tuple[str, int]]] = {}
        rows = self.session.execute(
            sa.select(moves.c.location, moves.c.sku, moves.c.quantity).where(
                moves.c.sku.is_not(None)
            )
        )
        for location, sku, quantity in rows:
            out.setdefault(location, []).append((sku, int(quantity or 0)))
        return out


def _server_plate(row: rt.ServerPlateRow) -> ServerPlate:
    return ServerPlate(
        row.code,
        row.notice,
        row.sku,
        row.lot,
        row.expiry,
        row.quantity,
        row.location,
        row.status,
        row.event_id,
    )
