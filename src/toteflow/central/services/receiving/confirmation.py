"""The receipt confirmation of a notice, per line and lot, as JSON and as a CSV file."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from toteflow.central.ports.receipts import CaseRow, LineRow, NoticeHead
from toteflow.contracts import notices as n
from toteflow.contracts import receipts as r
from toteflow.shared.csv_cells import SafeCsvWriter

CSV_HEADER = (
    "notice",
    "line_no",
    "sku",
    "uom",
    "line_expected",
    "line_received",
    "line_short",
    "line_over",
    "line_status",
    "short_reason",
    "lot",
    "expiry",
    "received",
    "accepted",
    "damaged",
    "held",
    "damage_reasons",
)


def confirmation_of(
    head: NoticeHead,
    lines: Sequence[LineRow],
    cases: Sequence[CaseRow],
    at: datetime,
    *,
    by: Literal["station", "supervisor"],
    reason: str,
) -> r.ReceiptConfirmation:
    by_line: dict[int, list[CaseRow]] = {}
    for case in cases:
        if case.line_id is not None:
            by_line.setdefault(case.line_id, []).append(case)
    return r.ReceiptConfirmation(
        idempotency_key=f"notice.received:{head.reference}",
        notice=head.reference,
        kind=head.kind,
        supplier=n.Supplier(code=head.supplier_code, name=head.supplier_name),
        status=n.NoticeStatus.RECEIVED.value,
        received_at=at,
        closed_by=by,
        reason=reason,
        lines=[_line(line, by_line.get(line.id, [])) for line in lines],
        not_on_notice=[
            r.ConfirmedExtra(
                scanned=c.scanned,
                sku=c.sku,
                lot=c.lot,
                expiry=c.expiry,
                quantity=c.quantity,
                plates=c.plates,
            )
            for c in cases
            if c.kind == "not_on_notice"
        ],
    )


def _line(line: LineRow, cases: list[CaseRow]) -> r.ConfirmedLine:
    lots: dict[tuple[str, date | None], list[CaseRow]] = {}
    for case in cases:
        lots.setdefault((case.lot, case.expiry), []).append(case)
    return r.ConfirmedLine(
        line_no=line.line_no,
        sku=line.sku,
        uom=line.uom,
        expected=line.expected,
        received=line.received,
        accepted=line.accepted,
        damaged=line.damaged,
        held=line.held,
        over=max(0, line.received - line.expected),
        short=max(0, line.expected - line.received),
        status="closed" if line.status == "closed" else "open",
        short_reason=line.short_reason,
        damage=_damage(cases),
        lots=[
            r.ConfirmedLot(
                lot=lot,
                expiry=expiry,
                received=sum(c.quantity for c in group),
                accepted=sum(c.accepted for c in group),
                damaged=sum(c.damaged for c in group),
                held=sum(c.held for c in group),
                damage=_damage(group),
            )
            for (lot, expiry), group in sorted(
                lots.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))
            )
        ],
    )


def _damage(cases: Sequence[CaseRow]) -> dict[str, int]:
    total: dict[str, int] = {}
    for case in cases:
        for reason, units in case.damage.items():
            total[reason] = total.get(reason, 0) + units
    return dict(sorted(total.items()))


def confirmation_csv(confirmation: r.ReceiptConfirmation) -> str:
    """One row per line and lot (a line with nothing received: one row, no lot), then the
    units not on the notice; every text cell neutralised for spreadsheets."""
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in confirmation.lines:
        head = [
            confirmation.notice,
            line.line_no,
            line.sku,
            line.uom,
            line.expected,
            line.received,
            line.short,
            line.over,
            line.status,
            line.short_reason,
        ]
        if not line.lots:
            writer.writerow([*head, "", "", 0, 0, 0, 0, ""])
        for lot in line.lots:
            writer.writerow(
                [
                    *head,
                    lot.lot,
                    lot.expiry.isoformat() if lot.expiry else "",
                    lot.received,
                    lot.accepted,
                    lot.damaged,
                    lot.held,
                    _reasons(lot.damage),
                ]
            )
    for extra in confirmation.not_on_notice:
        writer.writerow(
            [
                confirmation.notice,
                "",
                extra.sku or extra.scanned,
                "",
                0,
                0,
                0,
                0,
                "not_on_notice",
                "",
                extra.lot,
                extra.expiry.isoformat() if extra.expiry else "",
                extra.quantity,
                0,
                0,
                extra.quantity,
                "",
            ]
        )
    return out.getvalue()


def _reasons(damage: dict[str, int]) -> str:
    return "; ".join(f"{reason}={units}" for reason, units in damage.items())
