"""The receiver's writes: each changes the local receipt and appends its event in one commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from toteflow.domain.errors import NotFound, Refused
from toteflow.station.ports.receiving import LineTally, Receipt, ReceivedCaseRecord
from toteflow.station.ports.store import OutboxEvent, StationUnitOfWork, StationUnitOfWorkFactory
from toteflow.station.services.events import Clock, record, utcnow

PLATE_PREFIX = "LP"


def plate_code(station_id: int, serial: int) -> str:
    """`LP` + the station's id in 4 digits + a 6-digit serial (docs/receiving.md)."""
    if not 0 < station_id <= 9999 or not 0 < serial <= 999_999:
        raise Refused(f"no internal plate code for station {station_id}, serial {serial}")
    return f"{PLATE_PREFIX}{station_id:04d}{serial:06d}"


@dataclass(frozen=True)
class CaseToReceive:
    """One case as read and checked: its line (None: the server finds it), units, damage."""

    sku: str
    quantity: int
    line_no: int | None
    lot: str = ""
    expiry: date | None = None
    sscc: str | None = None
    # GTIN/SERIAL or the SSCC; None: the event's own id names the case.
    case_id: str | None = None
    damaged: tuple[tuple[str, int], ...] = ()
    supervisor_id: int | None = None

    @property
    def damaged_units(self) -> int:
        return sum(n for _, n in self.damaged)


@dataclass(frozen=True)
class PalletPart:
    """What one SSCC on a pallet holds of one line, as the notice lists it."""

    sscc: str
    line_no: int
    sku: str
    lot: str
    expiry: date | None
    quantity: int


@dataclass(frozen=True)
class Recorded:
    """An event safely on disk, the receipt as it now is and the plate used."""

    event: OutboxEvent
    receipt: Receipt
    plate: str
    new_plate: bool = False
    case_id: str = ""


@dataclass
class _Plate:
    code: str
    new: bool = False


@dataclass
class ReceivingRecords:
    """The receiver's use cases on the station store; the caller signals good after return."""

    uow: StationUnitOfWorkFactory
    clock: Clock = utcnow
    on_recorded: Callable[[], None] | None = None
    _ids: Callable[[], UUID] = field(default=uuid4, repr=False)

    def start(self, notice: str | None, dock: str, user_id: int | None) -> Receipt:
        """The open receipt of this notice (or blind one at the dock), else a new one."""
        with self.uow() as uow:
            found = uow.receiving.open_for(notice, dock)
            if found is not None:
                return found
            receipt = uow.receiving.open_receipt(notice, dock, user_id)
            uow.commit()
            return receipt

    def receipt(self, receipt_id: int) -> Receipt:
        with self.uow() as uow:
            return _receipt(uow, receipt_id)

    def lot_expiries(self, sku: str) -> dict[str, date | None]:
        with self.uow() as uow:
            return uow.receiving.lot_expiries(sku)

    def goods_on(self, plate: str) -> tuple[str | None, str, date | None] | None:
        with self.uow() as uow:
            return uow.receiving.goods_on(plate)

    def has_case(self, notice: str | None, case_id: str) -> bool:
        with self.uow() as uow:
            return uow.receiving.has_case(notice, case_id)

    def receive_case(self, receipt_id: int, user_id: int | None, case: CaseToReceive) -> Recorded:
        """`receipt.case_received`: the case on the receipt's plate (a new one if none)."""
        event_id = self._ids()
        case_id = case.case_id or str(event_id)
        with self.uow() as uow:
            receipt = _open(uow, receipt_id)
            if uow.receiving.has_case(receipt.notice, case_id):
                raise Refused(f"case {case_id} was already received here: scan the next case")
            plate = self._plate(uow, receipt, (case.sku, case.lot, case.expiry))
            if case.line_no is not None:
                tally = receipt.lines.setdefault(case.line_no, LineTally())
                if tally.closed:
                    raise Refused(f"line {case.line_no} is closed: nothing more on it")
                tally.received += case.quantity
                tally.damaged += case.damaged_units
            uow.receiving.save(receipt)
            uow.receiving.add_case(
                receipt.id,
                ReceivedCaseRecord(
                    case_id,
                    case.line_no,
                    case.sku,
                    case.lot,
                    case.expiry,
                    case.quantity,
                    case.damaged_units,
                    plate.code,
                    str(event_id),
                ),
            )
            payload: dict[str, Any] = {
                "notice": receipt.notice,
                "line_no": case.line_no,
                "case_id": case_id,
                "sscc": case.sscc,
                "sku": case.sku,
                "lot": case.lot,
                "expiry": _day(case.expiry),
                "quantity": case.quantity,
                "damaged": [{"reason": r, "quantity": n} for r, n in case.damaged],
                "supervisor_id": case.supervisor_id,
                "plate": plate.code,
                "dock": receipt.dock,
            }
            event = record(
                uow, user_id, "receipt.case_received", payload, now=self.clock, event_id=event_id
            )
            uow.commit()
        self._recorded()
        return Recorded(event, receipt, plate.code, plate.new, case_id)

    def receive_pallet(
        self,
        receipt_id: int,
        user_id: int | None,
        sscc: str,
        parts: list[PalletPart],
        supervisor_id: int | None = None,
    ) -> Recorded:
        """`receipt.pallet_received`: every SSCC on it counted, the pallet its own plate."""
        event_id = self._ids()
        with self.uow() as uow:
            receipt = _open(uow, receipt_id)
            for code in sorted({p.sscc for p in parts} | {sscc}):
                if uow.receiving.has_case(receipt.notice, code):
                    raise Refused(f"SSCC {code} was already received here: nothing added")
            seen: dict[str, int] = {}
            for part in parts:
                tally = receipt.lines.setdefault(part.line_no, LineTally())
                if tally.closed:
                    raise Refused(f"line {part.line_no} is closed: the pallet cannot go on it")
                tally.received += part.quantity
                # One row per SSCC and content: the SSCC itself names its first content.
                n = seen.get(part.sscc, 0)
                seen[part.sscc] = n + 1
                uow.receiving.add_case(
                    receipt.id,
                    ReceivedCaseRecord(
                        part.sscc if n == 0 else f"{part.sscc}/{n}",
                        part.line_no,
                        part.sku,
                        part.lot,
                        part.expiry,
                        part.quantity,
                        0,
                        sscc,
                        str(event_id),
                    ),
                )
            uow.receiving.save(receipt)
            payload = {
                "notice": receipt.notice,
                "sscc": sscc,
                "dock": receipt.dock,
                "supervisor_id": supervisor_id,
            }
            event = record(
                uow, user_id, "receipt.pallet_received", payload, now=self.clock, event_id=event_id
            )
            uow.commit()
        self._recorded()
        return Recorded(event, receipt, sscc, False, sscc)

    def not_on_notice(
        self,
        receipt_id: int,
        user_id: int | None,
        scanned: str,
        sku: str | None,
        quantity: int,
        lot: str = "",
        expiry: date | None = None,
    ) -> Recorded:
        """`receipt.not_on_notice`: the units on a plate of their own, held for a supervisor."""
        with self.uow() as uow:
            receipt = _open(uow, receipt_id)
            plate = _Plate(_new_plate(uow), new=True)
            payload = {
                "notice": receipt.notice,
                "scanned": scanned,
                "sku": sku,
                "lot": lot,
                "expiry": _day(expiry),
                "quantity": quantity,
                "plate": plate.code,
                "dock": receipt.dock,
            }
            event = record(uow, user_id, "receipt.not_on_notice", payload, now=self.clock)
            uow.commit()
        self._recorded()
        return Recorded(event, receipt, plate.code, True)

    def close_line(
        self, receipt_id: int, user_id: int | None, line_no: int, reason: str
    ) -> Recorded:
        """`receipt.line_closed`: a short line closed with its reason."""
        with self.uow() as uow:
            receipt = _open(uow, receipt_id)
            if receipt.notice is None:
                raise Refused("a receipt without a notice has no lines to close")
            tally = receipt.lines.setdefault(line_no, LineTally())
            if tally.closed:
                raise Refused(f"line {line_no} is already closed")
            tally.closed, tally.short_reason = True, reason
            uow.receiving.save(receipt)
            payload = {"notice": receipt.notice, "line_no": line_no, "reason": reason}
            event = record(uow, user_id, "receipt.line_closed", payload, now=self.clock)
            uow.commit()
        self._recorded()
        return Recorded(event, receipt, receipt.plate or "")

    def finish(self, receipt_id: int, user_id: int | None) -> Recorded:
        """`receipt.finished`: the receipt is done here; lines left open stay open."""
        with self.uow() as uow:
            receipt = _open(uow, receipt_id)
            receipt.status, receipt.plate = "finished", None
            uow.receiving.save(receipt)
            event = record(
                uow, user_id, "receipt.finished", {"notice": receipt.notice}, now=self.clock
            )
            uow.commit()
        self._recorded()
        return Recorded(event, receipt, "")

    def new_plate(self, receipt_id: int) -> Receipt:
        """The next case starts a new plate (this one is full or goes away); no event."""
        with self.uow() as uow:
            receipt = _open(uow, receipt_id)
            receipt.plate = None
            uow.receiving.save(receipt)
            uow.commit()
        return receipt

    def _plate(
        self, uow: StationUnitOfWork, receipt: Receipt, goods: tuple[str, str, date | None]
    ) -> _Plate:
        # One SKU, lot and expiry per plate (as the server keeps plates): other goods start
        # the next plate by themselves.
        if receipt.plate is not None and uow.receiving.goods_on(receipt.plate) in (None, goods):
            return _Plate(receipt.plate)
        receipt.plate = _new_plate(uow)
        return _Plate(receipt.plate, new=True)

    def _recorded(self) -> None:
        if self.on_recorded is not None:
            self.on_recorded()


def _new_plate(uow: StationUnitOfWork) -> str:
    identity = uow.identity.get()
    if identity is None:
        raise Refused("this station is not registered: it cannot number plates")
    return plate_code(identity.station_id, uow.receiving.take_plate_serial())


def _receipt(uow: StationUnitOfWork, receipt_id: int) -> Receipt:
    receipt = uow.receiving.receipt(receipt_id)
    if receipt is None:
        raise NotFound(f"this station has no receipt {receipt_id}")
    return receipt


def _open(uow: StationUnitOfWork, receipt_id: int) -> Receipt:
    receipt = _receipt(uow, receipt_id)
    if receipt.status != "open":
        raise Refused("this receipt is finished: scan the notice to start another")
    return receipt


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
