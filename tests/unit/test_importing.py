"""CSV import checks: reading the file, every kind of bad row, grouping, the bad-rows file."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import pytest

from toteflow.central.services.importing.bad_rows import write_bad_rows
from toteflow.central.services.importing.checking import check_file
from toteflow.central.services.importing.columns import Kind
from toteflow.central.services.importing.lookups import ProductFacts, StockKey
from toteflow.central.services.importing.plan import Plan
from toteflow.central.services.importing.reading import ImportFileError
from toteflow.central.services.importing.service import ImportReport
from toteflow.domain.gs1 import with_check_digit

ORDER_HEADER = (
    "reference,customer_name,ship_name,ship_line1,ship_line2,ship_city,ship_region,"
    "ship_postal_code,ship_country,carrier,service,priority,ship_by,sku,quantity"
)
PRODUCT_HEADER = (
    "sku,description,lot_tracked,expiry_tracked,serial_tracked,uom,units,barcode,"
    "length_mm,width_mm,height_mm,weight_g"
)
STOCK_HEADER = "location,sku,lot,expiry,quantity,received_on"
GTIN_A = with_check_digit("200000000001")
GTIN_B = with_check_digit("200000000002")
GTIN_C = with_check_digit("200000000003")
CASE_A = with_check_digit("1200000000001")


class FakeLookups:
    """The database as the checks see it, in dictionaries."""

    def __init__(
        self,
        products: Mapping[str, ProductFacts] | None = None,
        barcodes: Mapping[str, str] | None = None,
        locations: Mapping[str, bool] | None = None,
        stock: Mapping[str, Mapping[StockKey, tuple[int, int]]] | None = None,
    ) -> None:
        untracked = ProductFacts(lot_tracked=False, expiry_tracked=False)
        self.products = dict(products or {"MUG-1": untracked, "TAPE-2": untracked})
        self.barcodes = dict(barcodes or {})
        self.locations = dict(locations or {"01-001-1": True, "01-001-2": True})
        self.stock = {k: dict(v) for k, v in (stock or {}).items()}
        self.asked: list[str] = []

    def product(self, sku: str) -> ProductFacts | None:
        self.asked.append(sku)
        return self.products.get(sku)

    def prefetch(self, skus: Sequence[str]) -> None:
        pass

    def barcode_owner(self, barcode: str) -> str | None:
        return self.barcodes.get(barcode)

    def location_active(self, code: str) -> bool | None:
        return self.locations.get(code)

    def stock_at(self, location: str) -> Mapping[StockKey, tuple[int, int]]:
        return self.stock.get(location, {})

    def units_of(self, sku: str) -> Mapping[str, int] | None:
        return {"EA": 1} if sku in self.products else None

    def location_kind(self, code: str) -> str | None:
        return "pick_face" if code in self.locations else None

    def location_capacity(self, code: str) -> int | None:
        return None

    def sscc_notices(self, ssccs: Sequence[str]) -> Mapping[str, str]:
        return {}


def write(tmp_path: Path, content: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode())
    else:
        path.write_bytes(content)
    return path


def check(
    tmp_path: Path, kind: Kind, content: str | bytes, lookups: FakeLookups | None = None
) -> Plan:
    return check_file(kind, write(tmp_path, content), lookups or FakeLookups())


def messages(plan: Plan) -> list[str]:
    return [str(problem) for problem in sorted(plan.problems, key=lambda p: p.line)]


def order_row(
    reference: str = "SO-1",
    *,
    customer: str = "Northwind",
    city: str = "Leeds",
    country: str = "GB",
    carrier: str = "dpd",
    service: str = "next-day",
    priority: str = "3",
    ship_by: str = "2026-12-01",
    sku: str = "MUG-1",
    quantity: str = "2",
    line1: str = "12 Harbour Road",
) -> str:
    return (
        f"{reference},{customer},{customer},{line1},,{city},,LS1 4AB,{country},{carrier},"
        f"{service},{priority},{ship_by},{sku},{quantity}"
    )


def orders(*rows: str) -> str:
    return "\n".join([ORDER_HEADER, *rows]) + "\n"


# -- reading the file -------------------------------------------------------------------------


def test_a_valid_orders_file_groups_rows_by_reference(tmp_path: Path) -> None:
    plan = check(
        tmp_path,
        "orders",
        orders(
            order_row("SO-1", sku="MUG-1", quantity="2"),
            order_row("SO-2", sku="TAPE-2", quantity="1"),
            order_row("SO-1", sku="TAPE-2", quantity="5"),
        ),
    )
    assert plan.ok, messages(plan)
    assert plan.rows == 3
    assert list(plan.orders) == ["SO-1", "SO-2"]
    order = plan.orders["SO-1"].order()
    assert [(line.sku, line.quantity) for line in order.lines] == [("MUG-1", 2), ("TAPE-2", 5)]
    assert order.ship_to.city == "Leeds"
    assert order.ship_by == date(2026, 12, 1)
    assert order.priority == 3


def test_byte_order_mark_and_crlf_line_ends_are_read(tmp_path: Path) -> None:
    content = "\ufeff" + orders(order_row("SO-1"), order_row("SO-2")).replace("\n", "\r\n")
    plan = check(tmp_path, "orders", content)
    assert plan.ok, messages(plan)
    assert list(plan.orders) == ["SO-1", "SO-2"]
    assert plan.orders["SO-2"].line == 3


def test_quoted_values_hold_commas_quotes_and_line_breaks(tmp_path: Path) -> None:
    content = orders(
        order_row("SO-1", customer='"Smith, Jones & Co"', line1='"Flat 3, ""The Mill"""'),
        order_row("SO-2", line1='"Unit 5\nBrightmoor Park"'),
        order_row("SO-3", ship_by="2026-13-01"),
    )
    plan = check(tmp_path, "orders", content)
    order = plan.orders["SO-1"].order()
    assert order.customer_name == "Smith, Jones & Co"
    assert order.ship_to.line1 == 'Flat 3, "The Mill"'
    assert plan.orders["SO-2"].order().ship_to.line1 == "Unit 5\nBrightmoor Park"
    # SO-2's record spans lines 3 and 4, so SO-3 is on line 5.
    assert messages(plan) == ["line 5: ship_by '2026-13-01' is not a date (YYYY-MM-DD)"]


def test_blank_lines_and_rows_of_bare_commas_are_skipped(tmp_path: Path) -> None:
    content = orders(order_row("SO-1"), "", ",,,,,,,,,,,,,,", order_row("SO-2", quantity="x"))
    plan = check(tmp_path, "orders", content)
    assert plan.rows == 2
    assert messages(plan) == ["line 5: quantity 'x' is not a whole number"]


def test_a_header_without_rows_checks_clean(tmp_path: Path) -> None:
    plan = check(tmp_path, "orders", ORDER_HEADER + "\n")
    assert plan.ok
    assert plan.rows == 0
    assert plan.to_write() == 0


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"nope\.csv: no such file"):
        check_file("orders", tmp_path / "nope.csv", FakeLookups())


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="is not a file"):
        check_file("orders", tmp_path, FakeLookups())


@pytest.mark.parametrize("content", ["", "\n\n", "\r\n"])
def test_empty_file_says_what_the_first_line_should_be(tmp_path: Path, content: str) -> None:
    with pytest.raises(ImportFileError, match=r"is empty: its first line names the columns"):
        check(tmp_path, "stock", content)


def test_not_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    content = (ORDER_HEADER + "\n" + order_row("SO-1") + "\n").encode()
    content += order_row("SO-2", customer="Caf\xe9").encode("latin-1") + b"\n"
    with pytest.raises(ImportFileError) as raised:
        check(tmp_path, "orders", content)
    text = str(raised.value)
    assert "line 3 is not UTF-8: byte 9 of that line is 0xE9" in text
    assert "Save the file as UTF-8" in text


def test_utf16_and_workbooks_are_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="UTF-16 text: save it as UTF-8"):
        check(tmp_path, "stock", STOCK_HEADER.encode("utf-16"))
    with pytest.raises(ImportFileError, match="spreadsheet workbook, not CSV"):
        check(tmp_path, "stock", b"PK\x03\x04\x14\x00\x06\x00")


def test_broken_quoting_names_the_line(tmp_path: Path) -> None:
    content = orders(order_row("SO-1"), order_row("SO-2", customer='"Smith" Jones'))
    with pytest.raises(ImportFileError, match=r"line 3: not valid CSV"):
        check(tmp_path, "orders", content)


def test_semicolon_separated_files_are_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="separated by semicolons, not commas"):
        check(tmp_path, "stock", STOCK_HEADER.replace(",", ";") + "\n")


def test_missing_and_unknown_columns_are_reported_once_together(tmp_path: Path) -> None:
    header = "location,sku,qty,lot,colour"
    with pytest.raises(ImportFileError) as raised:
        check(tmp_path, "stock", header + "\n01-001-1,MUG-1,3,,red\n01-001-2,MUG-1,4,,blue\n")
    text = str(raised.value)
    assert text.count("missing column") == 1
    assert "line 1: missing column quantity" in text
    assert "unknown column 'qty' (did you mean quantity?)" in text
    assert "unknown column 'colour'" in text
    assert "optional: lot, expiry, received_on" in text


def test_duplicate_and_unnamed_columns(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="column 3 has no name; column sku appears twice"):
        check(tmp_path, "stock", "location,sku,,sku,quantity\n")


def test_column_names_ignore_case_spaces_and_trailing_blank_columns(tmp_path: Path) -> None:
    content = (
        " Location ,SKU,Quantity,Received On,,\n01-001-1,MUG-1,3,2026-10-01,,\n"
        "01-001-2,MUG-1,4,2026-10-02\n01-001-2,TAPE-2,x,2026-10-02,,,\n"
    )
    plan = check(tmp_path, "stock", content)
    assert messages(plan) == ["line 4: quantity 'x' is not a whole number"]
    assert [count.received_on for count in plan.counts] == [date(2026, 10, 1), date(2026, 10, 2)]
    bad = tmp_path / "bad.csv"
    write_bad_rows(plan, bad)
    assert read_rows(bad) == [
        [" Location ", "SKU", "Quantity", "Received On", "error"],
        ["01-001-2", "TAPE-2", "x", "2026-10-02", "quantity 'x' is not a whole number"],
    ]


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    header = ORDER_HEADER.replace("ship_line2,", "").replace("ship_region,", "")
    header = header.replace("priority,", "")
    row = "SO-1,Ann,Ann,1 Road,York,YO1,GB,dpd,nd,2026-12-01,MUG-1,1"
    plan = check(tmp_path, "orders", f"{header}\n{row}\n")
    assert plan.ok, messages(plan)
    order = plan.orders["SO-1"].order()
    assert order.priority == 5
    assert order.ship_to.line2 == ""


def test_a_row_with_the_wrong_number_of_values(tmp_path: Path) -> None:
    plan = check(tmp_path, "orders", orders(order_row("SO-1") + ",extra", order_row("SO-2")))
    assert messages(plan) == [
        "line 2: 16 values where the header has 15 columns "
        "(a value holding a comma goes in double quotes)"
    ]
    assert plan.bad_keys == {"SO-1": 2}


# -- orders -----------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_line(tmp_path: Path) -> None:
    content = orders(
        order_row("SO-1"),
        order_row("SO-2", ship_by="2026-13-01"),
        order_row("SO-3", sku="ABC-9"),
        order_row("SO-4", quantity="0"),
        order_row("SO-5", quantity="1.5"),
        order_row("SO-6", priority="12"),
        order_row("SO-7", customer=""),
        order_row("SO 8"),
        order_row("SO-9", carrier="D P D"),
        order_row("SO-10", country="GBR"),
        order_row("SO-11", ship_by="01/12/2026"),
        order_row("SO-12", customer="x" * 121),
    )
    plan = check(tmp_path, "orders", content)
    assert messages(plan) == [
        "line 3: ship_by '2026-13-01' is not a date (YYYY-MM-DD)",
        "line 4: unknown SKU ABC-9",
        "line 5: quantity 0 is out of range: 1 to 1000000",
        "line 6: quantity '1.5' is not a whole number",
        "line 7: priority 12 is out of range: 1 to 9",
        "line 8: customer_name is empty",
        "line 8: ship_name is empty",
        "line 9: reference 'SO 8' may hold letters, digits and - _ . / only "
        "(up to 64, a letter or digit first)",
        "line 10: carrier 'D P D' may hold letters, digits, - and _ only (up to 40)",
        "line 11: ship_country 'GBR' is not a two-letter country code such as GB or DE",
        "line 12: ship_by '01/12/2026' is not a date (YYYY-MM-DD)",
        "line 13: customer_name is longer than 120 characters",
        "line 13: ship_name is longer than 120 characters",
    ]
    assert list(plan.orders) == ["SO-1"]


def test_all_problems_of_one_row_in_column_order(tmp_path: Path) -> None:
    plan = check(
        tmp_path, "orders", orders(order_row("SO-1", service="next day", sku="NOPE", quantity="0"))
    )
    assert messages(plan) == [
        "line 2: service 'next day' may hold letters, digits, - and _ only (up to 40)",
        "line 2: quantity 0 is out of range: 1 to 1000000",
        "line 2: unknown SKU NOPE",
    ]
    assert plan.bad_lines[2] == [
        "service 'next day' may hold letters, digits, - and _ only (up to 40)",
        "quantity 0 is out of range: 1 to 1000000",
        "unknown SKU NOPE",
    ]


def test_each_sku_is_looked_up_once(tmp_path: Path) -> None:
    lookups = FakeLookups()
    rows = [order_row(f"SO-{n}", sku="MUG-1") for n in range(50)]
    plan = check(tmp_path, "orders", orders(*rows), lookups)
    assert plan.ok
    # The fake records every call; the real lookups cache, the checker asks per row.
    assert set(lookups.asked) == {"MUG-1"}


def test_lower_case_country_codes_are_accepted(tmp_path: Path) -> None:
    plan = check(tmp_path, "orders", orders(order_row("SO-1", country="gb")))
    assert plan.orders["SO-1"].order().ship_to.country == "GB"


def test_rows_of_one_order_must_agree_on_the_order_fields(tmp_path: Path) -> None:
    content = orders(
        order_row("SO-1", sku="MUG-1"),
        order_row("SO-1", sku="TAPE-2", city="York", priority="1"),
    )
    plan = check(tmp_path, "orders", content)
    assert messages(plan) == [
        "line 3: order SO-1: ship_city 'York' differs from line 2 ('Leeds'); priority '1' "
        "differs from line 2 ('3'): the rows of one order repeat the same order fields"
    ]


def test_an_order_with_one_bad_line_is_bad_as_a_whole(tmp_path: Path) -> None:
    content = orders(
        order_row("SO-1", sku="MUG-1"),
        order_row("SO-2"),
        order_row("SO-1", sku="TAPE-2", quantity="-1"),
    )
    plan = check(tmp_path, "orders", content)
    assert list(plan.orders) == ["SO-2"]
    assert plan.bad_keys == {"SO-1": 4}
    assert plan.bad_units == {"SO-1"}


def test_a_sku_twice_in_one_order(tmp_path: Path) -> None:
    plan = check(tmp_path, "orders", orders(order_row("SO-1"), order_row("SO-1", quantity="3")))
    assert messages(plan) == [
        "line 3: SKU MUG-1 is already on line 2 of order SO-1: put the quantities on one line"
    ]


def test_an_order_of_more_than_500_lines(tmp_path: Path) -> None:
    skus = [f"S-{n}" for n in range(501)]
    lookups = FakeLookups(products={sku: ProductFacts(False, False) for sku in skus})
    plan = check(tmp_path, "orders", orders(*(order_row("BIG", sku=s) for s in skus)), lookups)
    assert messages(plan) == ["line 502: order BIG has more than 500 lines: split it"]
    assert not plan.orders


# -- products ---------------------------------------------------------------------------------


def products(*rows: str) -> str:
    return "\n".join([PRODUCT_HEADER, *rows]) + "\n"


def test_product_rows_group_units_by_sku(tmp_path: Path) -> None:
    content = products(
        f'NEW-1,"Mug, 350 ml",no,no,no,EA,1,{GTIN_A},120,90,100,380',
        f"NEW-2,Tea,yes,Y,0,ea,,{GTIN_B},,,,",
        f'NEW-1,"Mug, 350 ml",,,,CS,6,{CASE_A},370,250,110,2400',
    )
    plan = check(tmp_path, "products", content)
    assert plan.ok, messages(plan)
    mug = plan.products["NEW-1"].product
    assert mug.description == "Mug, 350 ml"
    assert [(u.uom, u.units, u.barcode) for u in mug.units] == [
        ("EA", 1, GTIN_A),
        ("CS", 6, CASE_A),
    ]
    tea = plan.products["NEW-2"].product
    assert (tea.lot_tracked, tea.expiry_tracked, tea.serial_tracked) == (True, True, False)
    assert (tea.units[0].uom, tea.units[0].units, tea.units[0].weight_g) == ("EA", 1, 0)


def test_bad_product_rows(tmp_path: Path) -> None:
    wrong_check = GTIN_C[:-1] + str((int(GTIN_C[-1]) + 1) % 10)
    content = products(
        f"P-1,Mug,maybe,no,no,EA,1,{GTIN_A},1,1,1,1",
        f"P-2,Cup,no,no,no,EA,1,{wrong_check},1,1,1,1",
        f"P-3,Bowl,no,no,no,BOX1,1,{GTIN_B},1,1,1,1",
        "P 4,Plate,no,no,no,EA,1,ABC,1,1,1,1",
        f"P-5,,no,no,no,EA,0,{with_check_digit('200000000009')},-1,1,1,1",
    )
    plan = check(tmp_path, "products", content)
    assert messages(plan) == [
        "line 2: lot_tracked 'maybe' is not yes or no (true/false, yes/no or 1/0; empty means no)",
        f"line 3: barcode {wrong_check} has a wrong check digit: a GTIN-13 with these digits "
        f"ends in {GTIN_C[-1]}",
        "line 4: uom 'BOX1' is not a unit of measure: 2 to 8 letters such as EA, CS or PL",
        "line 5: sku 'P 4' may hold letters, digits and - _ . only "
        "(up to 64, a letter or digit first)",
        "line 5: barcode 'ABC' may hold letters, digits and - only (4 to 64 of them)",
        "line 6: description is empty",
        "line 6: units 0 is out of range: 1 to 100000",
        "line 6: length_mm -1 is out of range: 0 to 10000",
    ]


def test_product_rows_across_the_file_and_the_database(tmp_path: Path) -> None:
    lookups = FakeLookups(
        products={"OLD-1": ProductFacts(False, False)},
        barcodes={GTIN_C: "OLD-9"},
    )
    content = products(
        f"P-1,Mug,no,no,no,EA,1,{GTIN_A},1,1,1,1",
        f"P-1,Mug,yes,no,no,CS,6,{CASE_A},1,1,1,1",
        f"P-2,Cup,no,no,no,EA,1,{GTIN_A},1,1,1,1",
        f"P-3,Bowl,no,no,no,EA,1,{GTIN_C},1,1,1,1",
        f"P-4,Plate,no,no,no,EA,1,{GTIN_B},1,1,1,1",
        f"P-4,Plate,no,no,no,EA,2,{with_check_digit('200000000007')},1,1,1,1",
        f"OLD-1,Old,no,no,no,EA,1,{with_check_digit('200000000008')},1,1,1,1",
    )
    plan = check(tmp_path, "products", content, lookups)
    assert messages(plan) == [
        "line 3: SKU P-1: lot_tracked 'True' differs from line 2 ('False'): the rows of one "
        "product repeat the same product fields",
        f"line 4: barcode {GTIN_A} is also on line 2 (SKU P-1): each unit of measure needs "
        "its own barcode",
        f"line 5: barcode {GTIN_C} already belongs to SKU OLD-9",
        "line 7: unit of measure EA of SKU P-4 is already on line 6",
    ]
    # Products with a bad row are left out whole; the one already there stays in the plan,
    # marked, so that the write counts it as already present.
    assert list(plan.products) == ["OLD-1"]
    assert plan.products["OLD-1"].present


def test_more_than_ten_units_of_measure(tmp_path: Path) -> None:
    uoms = ["EA", "PK", "CS", "PL", "BX", "BG", "DZ", "TR", "RL", "ST", "KT"]
    rows = [
        f"P-1,Mug,no,no,no,{uom},{n + 1},{with_check_digit(f'2000000001{n:02d}')},1,1,1,1"
        for n, uom in enumerate(uoms)
    ]
    plan = check(tmp_path, "products", products(*rows))
    assert messages(plan) == ["line 12: SKU P-1 has more than 10 units of measure"]


# -- stock ------------------------------------------------------------------------------------


def stock(*rows: str) -> str:
    return "\n".join([STOCK_HEADER, *rows]) + "\n"


def test_stock_counts(tmp_path: Path) -> None:
    lookups = FakeLookups(products={"TEA-1": ProductFacts(True, True)})
    plan = check(tmp_path, "stock", stock("01-001-1,TEA-1,L7,2027-07-31,60,2026-09-20"), lookups)
    assert plan.ok, messages(plan)
    count = plan.counts[0]
    assert count.position == ("01-001-1", "TEA-1", "L7", date(2027, 7, 31))
    assert (count.quantity, count.received_on, count.line) == (60, date(2026, 9, 20), 2)


def test_bad_stock_rows(tmp_path: Path) -> None:
    lookups = FakeLookups(
        products={
            "MUG-1": ProductFacts(False, False),
            "TEA-1": ProductFacts(True, True),
        },
        locations={"01-001-1": True, "01-001-2": True, "09-009-9": False},
        stock={"01-001-2": {("MUG-1", "", None): (10, 4)}},
    )
    content = stock(
        "01-001-1,MUG-1,,,5,",
        "99-999-9,ABC-9,,,5,",
        "09-009-9,MUG-1,,,5,",
        "01-001-1,TEA-1,,,5,",
        "01-001-1,MUG-1,L1,2027-01-01,5,",
        "01-001-1,MUG-1,,,7,",
        "01-001-2,MUG-1,,,3,",
        "01-001-2,MUG-1,,,-1,2026-02-30",
        ",MUG-1,,,,",
    )
    plan = check(tmp_path, "stock", content, lookups)
    assert messages(plan) == [
        "line 3: unknown location 99-999-9",
        "line 3: unknown SKU ABC-9",
        "line 4: location 09-009-9 is not in use (inactive)",
        "line 5: SKU TEA-1 is lot-tracked: lot is empty",
        "line 5: SKU TEA-1 is expiry-tracked: expiry is empty",
        "line 6: SKU MUG-1 does not track lots: leave lot empty",
        "line 6: SKU MUG-1 does not track expiry: leave expiry empty",
        "line 7: the same location, SKU, lot and expiry as line 2",
        "line 8: quantity 3 is below the 4 reserved for orders at 01-001-2: pick or unreserve "
        "those first",
        "line 9: quantity -1 is out of range: 0 to 1000000",
        "line 9: received_on '2026-02-30' is not a date (YYYY-MM-DD)",
        "line 10: location is empty",
        "line 10: quantity is empty",
    ]
    assert [count.line for count in plan.counts] == [2]
    assert len(plan.bad_units) == 8


# -- the bad-rows file and the report ---------------------------------------------------------


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_bad_rows_file_keeps_the_columns_and_adds_the_error(tmp_path: Path) -> None:
    content = orders(
        order_row("SO-1", customer='"Smith, Jones"'),
        order_row("SO-2", sku="MUG-1"),
        order_row("SO-3", ship_by="2026-13-01"),
        order_row("SO-2", sku="TAPE-2", quantity="0"),
    )
    plan = check(tmp_path, "orders", content)
    target = tmp_path / "bad.csv"
    assert write_bad_rows(plan, target) == 3
    rows = read_rows(target)
    assert rows[0] == [*ORDER_HEADER.split(","), "error"]
    assert [row[0] for row in rows[1:]] == ["SO-2", "SO-3", "SO-2"]
    assert rows[1][-1] == "order SO-2 left out: line 5 is bad"
    assert rows[2][-1] == "ship_by '2026-13-01' is not a date (YYYY-MM-DD)"
    assert rows[3][-1] == "quantity 0 is out of range: 1 to 1000000"
    assert rows[2][:-1] == next(csv.reader([order_row("SO-3", ship_by="2026-13-01")]))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_fixed_bad_rows_file_imports_as_it_is(tmp_path: Path) -> None:
    plan = check(
        tmp_path,
        "stock",
        stock("01-001-1,MUG-1,,,5,", "01-001-2,MUG-1,,,x,", "01-001-2,MUG-1,,,7"),
    )
    bad = tmp_path / "bad.csv"
    assert write_bad_rows(plan, bad) == 2
    rows = read_rows(bad)
    assert rows[2] == [
        "01-001-2",
        "MUG-1",
        "",
        "",
        "7",
        "",
        "5 values where the header has 6 columns (a value holding a comma goes in double quotes)",
    ]
    # Fix the rows in place; the error column is ignored on the way back in...
    rows[1][4] = "6"
    rows = rows[:2]
    with bad.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    plan = check_file("stock", bad, FakeLookups())
    assert plan.ok, messages(plan)
    assert plan.counts[0].quantity == 6
    # ...and rewritten, not doubled, when the fixed file still has bad rows.
    rows[1][4] = "y"
    with bad.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    again = tmp_path / "bad-again.csv"
    write_bad_rows(check_file("stock", bad, FakeLookups()), again)
    assert read_rows(again) == [
        [*STOCK_HEADER.split(","), "error"],
        ["01-001-2", "MUG-1", "", "", "y", "", "quantity 'y' is not a whole number"],
    ]


def test_summary_reads_as_a_sentence(tmp_path: Path) -> None:
    report = ImportReport("orders", tmp_path, imported=480, already_present=20)
    assert report.summary() == "imported 480 orders, 20 already present, 0 bad"
    report = ImportReport("orders", tmp_path, imported=1, bad=2, bad_lines=3)
    assert report.summary() == "imported 1 order, 0 already present, 2 bad (3 rows)"
    report = ImportReport("stock", tmp_path, imported=4, already_present=3)
    assert report.summary() == "imported 4 stock positions, 3 unchanged, 0 bad"


# -- the limits every way in shares ----------------------------------------------------------


def test_one_quantity_limit_for_order_lines_and_stock(tmp_path: Path) -> None:
    plan = check(
        tmp_path,
        "orders",
        orders(
            order_row("SO-1", quantity="1000000"),
            order_row("SO-2", quantity="1000001"),
        ),
    )
    assert messages(plan) == ["line 3: quantity 1000001 is out of range: 1 to 1000000"]
    assert plan.orders["SO-1"].order().lines[0].quantity == 1_000_000
    counts = check(
        tmp_path, "stock", stock("01-001-1,MUG-1,,,1000000,", "01-001-2,MUG-1,,,1000001,")
    )
    assert messages(counts) == ["line 3: quantity 1000001 is out of range: 0 to 1000000"]


def test_control_and_invisible_characters_are_bad_rows_said_readably(tmp_path: Path) -> None:
    plan = check(
        tmp_path,
        "orders",
        orders(
            order_row("SO-1", customer="\x1b[31mNorthwind"),
            order_row("SO-2", city="Le\u200beds"),
            order_row("SO-3", line1='"12 Harbour Road\nUnit 5"'),
        ),
    )
    assert messages(plan) == [
        "line 2: customer_name '\\x1b[31mNorthwind' holds a control or invisible character "
        "(U+001B at character 1)",
        "line 2: ship_name '\\x1b[31mNorthwind' holds a control or invisible character "
        "(U+001B at character 1)",
        "line 3: ship_city 'Le\\u200beds' holds a control or invisible character "
        "(U+200B at character 3)",
    ]
    assert list(plan.orders) == ["SO-3"]  # an address line may keep its line break
    # Stock rows too: a lot is checked before anything is written, not refused mid-write.
    counts = check(tmp_path, "stock", stock("01-001-1,MUG-1,L\u202e7,,5,", "01-001-2,MUG-1,,,5,"))
    assert messages(counts) == [
        "line 2: lot 'L\\u202e7' holds a control or invisible character (U+202E at character 2)"
    ]
    assert [count.line for count in counts.counts] == [3]
