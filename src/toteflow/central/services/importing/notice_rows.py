"""Checking notice rows: one row is one notice line, or the part of a line on one SSCC.

The rows of one reference make one notice and repeat its fields. Rows with the same line_no
(or, without line numbers, the same SKU, unit, lot and expiry) add up to one line. A row with
an `sscc` puts its units on that pallet or case; `parent_sscc` names the pallet a case is on
(a pallet named only as a parent is on the notice without contents of its own).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from toteflow.central.services.importing.cells import Cells, shown
from toteflow.central.services.importing.plan import Checker, NoticeDraft
from toteflow.central.services.notice_checks import check_notice
from toteflow.contracts import notices as nts
from toteflow.contracts.common import MAX_QUANTITY
from toteflow.domain.gs1 import gs1_check_digit

# The columns every row of one notice repeats.
HEADER_COLUMNS = ("kind", "supplier_code", "supplier_name", "expected_on", "dock")
LineKey = tuple[str, str, str, date | None]  # sku, uom, lot, expiry


@dataclass(frozen=True)
class _Row:
    """One good row's values."""

    header: dict[str, Any]
    number: int  # 0: no line_no given
    key: LineKey
    quantity: int
    sscc: str
    parent: str
    units: Mapping[str, int]  # of the row's SKU


@dataclass
class _Line:
    key: LineKey
    row: int
    quantity: int


@dataclass
class _Group:
    row: int
    header: dict[str, Any]
    lines: dict[int, _Line] = field(default_factory=dict)
    numbers: dict[LineKey, int] = field(default_factory=dict)  # rows without line_no
    parents: dict[str, str | None] = field(default_factory=dict)
    named: set[str] = field(default_factory=set)  # SSCCs given in the sscc column
    contents: dict[str, Counter[tuple[str, str, date | None]]] = field(default_factory=dict)
    units: dict[str, Mapping[str, int]] = field(default_factory=dict)


class NoticesChecker(Checker):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.groups: dict[str, _Group] = {}
        self.ssccs: dict[str, tuple[str, int]] = {}  # SSCC -> (reference, first line)
        self.sscc_rows: list[tuple[int, str, str]] = []  # line, SSCC, reference

    def row(self, line: int, values: Mapping[str, str]) -> None:
        reference = values.get("reference", "")
        cells = Cells(values, "notices")
        parsed = self._parse(cells, reference, line)
        if cells.errors or parsed is None:
            self.plan.fail(line, cells.errors or ["the row cannot be read"], reference)
            return
        group = self.groups.get(reference)
        if group is None:
            group = self.groups[reference] = _Group(line, parsed.header)
        problem = self._differs(group, parsed.header, reference) or self._add(group, line, parsed)
        if problem:
            self.plan.fail(line, [problem], reference)

    def _parse(self, cells: Cells, reference: str, line: int) -> _Row | None:
        """The row's values, or None with what is wrong said in `cells`."""
        cells.required("reference", 64)
        header: dict[str, Any] = {column: cells.text(column) for column in HEADER_COLUMNS}
        header["kind"] = header["kind"].lower()
        header["expected_on"] = cells.day("expected_on", required=True)
        number = cells.whole("line_no", 1, 9999, default=0)
        sku = cells.required("sku", 64)
        quantity = cells.whole("quantity", 1, MAX_QUANTITY)
        uom = cells.text("uom").upper() or "EA"
        lot = cells.text("lot")
        if len(lot) > 40:
            cells.fail("lot", "lot is longer than 40 characters")
        expiry = cells.day("expiry", required=False)
        sscc, parent = self._sscc(cells, "sscc"), self._sscc(cells, "parent_sscc")
        if parent and not sscc:
            cells.fail("parent_sscc", "parent_sscc is given without an sscc for the case on it")
        if sscc and header["kind"] != "asn":
            cells.fail("sscc", "sscc is given on a notice that is not an ASN (kind asn)")
        units = self.lookups.units_of(sku) if sku and "sku" not in cells.bad else None
        if sku and "sku" not in cells.bad and units is None:
            cells.fail("sku", f"unknown SKU {sku}")
        elif units is not None and uom not in units:
            cells.fail("uom", f"SKU {sku} has no unit {uom} (it has {', '.join(sorted(units))})")
        if sscc and "sscc" not in cells.bad:
            # Notices in the database are asked about once the file is read, all together.
            first = self.ssccs.setdefault(sscc, (reference, line))
            if first[0] != reference:
                cells.fail("sscc", f"SSCC {sscc} is on notice {first[0]} too (line {first[1]})")
            else:
                self.sscc_rows.append((line, sscc, reference))
        if cells.errors or quantity is None or number is None or units is None:
            return None
        return _Row(header, number, (sku, uom, lot, expiry), quantity, sscc, parent, units)

    @staticmethod
    def _sscc(cells: Cells, column: str) -> str:
        raw = cells.text(column).strip()
        if not raw:
            return ""
        if len(raw) != 18 or not raw.isascii() or not raw.isdigit():
            cells.fail(column, f"{column} {shown(raw)} is not an SSCC: 18 digits")
        elif int(raw[-1]) != (expected := gs1_check_digit(raw[:-1])):
            cells.fail(
                column,
                f"{column} {raw} has a wrong check digit: with these digits it ends in {expected}",
            )
        return raw

    @staticmethod
    def _differs(group: _Group, header: dict[str, Any], reference: str) -> str | None:
        differ = [
            f"{column} {shown(header[column])} differs from line {group.row} "
            f"({shown(group.header[column])})"
            for column in HEADER_COLUMNS
            if header[column] != group.header[column]
        ]
        if not differ:
            return None
        return (
            f"notice {reference}: {'; '.join(differ)}: the rows of one notice repeat the same "
            "notice fields"
        )

    def _add(self, group: _Group, line: int, row: _Row) -> str | None:
        key, number = row.key, row.number
        if not number:
            number = group.numbers.get(key) or max(group.lines, default=0) + 1
            group.numbers[key] = number
        kept = group.lines.get(number)
        if kept is not None and kept.key != key:
            return (
                f"line_no {number} is {_described(kept.key)} on line {kept.row}, not "
                f"{_described(key)}: the rows of one notice line repeat its SKU, uom, lot and "
                "expiry"
            )
        if kept is not None and kept.quantity + row.quantity > MAX_QUANTITY:
            return f"line_no {number} adds up to more than {MAX_QUANTITY:,}: split the line"
        if row.sscc:
            sscc, parent = row.sscc, row.parent or None
            if sscc in group.named and group.parents.get(sscc) != parent:
                return f"sscc {sscc} has another parent_sscc on an earlier row"
            group.named.add(sscc)
            if parent:
                group.parents.setdefault(parent, None)  # a pallet before the cases on it
            group.parents[sscc] = parent
            sku, uom, lot, expiry = key
            packed = group.contents.setdefault(sscc, Counter())
            packed[(sku, lot, expiry)] += row.quantity * row.units[uom]
        if kept is None:
            group.lines[number] = _Line(key, line, row.quantity)
        else:
            kept.quantity += row.quantity
        group.units[key[0]] = row.units
        return None

    def finish(self) -> None:
        taken = self.lookups.sscc_notices(sorted({sscc for _l, sscc, _r in self.sscc_rows}))
        for line, sscc, reference in self.sscc_rows:
            if taken.get(sscc, reference) != reference:
                self.plan.fail(line, [f"SSCC {sscc} is already on notice {taken[sscc]}"], reference)
        for reference, group in self.groups.items():
            if reference in self.plan.bad_keys:
                continue
            notice, problems = self._notice(reference, group)
            if notice is not None:
                kinds = {}
                if notice.dock and (kind := self.lookups.location_kind(notice.dock)):
                    kinds[notice.dock] = kind
                problems = [str(p) for p in check_notice(notice, group.units, kinds)]
            if problems or notice is None:
                self.plan.fail(group.row, [f"notice {reference}: {p}" for p in problems], reference)
                continue
            self.plan.notices[reference] = NoticeDraft(group.row, notice)

    @staticmethod
    def _notice(reference: str, group: _Group) -> tuple[nts.NoticeCreate | None, list[str]]:
        header = group.header
        data = {
            "reference": reference,
            "kind": header["kind"],
            "supplier": {"code": header["supplier_code"], "name": header["supplier_name"]},
            "expected_on": header["expected_on"],
            "dock": header["dock"] or None,
            "lines": [
                {
                    "line_no": number,
                    "sku": line.key[0],
                    "quantity": line.quantity,
                    "uom": line.key[1],
                    "lot": line.key[2],
                    "expiry": line.key[3],
                }
                for number, line in sorted(group.lines.items())
            ],
            "ssccs": [
                {
                    "sscc": sscc,
                    "parent_sscc": parent,
                    "contents": [
                        {"sku": sku, "quantity": units, "lot": lot, "expiry": expiry}
                        for (sku, lot, expiry), units in group.contents.get(sscc, {}).items()
                    ],
                }
                for sscc, parent in group.parents.items()
            ],
        }
        try:
            return nts.NoticeCreate.model_validate(data), []
        except ValidationError as exc:
            return None, [_explained(error) for error in exc.errors()]


def _described(key: LineKey) -> str:
    sku, uom, lot, expiry = key
    return (
        f"{sku} in {uom}" + (f" lot {lot}" if lot else "") + (f" expiry {expiry}" if expiry else "")
    )


_COLUMN_OF = {
    ("reference",): "reference",
    ("kind",): "kind",
    ("supplier", "code"): "supplier_code",
    ("supplier", "name"): "supplier_name",
    ("expected_on",): "expected_on",
    ("dock",): "dock",
}


def _explained(error: Mapping[str, Any]) -> str:
    location = tuple(error["loc"])
    column = _COLUMN_OF.get(location, ".".join(str(part) for part in location))
    given = error.get("input")
    value = f" {shown(given)}" if isinstance(given, str) else ""
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{column}{value}: {message}"
