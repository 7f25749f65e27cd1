"""What the receiving screens show: an outcome's words and a notice's lines with their tallies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from toteflow.contracts.notices import Notice, ReceivingPolicy
from toteflow.domain.receipt_lines import NO_TOLERANCE, Tolerance
from toteflow.station.ports.receiving import LineTally, Receipt

NO_POLICY = ReceivingPolicy(blind_receipts=False, over_tolerance_pct=0.0, suppliers={})


@dataclass(frozen=True)
class ReceiveOutcome:
    """What a scan or key did: good or refused, a headline and why.

    `supervisor`: the case waits for a supervisor's badge; `opened`: a receipt is open now;
    `finished`: the receipt is done and the receiver goes back to the home screen.
    """

    ok: bool
    headline: str
    detail: str = ""
    supervisor: bool = False
    opened: bool = False
    finished: bool = False


@dataclass(frozen=True)
class LineRow:
    """One notice line as the receiver sees it: expected, received, still open."""

    line_no: int
    sku: str
    lot: str
    expected: int
    received: int
    damaged: int
    closed: bool
    short_reason: str | None

    @property
    def still_open(self) -> int:
        return 0 if self.closed else max(0, self.expected - self.received)

    @property
    def over(self) -> int:
        return max(0, self.received - self.expected)


def line_rows(notice: Notice | None, receipt: Receipt | None) -> list[LineRow]:
    """The notice's lines with this station's tallies; a blind receipt's SKUs as received."""
    tallies = receipt.lines if receipt is not None else {}
    if notice is None:
        return []
    rows = []
    for line in notice.lines:
        tally = tallies.get(line.line_no, LineTally())
        rows.append(
            LineRow(
                line.line_no,
                line.sku,
                line.lot,
                line.base_quantity,
                tally.received,
                tally.damaged,
                tally.closed,
                tally.short_reason,
            )
        )
    return rows


def tolerance_of(policy: ReceivingPolicy, supplier: str | None) -> Tolerance:
    """The over-receipt tolerance for a supplier: its own, else the site's."""
    own = policy.suppliers.get(supplier) if supplier else None
    percent = own.over_tolerance_pct if own is not None else policy.over_tolerance_pct
    return Tolerance(percent=Decimal(str(percent))) if percent > 0 else NO_TOLERANCE
