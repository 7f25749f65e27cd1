"""`toteflow import` against SQLite and PostgreSQL: all or nothing, --skip-bad, re-runs, size."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from typer.testing import CliRunner

import toteflow.cli.cmd_import  # noqa: F401  (registers `toteflow import` on the app)
from tests.conftest import Database
from toteflow.central import bootstrap
from toteflow.central.api.deps import Services
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.importing.service import (
    ImportInterrupted,
    ImportReport,
    ImportService,
)
from toteflow.cli.common import app
from toteflow.config import Settings
from toteflow.contracts.catalogue import LocationCreate
from toteflow.contracts.orders import OrderCreate, OrderFilter
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.errors import Forbidden
from toteflow.domain.roles import Role

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"
SAMPLE_LOCATIONS = ("01-001-1", "01-001-2", "01-001-3", "01-002-1", "01-002-2", "01-003-1")
SAMPLE_LOCATIONS += ("01-003-2",)
ORDER_COLUMNS = [
    "reference",
    "customer_name",
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
    "carrier",
    "service",
    "priority",
    "ship_by",
    "sku",
    "quantity",
]


@dataclass
class Site:
    engine: Engine
    services: Services
    importer: ImportService
    url: str  # for --database-url: PostgreSQL's test schema rides along in the URL

    def orders(self) -> list[str]:
        page = self.services.orders.find(SYSTEM, OrderFilter(), 0, 10_000)
        return sorted(order.reference for order in page.items)

    def stock(self) -> dict[tuple[str, str, str], tuple[int, date]]:
        page = self.services.catalogue.stock(SYSTEM, None, None, 0, 1000)
        return {(r.location, r.sku, r.lot): (r.quantity, r.received_on) for r in page.items}


@pytest.fixture
def site(database: Database, settings: Settings) -> Iterator[Site]:
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    services.catalogue.apply_layout(
        SYSTEM, [], [LocationCreate(code=code) for code in SAMPLE_LOCATIONS]
    )
    url = database.url
    if database.schema:
        url += f"?options=-csearch_path%3D{database.schema}"
    yield Site(engine, services, bootstrap.build_importer(engine), url)
    engine.dispose()


def toteflow_import(site: Site, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["import", *args, "--database-url", site.url])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def write_orders(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ORDER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def order(reference: str, sku: str = "MUG-350", quantity: int = 1, **fields: str) -> dict[str, str]:
    row = {
        "reference": reference,
        "customer_name": "Northwind, Ltd",
        "ship_name": "Goods In",
        "ship_line1": "12 Harbour Road",
        "ship_line2": "",
        "ship_city": "Leeds",
        "ship_region": "",
        "ship_postal_code": "LS1 4AB",
        "ship_country": "GB",
        "carrier": "dpd",
        "service": "next-day",
        "priority": "5",
        "ship_by": "2026-12-01",
        "sku": sku,
        "quantity": str(quantity),
    }
    row.update(fields)
    return row


def import_samples(site: Site) -> None:
    code, _out, err = toteflow_import(site, "products", str(SAMPLES / "products.csv"))
    assert code == 0, err


def test_the_samples_import_and_a_second_run_changes_nothing(site: Site) -> None:
    runs = [
        ("products", "imported 5 products, 0 already present, 0 bad"),
        ("orders", "imported 5 orders, 0 already present, 0 bad"),
        ("stock", "imported 7 stock positions, 0 unchanged, 0 bad"),
    ]
    for kind, summary in runs:
        code, out, err = toteflow_import(site, kind, str(SAMPLES / f"{kind}.csv"))
        assert (code, out.strip(), err) == (0, summary, "")
    orders, stock = site.orders(), site.stock()
    assert orders == ["SO-10001", "SO-10002", "SO-10003", "SO-10004", "SO-10005"]
    assert stock[("01-002-1", "TEA-GRN-20", "L2026-07")] == (60, date(2026, 9, 20))
    mug = site.services.catalogue.product(SYSTEM, "MUG-350")
    assert [(unit.uom, unit.units) for unit in mug.units] == [("EA", 1), ("CS", 6)]
    assert site.services.orders.get(SYSTEM, "SO-10005").ship_to.line1 == '22 Station Road, Apt "B"'

    again = [
        ("products", "imported 0 products, 5 already present, 0 bad"),
        ("orders", "imported 0 orders, 5 already present, 0 bad"),
        ("stock", "imported 0 stock positions, 7 unchanged, 0 bad"),
    ]
    for kind, summary in again:
        code, out, _err = toteflow_import(site, kind, str(SAMPLES / f"{kind}.csv"))
        assert (code, out.strip()) == (0, summary)
    assert (site.orders(), site.stock()) == (orders, stock)


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(
    site: Site, tmp_path: Path
) -> None:
    import_samples(site)
    rows = [order(f"SO-{n}") for n in range(1, 40)]
    rows[9]["ship_by"] = "2026-13-01"
    rows[20]["sku"] = "ABC-9"
    path = write_orders(tmp_path / "orders.csv", rows)
    code, out, err = toteflow_import(site, "orders", str(path))
    assert code == 2
    assert out.splitlines() == [
        "line 11: ship_by '2026-13-01' is not a date (YYYY-MM-DD)",
        "line 22: unknown SKU ABC-9",
    ]
    assert "2 bad rows" in err
    assert "nothing imported" in err
    assert "--skip-bad" in err
    assert site.orders() == []


def test_skip_bad_imports_the_good_orders_and_writes_the_bad_rows(
    site: Site, tmp_path: Path
) -> None:
    import_samples(site)
    rows = [
        order("SO-1"),
        order("SO-2", sku="MUG-350"),
        order("SO-2", sku="TAPE-48", quantity=0),
        order("SO-3", sku="TAPE-48", ship_city="York"),
    ]
    path = write_orders(tmp_path / "orders.csv", rows)
    bad = tmp_path / "bad.csv"
    code, out, err = toteflow_import(site, "orders", str(path), "--skip-bad", str(bad))
    assert (code, err) == (0, "")
    assert out.strip() == (
        f"imported 2 orders, 0 already present, 1 bad (1 rows); bad rows written to {bad}"
    )
    assert site.orders() == ["SO-1", "SO-3"]
    with bad.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [(row["reference"], row["sku"], row["error"]) for row in written] == [
        ("SO-2", "MUG-350", "order SO-2 left out: line 4 is bad"),
        ("SO-2", "TAPE-48", "quantity 0 is out of range: 1 to 1000000"),
    ]
    assert written[0]["customer_name"] == "Northwind, Ltd"

    # Fixed in the bad-rows file itself, which then imports as it is (error column and all).
    with bad.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, [*ORDER_COLUMNS, "error"])
        writer.writeheader()
        writer.writerows(
            [{**row, "quantity": row["quantity"].replace("0", "3")} for row in written]
        )
    code, out, err = toteflow_import(site, "orders", str(bad))
    assert (code, out.strip()) == (0, "imported 1 order, 0 already present, 0 bad"), err
    assert site.orders() == ["SO-1", "SO-2", "SO-3"]
    lines = site.services.orders.get(SYSTEM, "SO-2").lines
    assert [(line.sku, line.quantity) for line in lines] == [("MUG-350", 1), ("TAPE-48", 3)]


def test_a_5000_row_file_imports_in_batches(site: Site, tmp_path: Path) -> None:
    import_samples(site)
    skus = ("MUG-350", "TEA-GRN-20", "CBL-USBC-1M", "TAPE-48", "GLOVE-NIT-M")
    rows = []
    for n in range(2000):
        for sku in skus[: 1 + n % 4]:
            rows.append(order(f"BIG-{n:05d}", sku=sku, quantity=1 + n % 7))
    rows = rows[:5000]
    assert len(rows) == 5000
    references = {row["reference"] for row in rows}
    path = write_orders(tmp_path / "big.csv", rows)
    code, out, err = toteflow_import(site, "orders", str(path))
    assert (code, out.strip()) == (
        0,
        f"imported {len(references)} orders, 0 already present, 0 bad",
    ), err
    assert site.orders() == sorted(references)
    code, out, _err = toteflow_import(site, "orders", str(path))
    assert out.strip() == f"imported 0 orders, {len(references)} already present, 0 bad"


def test_stock_sets_absolute_quantities(site: Site, tmp_path: Path) -> None:
    import_samples(site)
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "location,sku,quantity,received_on\n01-001-1,MUG-350,40,2026-10-01\n01-001-2,TAPE-48,10,\n"
    )
    report = site.importer.run(SYSTEM, "stock", counts)
    assert (report.imported, report.already_present) == (2, 0)
    counts.write_text(
        "location,sku,quantity,received_on\n01-001-1,MUG-350,35,2026-11-11\n"
        "01-001-2,TAPE-48,10,\n01-003-1,TAPE-48,0,\n"
    )
    report = site.importer.run(SYSTEM, "stock", counts)
    assert (report.imported, report.already_present) == (1, 2)
    stock = site.stock()
    # A count moves the quantity; the position keeps the date it was first received.
    assert stock[("01-001-1", "MUG-350", "")] == (35, date(2026, 10, 1))
    assert stock[("01-001-2", "TAPE-48", "")][0] == 10
    assert ("01-003-1", "TAPE-48", "") not in stock
    audit = site.services.people.audit(SYSTEM, "stock", None, "stock.adjusted", 0, 10)
    deltas = sorted((entry.detail["delta"], entry.detail["reason"]) for entry in audit.items)
    assert deltas == [(-5, "count"), (10, "count"), (40, "count")]


def test_products_check_barcodes_against_the_database(site: Site, tmp_path: Path) -> None:
    import_samples(site)
    path = tmp_path / "products.csv"
    path.write_text("sku,description,barcode\nNEW-1,New mug,2000000000015\n")
    report = site.importer.run(SYSTEM, "products", path)
    assert not report.written
    assert [str(p) for p in report.problems] == [
        "line 2: barcode 2000000000015 already belongs to SKU MUG-350"
    ]


def test_an_interrupted_import_finishes_when_run_again(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    path = write_orders(tmp_path / "orders.csv", [order(f"SO-{n}") for n in range(1, 8)])
    importer = ImportService(site.importer.uow, batch_size=2)
    real = importer.orders.add_all
    calls = 0

    def failing(
        uow: UnitOfWork,
        actor: Actor,
        orders: Sequence[OrderCreate],
        detail: Callable[[OrderCreate], str] | None = None,
    ) -> list[OrderCreate]:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("disk full")
        return real(uow, actor, orders, detail)

    monkeypatch.setattr(importer.orders, "add_all", failing)
    with pytest.raises(ImportInterrupted, match=r"stopped after 4 orders \(OSError: disk full\)"):
        importer.run(SYSTEM, "orders", path)
    assert len(site.orders()) == 4
    monkeypatch.undo()
    report = importer.run(SYSTEM, "orders", path)
    assert (report.imported, report.already_present) == (3, 4)
    assert len(site.orders()) == 7


def test_batches_written_at_once_all_count_when_one_fails(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    path = write_orders(tmp_path / "orders.csv", [order(f"SO-{n}") for n in range(1, 8)])
    importer = ImportService(site.importer.uow, batch_size=2, writers=2)
    real = importer.orders.add_all

    def failing(
        uow: UnitOfWork,
        actor: Actor,
        orders: Sequence[OrderCreate],
        detail: Callable[[OrderCreate], str] | None = None,
    ) -> list[OrderCreate]:
        if orders[0].reference == "SO-5":
            raise OSError("disk full")
        return real(uow, actor, orders, detail)

    monkeypatch.setattr(importer.orders, "add_all", failing)
    # The third batch fails while the fourth is being written: that one still finishes,
    # and the report counts it with the first two.
    with pytest.raises(ImportInterrupted, match=r"stopped after 5 orders \(OSError: disk full\)"):
        importer.run(SYSTEM, "orders", path)
    assert site.orders() == ["SO-1", "SO-2", "SO-3", "SO-4", "SO-7"]
    monkeypatch.undo()
    report = importer.run(SYSTEM, "orders", path)
    assert (report.imported, report.already_present) == (2, 5)
    assert len(site.orders()) == 7


def test_progress_is_reported_for_checking_and_importing(site: Site, tmp_path: Path) -> None:
    import_samples(site)
    path = write_orders(tmp_path / "orders.csv", [order(f"SO-{n}") for n in range(1, 301)])
    seen: list[tuple[str, int, int]] = []
    ImportService(site.importer.uow, batch_size=120).run(
        SYSTEM, "orders", path, progress=lambda *step: seen.append(step)
    )
    size = path.stat().st_size
    checking = [step for step in seen if step[0] == "checking"]
    assert checking[-1] == ("checking", size, size)
    assert len(checking) == 2  # every 256 rows, then the end
    assert [step for step in seen if step[0] == "importing"] == [
        ("importing", 0, 300),
        ("importing", 120, 300),
        ("importing", 240, 300),
        ("importing", 300, 300),
    ]


def test_only_roles_that_may_change_the_data_import(site: Site) -> None:
    picker = Actor(user_id=1, station_id=None, role=Role.PICKER)
    with pytest.raises(Forbidden):
        site.importer.run(picker, "orders", SAMPLES / "orders.csv")


def test_file_problems_stop_with_status_2(site: Site, tmp_path: Path) -> None:
    code, _out, err = toteflow_import(site, "orders", str(tmp_path / "missing.csv"))
    assert code == 2
    assert "missing.csv: no such file" in err
    header = tmp_path / "header.csv"
    header.write_text("reference,qty\nSO-1,3\n")
    code, _out, err = toteflow_import(site, "orders", str(header))
    assert code == 2
    assert "unknown column 'qty' (did you mean quantity?)" in " ".join(err.split())
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        ("location,sku,quantity\n01-001-1,MUG-350,3\n01-001-2,CAF\xc9,1\n").encode("latin-1")
    )
    code, _out, err = toteflow_import(site, "stock", str(path))
    assert code == 2
    assert "line 3 is not UTF-8: byte 13 of that line is 0xC9" in " ".join(err.split())
    same = tmp_path / "same.csv"
    same.write_text("location,sku,quantity\n")
    code, _out, err = toteflow_import(site, "stock", str(same), "--skip-bad", str(same))
    assert code == 2
    assert "--skip-bad must name another file" in err


def test_a_header_only_file_imports_nothing_cleanly(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    path.write_text("location,sku,quantity\n")
    code, out, _err = toteflow_import(site, "stock", str(path))
    assert code == 0
    assert out.splitlines() == [
        f"nothing to import: {path} has no rows after the header",
        "imported 0 stock positions, 0 unchanged, 0 bad",
    ]


def test_orders_are_written_set_based_a_few_statements_per_batch(
    site: Site, tmp_path: Path
) -> None:
    """Statements per batch, not per order: the speed shows in `make bench`, the shape here."""
    import_samples(site)
    skus = ("MUG-350", "TEA-GRN-20", "CBL-USBC-1M", "TAPE-48")
    rows = [
        order(f"SET-{n:04d}", sku=sku, quantity=1 + n % 5)
        for n in range(1200)
        for sku in skus[: 1 + n % 3]
    ]
    path = write_orders(tmp_path / "set.csv", rows)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    importer = ImportService(site.importer.uow, batch_size=500)
    plan = importer.check("orders", path)
    report = ImportReport("orders", path)
    sa.event.listen(site.engine, "before_cursor_execute", count)
    try:
        importer.write(SYSTEM, plan, report)
    finally:
        sa.event.remove(site.engine, "before_cursor_execute", count)
    assert (report.imported, report.already_present) == (1200, 0)
    # Three batches of at most 500 orders, each a handful of statements (today: 4 an order).
    assert len(statements) <= 3 * 12, (len(statements), statements[:20])
    # Every line, in file order, on the order it belongs to; ids the database goes on from.
    placed = site.services.orders.get(SYSTEM, "SET-0005")
    assert [(line.line_no, line.sku, line.quantity) for line in placed.lines] == [
        (1, "MUG-350", 1),
        (2, "TEA-GRN-20", 1),
        (3, "CBL-USBC-1M", 1),
    ]
    audit = site.services.people.audit(SYSTEM, "order", "SET-0005", "order.created", 0, 5)
    # Where the order came from and its lines as received; its other fields are its row's.
    assert [entry.detail for entry in audit.items] == [
        {
            "file": "set.csv",
            "line": 11,
            "lines": [
                {"sku": "MUG-350", "quantity": 1},
                {"sku": "TEA-GRN-20", "quantity": 1},
                {"sku": "CBL-USBC-1M", "quantity": 1},
            ],
        }
    ]
    after = site.services.orders.create(
        SYSTEM, plan.orders["SET-0001"].order().model_copy(update={"reference": "AFTER-1"})
    )
    assert after.id > placed.id
    assert len(site.orders()) == 1201
