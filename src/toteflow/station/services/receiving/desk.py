"""The receiver's desk: the notice being received, the case being read, and each scan's step.

Screens hold a `ReceivingDesk` and call it from a worker thread for a scan (the commit's
fsync stays off the event loop); every write goes through `ReceivingRecords`, which commits
the receipt's change and its outbox event together before the desk says it went well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from toteflow.contracts.notices import Notice, ReceivingPolicy
from toteflow.domain.errors import ServiceError
from toteflow.domain.receipt_lines import DamageReason, ShortReason
from toteflow.domain.receiving import (
    UNTRACKED,
    CaseReading,
    ReadingRefused,
    Tracking,
    add_scan,
    check_lot_expiry,
    read_case,
    with_tracking,
)
from toteflow.domain.scan_results import Gs1Data, ScanResult
from toteflow.domain.words import plural
from toteflow.station.ports.receiving import Receipt, ReceivingServer
from toteflow.station.services.login import Person, StationLogin
from toteflow.station.services.receiving.cases import (
    case_id_of,
    pallet_check,
    pallet_parts,
    plan_case,
)
from toteflow.station.services.receiving.demo import next_label
from toteflow.station.services.receiving.home import HOME_PROMPT, find_receipt, refresh, supervisor
from toteflow.station.services.receiving.lookups import ReceivingLookups
from toteflow.station.services.receiving.plates import PlateLabels
from toteflow.station.services.receiving.records import (
    CaseToReceive,
    PalletPart,
    ReceivingRecords,
    Recorded,
)
from toteflow.station.services.receiving.views import (
    NO_POLICY,
    LineRow,
    ReceiveOutcome,
    plate_words,
    whole_notice,
)


@dataclass
class _Reading:
    """A case read so far (lot and expiry may be on a second label)."""

    reading: CaseReading
    sku: str
    units_per: int
    tracking: Tracking
    serial: str | None
    raw: str


@dataclass
class _Waiting:
    """A case or pallet beyond the tolerance, held until a supervisor's badge approves it."""

    words: str
    case: CaseToReceive | None = None
    pallet: tuple[str, list[PalletPart]] | None = None


@dataclass
class ReceivingDesk:
    person: Person
    records: ReceivingRecords
    lookups: ReceivingLookups
    login: StationLogin
    read: Callable[[str], ScanResult]
    server: ReceivingServer | None = None
    labels: PlateLabels = field(default_factory=PlateLabels)
    today: Callable[[], date] = date.today
    policy: ReceivingPolicy = field(default_factory=lambda: NO_POLICY)
    notice: Notice | None = None
    receipt: Receipt | None = None
    dock: str | None = None
    break_pallet: bool = False
    damage: list[tuple[str, int]] = field(default_factory=list)
    waiting: _Waiting | None = None
    _reading: _Reading | None = None

    # -- the home screen -------------------------------------------------------------------

    async def refresh_policy(self) -> str:
        """The receiving settings, the notices' products and the docks, kept for offline."""
        self.policy, words = await refresh(self.server, self.lookups, self.person)
        return words

    def open_notices(self) -> list[Notice]:
        return self.lookups.open_notices()

    def open(self, raw: str) -> ReceiveOutcome:
        """A notice's reference, a pallet's SSCC or a dock label starts (or resumes) a receipt."""
        try:
            return self._open(raw)
        except ServiceError as exc:
            return ReceiveOutcome(False, "REFUSED", str(exc))

    def _open(self, raw: str) -> ReceiveOutcome:
        found = find_receipt(self.lookups, self.policy, self.read, raw, self.dock)
        self.dock = found.dock or self.dock
        if not found.start:
            assert found.outcome is not None
            return found.outcome
        opened = self._start(found.notice, found.dock)
        if not opened.ok or found.sscc is None:
            return opened
        # The pallet (or case) that found the notice is received by the same scan.
        then = self.scan(raw)
        return replace(then, opened=True, detail=f"{opened.detail}. {then.detail}")

    def _start(self, notice: Notice | None, dock: str | None) -> ReceiveOutcome:
        if not dock:
            return ReceiveOutcome(
                False,
                "WHICH DOCK?",
                f"notice {notice.reference if notice else ''} names no "
                "dock: scan the dock's label, then the notice",
            )
        reference = notice.reference if notice is not None else None
        self.receipt = self.records.start(reference, dock, self.person.user_id)
        self.notice, self.dock = notice, dock
        self.break_pallet, self.damage, self.waiting, self._reading = False, [], None, None
        what = f"notice {reference}" if reference else f"receipt without a notice at {dock}"
        return ReceiveOutcome(True, "RECEIVING", f"{what} open", opened=True)

    # -- scans while receiving ---------------------------------------------------------------

    def prompt(self) -> str:
        if self.waiting is not None:
            return "a supervisor scans their badge to approve"
        if self._reading is not None:
            return self._reading.reading.prompt().capitalize()
        if self.break_pallet:
            return "Scan each case's label (F4: whole pallets again)"
        return "Scan a pallet's SSCC or a case label"

    def scan(self, raw: str) -> ReceiveOutcome:
        """One scan of a case or pallet label; refused scans change nothing."""
        if self.receipt is None:
            return ReceiveOutcome(False, "NO RECEIPT", HOME_PROMPT)
        if self.waiting is not None:
            return ReceiveOutcome(False, "WAIT", self.waiting.words)
        try:
            return self._scan(raw)
        except (ServiceError, ValueError) as exc:
            # ValueError: an event the wire model refuses (record()); nothing was written.
            return ReceiveOutcome(False, "REFUSED", str(exc))

    def _scan(self, raw: str) -> ReceiveOutcome:
        result = self.read(raw)
        serial = result.serial if isinstance(result, Gs1Data) else None
        if self._reading is not None:
            part = self._reading
            more = add_scan(part.reading, result, part.tracking, today=self.today())
            if isinstance(more, ReadingRefused):
                return ReceiveOutcome(
                    False, "WRONG LABEL", f"{more.reason}; {part.reading.prompt()}"
                )
            part.reading, part.serial = more, part.serial or serial
            return self._read_on(part)
        reading = read_case(result, UNTRACKED, today=self.today())
        if isinstance(reading, ReadingRefused):
            return ReceiveOutcome(False, "CANNOT USE THIS", reading.reason)
        listed = self.notice is not None and any(s.sscc == reading.sscc for s in self.notice.ssccs)
        # An SSCC the notice lists is received as the notice says, whatever else its label
        # carries (a pallet label's contents, 02 and 37); an unlisted one with a product is
        # read as the case label it also is.
        if reading.sscc is not None and (reading.gtin is None or listed):
            return self._sscc(reading.sscc)
        if reading.gtin is None:
            return ReceiveOutcome(False, "PRODUCT FIRST", "scan the label with the product first")
        found = self.lookups.product_by_gtin(reading.gtin)
        if found is None:
            return self._not_on_notice(raw.strip(), None, reading.units, reading)
        product, unit = found
        tracking = Tracking(product.lot_tracked, product.expiry_tracked)
        self._reading = _Reading(
            with_tracking(reading, tracking), product.sku, unit.units, tracking, serial, raw
        )
        return self._read_on(self._reading)

    def _read_on(self, part: _Reading) -> ReceiveOutcome:
        if not part.reading.complete:
            return ReceiveOutcome(True, "NEXT LABEL", part.reading.prompt().capitalize())
        self._reading = None
        reading = part.reading
        lot, expiry = reading.lot or "", reading.expiry
        refused = check_lot_expiry(reading.lot, expiry, self.records.lot_expiries(part.sku))
        if refused:
            return ReceiveOutcome(False, "LOT AND DATE DISAGREE", refused)
        case = CaseToReceive(
            sku=part.sku,
            quantity=reading.units * part.units_per,
            line_no=None,
            lot=lot,
            expiry=expiry,
            sscc=reading.sscc,
            case_id=case_id_of(reading, part.serial),
            damaged=tuple(self.damage),
        )
        return self._place(case, part.raw.strip())

    def _place(self, case: CaseToReceive, scanned: str) -> ReceiveOutcome:
        assert self.receipt is not None
        if case.damaged_units > case.quantity:
            return ReceiveOutcome(
                False,
                "COUNT AGAIN",
                f"{plural(case.damaged_units, 'damaged unit')} in a case of {case.quantity}",
            )
        if case.case_id and self.records.has_case(self.receipt.notice, case.case_id):
            return ReceiveOutcome(
                False, "ALREADY RECEIVED", f"case {case.case_id} was received here before"
            )
        plan = plan_case(self.notice, self._rows(), case, self.policy)
        if plan.refused:
            return ReceiveOutcome(False, "REFUSED", plan.refused)
        if plan.not_on_notice:
            return self._not_on_notice(scanned, case.sku, case.quantity, None, case)
        assert plan.case is not None
        if plan.supervisor:
            self.waiting = _Waiting(plan.supervisor, case=plan.case)
            return ReceiveOutcome(False, "SUPERVISOR", plan.supervisor, supervisor=True)
        return self._receive(plan.case)

    def _receive(self, case: CaseToReceive) -> ReceiveOutcome:
        assert self.receipt is not None
        done = self.records.receive_case(self.receipt.id, self.person.user_id, case)
        self.damage = []
        damaged = f", {case.damaged_units} damaged" if case.damaged_units else ""
        where = f"line {case.line_no}" if case.line_no is not None else "the receipt"
        return self._done(
            done, f"{plural(case.quantity, 'unit')} of {case.sku}{damaged} on {where}"
        )

    def _sscc(self, sscc: str) -> ReceiveOutcome:
        rows = self._rows()
        notice = self.notice
        if notice is None:
            return ReceiveOutcome(
                False,
                "SCAN THE PRODUCT",
                "without a notice an SSCC says nothing: scan its product label",
            )
        unit = next((s for s in notice.ssccs if s.sscc == sscc), None)
        if unit is None:
            other = self.lookups.notice_by_sscc(sscc)
            where = f"on notice {other.reference}" if other else "on no notice here"
            return ReceiveOutcome(
                False, "NOT ON THIS NOTICE", f"SSCC {sscc} is {where}, not on {notice.reference}"
            )
        assert self.receipt is not None
        has_cases = any(s.parent_sscc == sscc for s in notice.ssccs)
        if unit.parent_sscc is None and not self.break_pallet:
            parts = pallet_parts(notice, rows, sscc)
            if isinstance(parts, str):
                return ReceiveOutcome(False, "CASE BY CASE", parts)
            if untold := untracked_words(self.lookups, parts):
                return ReceiveOutcome(False, "CASE BY CASE", untold)
            words = pallet_check(notice, rows, parts, self.policy)
            if words:
                self.waiting = _Waiting(words, pallet=(sscc, parts))
                return ReceiveOutcome(False, "SUPERVISOR", words, supervisor=True)
            return self._pallet(sscc, parts, None)
        if has_cases or len(unit.contents) != 1:
            return ReceiveOutcome(
                False, "SCAN EACH CASE", f"SSCC {sscc} holds several items: scan each case"
            )
        content = unit.contents[0]
        case = CaseToReceive(
            sku=content.sku,
            quantity=content.quantity,
            line_no=None,
            lot=content.lot,
            expiry=content.expiry,
            sscc=sscc,
            case_id=sscc,
            damaged=tuple(self.damage),
        )
        return self._place(case, sscc)

    def _pallet(self, sscc: str, parts: list[PalletPart], supervisor: int | None) -> ReceiveOutcome:
        assert self.receipt is not None
        done = self.records.receive_pallet(
            self.receipt.id, self.person.user_id, sscc, parts, supervisor
        )
        units = sum(p.quantity for p in parts)
        return self._done(done, f"the pallet whole, {plural(units, 'unit')}, its own plate")

    def _not_on_notice(
        self,
        scanned: str,
        sku: str | None,
        quantity: int,
        reading: CaseReading | None,
        case: CaseToReceive | None = None,
    ) -> ReceiveOutcome:
        assert self.receipt is not None
        self._reading = None
        lot = case.lot if case else (reading.lot or "" if reading else "")
        expiry = case.expiry if case else (reading.expiry if reading else None)
        done = self.records.not_on_notice(
            self.receipt.id, self.person.user_id, scanned, sku, quantity, lot, expiry
        )
        what = sku or "this item"
        label = self.labels.print(done.plate, f"HELD: NOT ON NOTICE · {what}")
        return ReceiveOutcome(
            True,
            "NOT ON NOTICE",
            f"{what} is not on this notice: {plural(quantity, 'unit')} held on plate "
            f"{done.plate} for a supervisor ({label})",
        )

    def _done(self, done: Recorded, words: str) -> ReceiveOutcome:
        self.receipt = done.receipt
        if done.new_plate:
            label = self.labels.print(done.plate, self._plate_line(done.plate))
            return ReceiveOutcome(True, "RECEIVED", f"{words}; new plate {done.plate}: {label}")
        return ReceiveOutcome(True, "RECEIVED", f"{words}; plate {done.plate}")

    # -- keys ----------------------------------------------------------------------------

    def toggle_break(self) -> ReceiveOutcome:
        self.break_pallet = not self.break_pallet
        if self.break_pallet:
            return ReceiveOutcome(True, "CASE BY CASE", "pallet broken down: scan each case")
        return ReceiveOutcome(True, "WHOLE PALLETS", "a pallet's SSCC receives it whole")

    def add_damage(self, reason: str, quantity: int) -> ReceiveOutcome:
        """Damaged units of the next case received (the scan after this key)."""
        try:
            chosen = DamageReason(reason)
        except ValueError:
            return ReceiveOutcome(False, "NOT A REASON", f"{reason!r} is not a damage reason")
        if quantity <= 0:
            return ReceiveOutcome(False, "HOW MANY?", "damaged units are counted from 1")
        self.damage.append((chosen.value, quantity))
        units = sum(n for _, n in self.damage)
        return ReceiveOutcome(
            True, "DAMAGE NOTED", f"{plural(units, 'damaged unit')} go with the next case scanned"
        )

    def damage_words(self) -> str:
        return ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in self.damage)

    def close_line(self, line_no: int, reason: str) -> ReceiveOutcome:
        assert self.receipt is not None
        row = next((r for r in self.lines() if r.line_no == line_no), None)
        if row is None:
            return ReceiveOutcome(False, "NO SUCH LINE", f"the notice has no line {line_no}")
        if row.closed:
            return ReceiveOutcome(False, "CLOSED", f"line {line_no} is closed already")
        if row.still_open == 0:
            return ReceiveOutcome(False, "NOT SHORT", f"line {line_no} is not short")
        try:
            chosen = ShortReason(reason)
        except ValueError:
            return ReceiveOutcome(False, "NOT A REASON", f"{reason!r} is not a reason to close")
        try:
            done = self.records.close_line(self.receipt.id, self.person.user_id, line_no, chosen)
        except (ServiceError, ValueError) as exc:
            return ReceiveOutcome(False, "REFUSED", str(exc))
        self.receipt = done.receipt
        short = plural(row.still_open, "unit")
        return ReceiveOutcome(True, "LINE CLOSED", f"line {line_no} closed {short} short")

    def new_plate(self) -> ReceiveOutcome:
        assert self.receipt is not None
        self.receipt = self.records.new_plate(self.receipt.id)
        return ReceiveOutcome(True, "NEW PLATE", "the next case starts a new plate")

    def reprint(self) -> ReceiveOutcome:
        plate = self.receipt.plate if self.receipt else None
        if plate is None:
            return ReceiveOutcome(False, "NO PLATE", "no plate yet: the next case starts one")
        return ReceiveOutcome(True, "LABEL", self.labels.print(plate, self._plate_line(plate)))

    def _plate_line(self, plate: str) -> str:
        """What the plate's label says is on it: the SKU, lot and expiry of its goods."""
        goods = self.records.goods_on(plate)
        if goods is None:
            return self.receipt.notice or "" if self.receipt else ""
        sku, lot, expiry = goods
        parts = [sku or "", f"LOT {lot}" if lot else "", f"EXP {expiry}" if expiry else ""]
        return "  ".join(p for p in parts if p)

    def finish(self) -> ReceiveOutcome:
        assert self.receipt is not None
        if self._reading is not None:
            return ReceiveOutcome(False, "CASE HALF READ", self._reading.reading.prompt())
        rows = self.lines()
        try:
            self.records.finish(self.receipt.id, self.person.user_id)
        except (ServiceError, ValueError) as exc:
            return ReceiveOutcome(False, "REFUSED", str(exc))
        left = [r for r in rows if r.still_open]
        reference = self.receipt.notice or "without a notice"
        self.receipt, self.notice, self.waiting = None, None, None
        tail = f"; {plural(len(left), 'line')} left open" if left else ""
        return ReceiveOutcome(
            True, "FINISHED", f"receipt {reference} finished{tail}", finished=True
        )

    def drop_reading(self) -> ReceiveOutcome | None:
        """Forget a case read half-way (its other label is missing); None when there is none."""
        if self._reading is None:
            return None
        self._reading = None
        return ReceiveOutcome(False, "CASE DROPPED", "nothing received: scan the case again")

    def leave(self) -> None:
        """Back to the home screen; the receipt stays open here and is resumed by its notice."""
        self.receipt, self.notice, self.waiting, self._reading = None, None, None, None
        self.damage = []

    # -- a supervisor's approval ---------------------------------------------------------

    async def approve(self, badge: str, pin: str | None) -> ReceiveOutcome:
        """A supervisor's badge (and PIN) checked as the log-in checks it, then the case."""
        if self.waiting is None:
            return ReceiveOutcome(False, "NOTHING TO APPROVE", "no case waits for a supervisor")
        found = await supervisor(self.login, badge, pin)
        if isinstance(found, ReceiveOutcome):
            return found
        return self.approved(found.user_id)

    def approved(self, supervisor_id: int) -> ReceiveOutcome:
        """Receive the waiting case or pallet with the supervisor's id."""
        waiting, self.waiting = self.waiting, None
        if waiting is None:
            return ReceiveOutcome(False, "NOTHING TO APPROVE", "no case waits for a supervisor")
        try:
            if waiting.pallet is not None:
                return self._pallet(*waiting.pallet, supervisor_id)
            assert waiting.case is not None
            return self._receive(replace(waiting.case, supervisor_id=supervisor_id))
        except (ServiceError, ValueError) as exc:
            return ReceiveOutcome(False, "REFUSED", str(exc))

    def set_aside(self) -> ReceiveOutcome:
        self.waiting = None
        return ReceiveOutcome(False, "NOT RECEIVED", "the case is not received: set it aside")

    # -- what the screen shows -----------------------------------------------------------

    def expected_scan(self) -> str | None:
        """The demo scanner's next label (nothing while a case is half read or waits)."""
        if self.receipt is None or self.waiting is not None or self._reading is not None:
            return None
        notice = self.receipt.notice
        return next_label(
            self.notice,
            self._rows(),
            self.lookups,
            lambda code: self.records.has_case(notice, code),
            whole_pallets=not self.break_pallet,
        )

    def _rows(self) -> dict[int, LineRow]:
        self.notice, rows = whole_notice(self.lookups, self.notice, self.receipt, self.policy)
        return rows

    def lines(self) -> list[LineRow]:
        """The notice's lines for the notice as a whole: every station's receipts."""
        return list(self._rows().values())

    def server_plates(self) -> list[str]:
        """Where the server put units of this notice on plates of its own, newest first."""
        reference = self.receipt.notice if self.receipt is not None else None
        return [plate_words(p) for p in self.lookups.server_plates(reference)]

    def heading(self) -> str:
        if self.receipt is None:
            return ""
        what = (
            f"Notice {self.notice.reference} · {self.notice.supplier.name}"
            if self.notice
            else "Receipt without a notice"
        )
        plate = self.receipt.plate or "new at the next case"
        mode = "case by case" if self.break_pallet else "whole pallets"
        return f"{what} · dock {self.receipt.dock} · plate {plate} · {mode}"


def untracked_words(lookups: ReceivingLookups, parts: list[PalletPart]) -> str:
    """Why the notice's word on a pallet is not enough (a tracked product's lot or expiry
    is not given), or ""."""
    for part in parts:
        product = lookups.product(part.sku)
        if product is None:
            continue
        missing = [
            what
            for what, tracked, given in (
                ("lot", product.lot_tracked, bool(part.lot)),
                ("expiry date", product.expiry_tracked, part.expiry is not None),
            )
            if tracked and not given
        ]
        if missing:
            return (
                f"the notice gives no {' or '.join(missing)} of {part.sku} on SSCC "
                f"{part.sscc}: F4, then scan each case's label"
            )
    return ""
