"""CSV files the system writes: a cell a spreadsheet would run as a formula goes out as text."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

import pytest

from tests.server.conftest import Site
from tests.server.test_shipping_api import API, block, carton, close, picked, sscc_of, statuses
from tests.server.test_sync_api import event, push
from tests.unit.test_importing import FakeLookups, order_row, orders
from toteflow.central.services.importing.bad_rows import write_bad_rows
from toteflow.central.services.importing.checking import check_file
from toteflow.domain.roles import Role
from toteflow.shared.csv_cells import SafeCsvWriter, neutralised, restored

FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_cell_starting_like_a_formula_gets_a_quote(cell: str) -> None:
    assert neutralised(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["SO-1", "a=b", "", "'=already text", " =x", 5, -5, 1.5, None])
def test_other_cells_and_numbers_are_left_alone(cell: object) -> None:
    assert neutralised(cell) == cell


def test_the_safe_writer_neutralises_every_text_cell() -> None:
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\n").writerows([["=1+1", -3, "ok"], ["@x", "-y"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1+1", "-3", "ok"],
        ["'@x", "'-y"],
    ]


def test_the_skip_bad_file_neutralises_formulas(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        orders(
            order_row("SO-1", customer="=cmd|' /C calc'!A0", quantity="0"),
            order_row("@SO-2", city="+Leeds", ship_by="2026-13-01"),
        )
    )
    plan = check_file("orders", source, FakeLookups())
    target = tmp_path / "bad.csv"
    assert write_bad_rows(plan, target) == 2
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:2] == ["SO-1", "'=cmd|' /C calc'!A0"]
    assert rows[2][0] == "'@SO-2"
    assert rows[2][5] == "'+Leeds"
    flat = [cell for row in rows for cell in row]
    assert not [cell for cell in flat if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_shipment_export_neutralises_formulas_and_stores_them_as_sent(site: Site) -> None:
    reference = "=HYPERLINK(1)"
    picked(site, reference=reference)
    b = block(site)
    key = str(uuid.uuid4())
    sscc = sscc_of(b, 0)
    reply = push(
        site,
        event(2, "carton.packed", carton(key, reference, 1, sscc, {f"SKU-{reference}": 2})),
        event(3, "shipment.closed", close(key, reference, 1)),
    )
    assert statuses(reply) == ["applied"] * 2, reply.text
    packer = site.login(Role.PACKER)
    stored = site.client.get(f"{API}/shipments", headers=packer).json()["items"][0]
    assert stored["order_reference"] == reference
    exported = site.client.get(f"{API}/shipments.csv", headers=packer)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["order_reference"] == "'" + reference
    assert rows[0]["contents"] == f"SKU-{reference}=2"


def test_a_fixed_skip_bad_file_imports_the_values_as_first_received(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(orders(order_row("SO-1", customer="=Smith+Jones", quantity="0")))
    target = tmp_path / "bad.csv"
    assert write_bad_rows(check_file("orders", source, FakeLookups()), target) == 1
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][1] == "'=Smith+Jones"
    rows[1][14] = "2"  # the fix: a quantity in range
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    plan = check_file("orders", target, FakeLookups())
    assert plan.ok
    assert [order.order().customer_name for order in plan.orders.values()] == ["=Smith+Jones"]


@pytest.mark.parametrize(
    ("cell", "back"), [("'=x", "=x"), ("'-5", "-5"), ("'x", "'x"), ("'", "'"), ("", "")]
)
def test_only_the_quote_we_add_is_taken_off_on_the_way_in(cell: str, back: str) -> None:
    assert restored(cell) == back


def test_every_csv_the_system_writes_goes_through_the_safe_writer() -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "toteflow"
    helper = source / "shared" / "csv_cells.py"
    direct = [
        str(path.relative_to(source))
        for path in sorted(source.rglob("*.py"))
        if path != helper and re.search(r"csv\.(writer|DictWriter)\b", path.read_text())
    ]
    assert direct == [], "write CSV through toteflow.shared.csv_cells.SafeCsvWriter"
