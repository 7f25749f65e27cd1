"""A complete case reading matched to the notice: its line, its units, and the quantity check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from toteflow.contracts.notices import Notice, NoticeLine, ReceivingPolicy, SsccOut
from toteflow.domain.receipt_lines import Decision, check_quantity
from toteflow.domain.receiving import CaseReading
from toteflow.station.services.receiving.records import CaseToReceive, PalletPart
from toteflow.station.services.receiving.views import LineRow, tolerance_of

# The notice's lines by number, tallied for the notice as a whole (views.line_rows).
Rows = Mapping[int, LineRow]


@dataclass(frozen=True)
class CasePlan:
    """What to do with a case: receive it (`case`), ask a supervisor first (`supervisor`
    says why), take it as not on the notice (`line` None on a notice), or refuse it."""

    case: CaseToReceive | None = None
    supervisor: str = ""
    not_on_notice: bool = False
    refused: str = ""


def case_id_of(reading: CaseReading, serial: str | None) -> str | None:
    """The case's identity: its SSCC, else GTIN/SERIAL, else None (its event's id)."""
    if reading.sscc:
        return reading.sscc
    if reading.gtin and serial:
        return f"{reading.gtin}/{serial}"
    return None


def line_for(notice: Notice, rows: Rows, sku: str, lot: str) -> NoticeLine | None:
    """The line a case of `sku` and `lot` goes on: one of the same lot, else one without a
    lot; an open line before a closed one. None: the notice does not list these goods (a
    lot it does not name is held as not on the notice, as the server would refuse it)."""
    lines = [line for line in notice.lines if line.sku == sku]
    if not lines:
        return None

    def closed(line: NoticeLine) -> bool:
        row = rows.get(line.line_no)
        return row is not None and row.closed

    fitting = [line for line in lines if line.lot == lot] or [ln for ln in lines if not ln.lot]
    return next((line for line in fitting if not closed(line)), fitting[0] if fitting else None)


def _received(rows: Rows, line_no: int) -> int:
    row = rows.get(line_no)
    return row.received if row is not None else 0


def plan_case(
    notice: Notice | None,
    rows: Rows,
    case: CaseToReceive,
    policy: ReceivingPolicy,
) -> CasePlan:
    """Where `case` (its line not yet chosen) goes, and whether its quantity needs approval:
    checked against the whole notice's tallies and the line's own tolerance."""
    if notice is None:
        return CasePlan(case=case)  # a blind receipt: the server finds the line, or none
    line = line_for(notice, rows, case.sku, case.lot)
    if line is None:
        return CasePlan(case=case, not_on_notice=True)
    row = rows.get(line.line_no)
    if row is not None and row.closed:
        return CasePlan(refused=f"line {line.line_no} ({line.sku}) is closed: nothing more on it")
    placed = CaseToReceive(
        sku=case.sku,
        quantity=case.quantity,
        line_no=line.line_no,
        lot=case.lot,
        expiry=case.expiry,
        sscc=case.sscc,
        case_id=case.case_id,
        damaged=case.damaged,
        supervisor_id=case.supervisor_id,
    )
    check = check_quantity(
        line.base_quantity,
        _received(rows, line.line_no),
        case.quantity,
        tolerance_of(policy, notice.supplier.code, line.sku),
        approved=case.supervisor_id is not None,
    )
    if check.decision is Decision.REFUSE:
        return CasePlan(refused=check.words)
    if check.decision is Decision.NEEDS_SUPERVISOR:
        return CasePlan(case=placed, supervisor=f"line {line.line_no} {line.sku}: {check.words}")
    return CasePlan(case=placed)


def pallet_parts(notice: Notice, rows: Rows, sscc: str) -> list[PalletPart] | str:
    """Everything on the pallet `sscc` (its own contents and its cases'), line by line; or
    why it cannot be received whole."""
    by_sscc = {s.sscc: s for s in notice.ssccs}
    children: dict[str, list[SsccOut]] = {}
    for s in notice.ssccs:
        if s.parent_sscc is not None:
            children.setdefault(s.parent_sscc, []).append(s)
    parts: list[PalletPart] = []
    todo = [by_sscc[sscc]]
    while todo:
        unit = todo.pop(0)
        todo.extend(children.get(unit.sscc, []))
        for content in unit.contents:
            line = line_for(notice, rows, content.sku, content.lot)
            if line is None:
                return f"SSCC {unit.sscc} holds {content.sku}, which is not on the notice"
            parts.append(
                PalletPart(
                    unit.sscc,
                    line.line_no,
                    content.sku,
                    content.lot,
                    content.expiry,
                    content.quantity,
                )
            )
    if not parts:
        return f"the notice lists nothing on SSCC {sscc}: F4 to receive it case by case"
    return parts


def pallet_check(
    notice: Notice, rows: Rows, parts: list[PalletPart], policy: ReceivingPolicy
) -> str:
    """Why the pallet needs a supervisor (a line beyond its tolerance, counted for the whole
    notice), or ""."""
    added: dict[int, int] = {}
    for part in parts:
        added[part.line_no] = added.get(part.line_no, 0) + part.quantity
    lines = {line.line_no: line for line in notice.lines}
    for line_no, quantity in sorted(added.items()):
        line = lines[line_no]
        tolerance = tolerance_of(policy, notice.supplier.code, line.sku)
        check = check_quantity(line.base_quantity, _received(rows, line_no), quantity, tolerance)
        if check.decision is not Decision.ACCEPT:
            return f"line {line_no} {line.sku}: {check.words}"
    return ""
