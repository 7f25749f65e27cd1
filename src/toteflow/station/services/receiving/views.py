"""What the receiving screens show: an outcome's words and a notice's lines with their tallies."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from toteflow.contracts.notices import Notice, ReceivingPolicy
from toteflow.domain.receipt_lines import Tolerance
from toteflow.station.ports.receiving import LineTally, Receipt, ServerPlate, Uncounted
from toteflow.station.services.receiving.lookups import ReceivingLookups

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
    """One notice line as the receiver sees it, for the notice as a whole (every station's
    receipts): expected, received, damaged and held, still open."""

    line_no: int
    sku: str
    lot: str
    expected: int
    received: int
    damaged: int
    closed: bool
    short_reason: str | None
    held: int = 0

    @property
    def still_open(self) -> int:
        return 0 if self.closed else max(0, self.expected - self.received)

    @property
    def over(self) -> int:
        return max(0, self.received - self.expected)


def line_rows(
    notice: Notice | None,
    receipt: Receipt | None,
    uncounted: Mapping[int, Uncounted] | None = None,
    inspect: Callable[[str], bool] = lambda sku: False,
) -> list[LineRow]:
    """The notice's lines with the server's tallies (every station's receipts it has
    applied, as the feed last brought them) and, on top, this station's cases the server
    has not counted yet (`uncounted`); a line is closed when the server or this receipt
    closed it. `inspect(sku)`: whether sound units of that SKU go to quality hold."""
    if notice is None:
        return []
    tallies = receipt.lines if receipt is not None else {}
    extra = uncounted or {}
    rows = []
    for line in notice.lines:
        mine = tallies.get(line.line_no, LineTally())
        more = extra.get(line.line_no, Uncounted())
        sound = more.received - more.damaged
        closed = line.status == "closed" or mine.closed
        rows.append(
            LineRow(
                line.line_no,
                line.sku,
                line.lot,
                line.base_quantity,
                line.received + more.received,
                line.damaged + more.damaged,
                closed,
                (line.short_reason or mine.short_reason) if closed else None,
                line.held + (sound if inspect(line.sku) else 0),
            )
        )
    return rows


def tolerance_of(policy: ReceivingPolicy, supplier: str | None, sku: str) -> Tolerance:
    """The over-receipt tolerance of a line: the product's, else the supplier's, else the
    site's (the rule the server applies, `ReceivingPolicy.rules_for`)."""
    return policy.rules_for(supplier, sku).tolerance


def whole_notice(
    lookups: ReceivingLookups,
    notice: Notice | None,
    receipt: Receipt | None,
    policy: ReceivingPolicy,
) -> tuple[Notice | None, dict[int, LineRow]]:
    """The notice as the feed last brought it (kept as it was if it has left the cache) and
    its lines tallied for the notice as a whole, by line number."""
    if notice is None:
        return None, {}
    fresh, uncounted = lookups.tallies(notice.reference)
    now = fresh or notice
    supplier = now.supplier.code

    def inspect(sku: str) -> bool:
        return policy.rules_for(supplier, sku).inspect

    rows = line_rows(now, receipt, uncounted, inspect)
    return now, {row.line_no: row for row in rows}


def plate_words(plate: ServerPlate) -> str:
    """Where the server put units of a receipt here on a plate of its own."""
    goods = " ".join(
        x for x in (plate.sku or "units", f"lot {plate.lot}" if plate.lot else "") if x
    )
    held = " (held)" if plate.held else ""
    return f"{plate.code}: {plate.quantity} {goods} at {plate.location}{held}"
