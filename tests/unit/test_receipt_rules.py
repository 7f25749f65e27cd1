"""The server's receiving rules: which tolerance and inspection apply, the confirmation as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from toteflow.central.ports.receipts import CaseRow, LineRow, NoticeHead
from toteflow.central.services.receiving.confirmation import confirmation_csv, confirmation_of
from toteflow.central.services.receiving.policy import line_rules
from toteflow.contracts import notices as n
from toteflow.domain.receipt_lines import NO_TOLERANCE, Tolerance

POLICY = n.ReceivingPolicy(
    blind_receipts=False,
    over_tolerance_pct=1.0,
    suppliers={
        "ACME": n.SupplierTolerance(over_tolerance_pct=5.0),
        "ZERO": n.SupplierTolerance(over_tolerance_pct=0.0, inspect=True),
    },
    products={
        "SKU-P": n.ProductRules(over_tolerance_pct=2.5),
        "SKU-0": n.ProductRules(over_tolerance_pct=0.0),
        "SKU-I": n.ProductRules(inspect=True),
    },
)


def test_the_product_comes_before_the_supplier_and_the_supplier_before_the_site() -> None:
    assert line_rules(POLICY, "ACME", "SKU-P").tolerance == Tolerance(percent=Decimal("2.5"))
    assert line_rules(POLICY, "ACME", "SKU-0").tolerance == Tolerance(percent=Decimal("0.0"))
    assert line_rules(POLICY, "ACME", "SKU-X").tolerance == Tolerance(percent=Decimal("5.0"))
    assert line_rules(POLICY, "OTHER", "SKU-X").tolerance == Tolerance(percent=Decimal("1.0"))
    assert line_rules(POLICY, "ZERO", "SKU-X").tolerance == NO_TOLERANCE
    # A product without its own tolerance takes its supplier's.
    assert line_rules(POLICY, "ACME", "SKU-I").tolerance == Tolerance(percent=Decimal("5.0"))


def test_inspection_is_flagged_by_the_product_or_the_supplier() -> None:
    assert line_rules(POLICY, "ACME", "SKU-I").inspect
    assert line_rules(POLICY, "ZERO", "SKU-X").inspect
    assert not line_rules(POLICY, "ACME", "SKU-X").inspect


def _case(lot: str, quantity: int, damaged: int = 0, **kw: object) -> CaseRow:
    values: dict[str, object] = {
        "line_id": 1,
        "kind": "case",
        "case_id": f"C-{lot}-{quantity}",
        "sku": "SKU-A",
        "scanned": "",
        "lot": lot,
        "expiry": date(2027, 1, 31),
        "quantity": quantity,
        "accepted": quantity - damaged,
        "damaged": damaged,
        "held": 0,
        "damage": {"wet": damaged} if damaged else {},
        "plates": [],
        "station_id": 1,
    }
    values.update(kw)
    return CaseRow(**values)  # type: ignore[arg-type]


def test_the_confirmation_adds_up_per_line_and_lot_and_its_csv_is_safe() -> None:
    head = NoticeHead(7, "PO-1", "po", "receiving", "ACME", "Acme")
    line = LineRow(1, 1, "SKU-A", 3, "EA", "", None, 20, 18, 15, 3, 0, "closed", "supplier_short")
    empty = LineRow(2, 2, "SKU-B", 4, "EA", "", None, 5, 0, 0, 0, 0, "open", "")
    cases = [
        _case("L1", 10, 1),
        _case("L1", 5, 2),
        _case("@L2", 3),
        _case("", 2, 0, line_id=None, kind="not_on_notice", sku=None, scanned="=HYPERLINK()"),
    ]
    at = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    done = confirmation_of(head, [line, empty], cases, at, by="station", reason="")
    first = done.lines[0]
    assert (first.expected, first.received, first.short, first.over) == (20, 18, 2, 0)
    assert first.damage == {"wet": 3}
    assert [(x.lot, x.received, x.damaged) for x in first.lots] == [("@L2", 3, 0), ("L1", 15, 3)]
    assert done.lines[1].lots == []
    assert done.not_on_notice[0].quantity == 2
    assert done.idempotency_key == "notice.received:PO-1"
    table = list(csv.reader(io.StringIO(confirmation_csv(done))))
    assert table[0][:3] == ["notice", "line_no", "sku"]
    assert [row[10] for row in table[1:]] == ["'@L2", "L1", "", ""]
    assert table[-1][2] == "'=HYPERLINK()"
    assert table[2][-1] == "wet=3"
