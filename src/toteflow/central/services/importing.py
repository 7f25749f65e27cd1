"""Import orders, products and stock from CSV files: check every row first, then write."""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.orders import OrderService
from toteflow.contracts import catalogue as cat
from toteflow.contracts import orders as ords
from toteflow.domain.actor import Actor
from toteflow.domain.gs1 import gs1_check_digit
from toteflow.domain.roles import Permission

Kind = Literal["orders", "products", "stock"]
KINDS: tuple[Kind, ...] = ("orders", "products", "stock")

# phase ("checking": done/total are bytes of the file; "importing": orders, products or
# stock positions), done, total.
Progress = Callable[[str, int, int], None]

ERROR_COLUMN = "error"
MAX_ORDER_LINES = 500
MAX_PRODUCT_UNITS = 10
MAX_STOCK_QUANTITY = 1_000_000
BATCH_SIZE = 500


@dataclass(frozen=True)
class Columns:
    names: tuple[str, ...]
    optional: frozenset[str]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name in self.names if name not in self.optional)


def _columns(names: str, optional: str) -> Columns:
    return Columns(tuple(names.split()), frozenset(optional.split()))


COLUMNS: dict[Kind, Columns] = {
    "orders": _columns(
        "reference customer_name ship_name ship_line1 ship_line2 ship_city ship_region "
        "ship_postal_code ship_country carrier service priority ship_by sku quantity",
        optional="ship_line2 ship_region priority",
    ),
    "products": _columns(
        "sku description lot_tracked expiry_tracked serial_tracked uom units barcode "
        "length_mm width_mm height_mm weight_g lot_substitution upright",
        optional="lot_tracked expiry_tracked serial_tracked uom units length_mm width_mm "
        "height_mm weight_g lot_substitution upright",
    ),
    "stock": _columns(
        "location sku lot expiry quantity received_on", optional="lot expiry received_on"
    ),
}

# Rows that share this column's value stand or fall together (one order, one product).
_GROUPED_BY: dict[Kind, str | None] = {"orders": "reference", "products": "sku", "stock": None}
_NOUNS: dict[Kind, str] = {"orders": "order", "products": "product", "stock": "stock position"}


def counted(number: int, kind: Kind) -> str:
    """`1 order`, `480 orders`: how many imported items of this kind."""
    return f"{number} {_NOUNS[kind]}{'' if number == 1 else 's'}"


# -- problems ---------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file cannot be read as a CSV of this kind at all (missing, not UTF-8, bad header)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one row; str() reads `line 17: ship_by '2026-13-01' is not ...`."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    kind: Kind
    path: Path
    rows: int = 0
    imported: int = 0  # orders or products created, stock positions changed
    already_present: int = 0  # orders or products there before, positions already right
    bad: int = 0  # orders, products or positions left out because of bad rows
    problems: list[Problem] = field(default_factory=list)
    bad_lines: int = 0
    written: bool = False  # False: all-or-nothing refused the file, nothing was written
    bad_rows_file: Path | None = None

    def summary(self) -> str:
        """`imported 480 orders, 20 already present, 0 bad`."""
        left = "unchanged" if self.kind == "stock" else "already present"
        text = f"imported {counted(self.imported, self.kind)}, {self.already_present} {left}"
        text += f", {self.bad} bad"
        if self.bad_lines:
            text += f" ({self.bad_lines} rows)"
        return text


class ImportInterrupted(Exception):
    """Writing stopped part-way (the database failed, or changed since the check)."""

    def __init__(self, report: ImportReport, cause: BaseException) -> None:
        self.report = report
        self.cause = cause
        super().__init__(
            f"the import stopped after {counted(report.imported, report.kind)} "
            f"({cause.__class__.__name__}: {cause}). What was written stays; run the same "
            "import again to finish it: nothing is imported twice."
        )


# -- reading the file -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Record:
    line: int  # where the record starts; a quoted value may span several lines
    fields: list[str]


class CsvFile:
    """The records of a UTF-8 CSV file, each with the line it starts on (the header is 1)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise ImportFileError(f"{path}: no such file")
        if not path.is_file():
            raise ImportFileError(f"{path} is not a file")
        self.size = path.stat().st_size
        self.bytes_read = 0

    def records(self) -> Iterator[Record]:
        """Non-blank records; raises ImportFileError for bytes or quoting that make no CSV."""
        self.bytes_read = 0
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise ImportFileError(f"{self.path}: cannot read it ({exc.strerror})") from None
        with handle:
            reader = csv.reader(self._text(handle), strict=True)
            ended = 0
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise ImportFileError(
                        f"{self.path} line {reader.line_num}: not valid CSV ({exc}); a value "
                        'holding commas or quotes goes in double quotes, with each " inside '
                        'written as ""'
                    ) from None
                start, ended = ended + 1, reader.line_num
                # Spreadsheets save empty rows as lines of bare commas: nothing to import.
                if any(value.strip() for value in fields):
                    yield Record(start, fields)

    def _text(self, handle: BinaryIO) -> Iterator[str]:
        # Decoding line by line (rather than through a text stream) is what lets a bad byte
        # be reported with the line it is on.
        for number, raw in enumerate(handle, start=1):
            self.bytes_read += len(raw)
            if number == 1:
                raw = self._first_line(raw)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"{self.path} line {number} is not UTF-8: byte {exc.start + 1} of that line "
                    f"is 0x{raw[exc.start]:02X}. Save the file as UTF-8 (in Excel: "
                    "'CSV UTF-8 (Comma delimited)')"
                ) from None

    def _first_line(self, raw: bytes) -> bytes:
        if raw.startswith(b"\xef\xbb\xbf"):
            return raw[3:]  # the byte-order mark Excel writes before UTF-8 CSV
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ImportFileError(
                f"{self.path} is UTF-16 text: save it as UTF-8 (in Excel: 'CSV UTF-8')"
            )
        if raw.startswith(b"PK\x03\x04"):
            raise ImportFileError(
                f"{self.path} is a spreadsheet workbook, not CSV: save it as 'CSV UTF-8'"
            )
        return raw


@dataclass(frozen=True)
class Header:
    line: int
    names: tuple[str, ...]  # as written in the file, up to the last named column
    positions: dict[str, int]  # known column -> index of its field

    def values(self, fields: Sequence[str]) -> dict[str, str]:
        return {name: fields[index].strip() for name, index in self.positions.items()}

    @property
    def width(self) -> int:
        return len(self.names)


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _guess(name: str, known: Sequence[str]) -> list[str]:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return close
    # Abbreviations (qty, desc, loc) are too short for difflib: their letters in order will do.
    return [
        column
        for column in known
        if column[0] == name[0] and re.search(".*".join(map(re.escape, name)), column)
    ][:1]


def read_header(kind: Kind, record: Record, path: Path) -> Header:
    """The header's columns, or one ImportFileError naming every missing and unknown column."""
    columns = COLUMNS[kind]
    names = [name.strip() for name in record.fields]
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        raise ImportFileError(
            f"{path} line {record.line}: the column names are separated by "
            f"{'semicolons' if ';' in names[0] else 'tabs'}, not commas: save the file as "
            "comma-separated CSV"
        )
    # Spreadsheets add unnamed columns after the last one in use: those are left alone.
    while names and not names[-1]:
        names.pop()
    problems: list[str] = []
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        key = _normal(name)
        if not key:
            problems.append(f"column {index + 1} has no name")
        elif key in positions:
            problems.append(f"column {key} appears twice")
        else:
            positions[key] = index
    missing = [name for name in columns.required if name not in positions]
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    for key in positions:
        if key in columns.names or key == ERROR_COLUMN:
            continue
        guess = _guess(key, columns.names)
        problems.append(
            f"unknown column {key!r}" + (f" (did you mean {guess[0]}?)" if guess else "")
        )
    if problems:
        optional = [name for name in columns.names if name in columns.optional]
        raise ImportFileError(
            f"{path} line {record.line}: {'; '.join(problems)}. The columns of `import {kind}` "
            f"are {', '.join(columns.names)} (optional: {', '.join(optional)})"
        )
    positions.pop(ERROR_COLUMN, None)  # left by --skip-bad: a fixed bad file imports as it is
    return Header(record.line, tuple(record.fields[: len(names)]), positions)


# -- one row ----------------------------------------------------------------------------------

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_TRUE = frozenset({"true", "yes", "y", "1", "x"})
_FALSE = frozenset({"false", "no", "n", "0", ""})

# What a value may look like, for the contracts' patterns, in words.
_PATTERN_HINTS = {
    "reference": "may hold letters, digits and - _ . / only (up to 64, a letter or digit first)",
    "carrier": "may hold letters, digits, - and _ only (up to 40)",
    "service": "may hold letters, digits, - and _ only (up to 40)",
    "ship_country": "is not a two-letter country code such as GB or DE",
    "sku": "may hold letters, digits and - _ . only (up to 64, a letter or digit first)",
    "uom": "is not a unit of measure: 2 to 8 letters such as EA, CS or PL",
    "barcode": "may hold letters, digits and - only (4 to 64 of them)",
}


def shown(value: object) -> str:
    """A value quoted for a message, cut short when long."""
    text = str(value)
    return f"'{text if len(text) <= 40 else text[:37] + '...'}'"


class _Cells:
    """One row's values by column, collecting what is wrong with them."""

    def __init__(self, values: Mapping[str, str], kind: Kind) -> None:
        self.values = values
        self.order = COLUMNS[kind].names
        self._errors: list[tuple[int, str]] = []
        self.bad: set[str] = set()

    @property
    def errors(self) -> list[str]:
        """What is wrong, in the order of the columns (as a person reads the row)."""
        return [message for _position, message in sorted(self._errors, key=lambda e: e[0])]

    def text(self, column: str) -> str:
        return self.values.get(column, "")

    def fail(self, column: str, message: str) -> None:
        self.bad.add(column)
        position = self.order.index(column) if column in self.order else len(self.order)
        self._errors.append((position, message))

    def required(self, column: str, max_length: int) -> str:
        value = self.text(column)
        if not value:
            self.fail(column, f"{column} is empty")
        elif len(value) > max_length:
            self.fail(column, f"{column} is longer than {max_length} characters")
        return value

    def whole(self, column: str, low: int, high: int, default: int | None = None) -> int | None:
        raw = self.text(column)
        if not raw:
            if default is None:
                self.fail(column, f"{column} is empty")
            return default
        if not _WHOLE.fullmatch(raw):
            self.fail(column, f"{column} {shown(raw)} is not a whole number")
            return None
        number = int(raw)
        if not low <= number <= high:
            self.fail(column, f"{column} {raw} is out of range: {low} to {high}")
            return None
        return number

    def day(self, column: str, *, required: bool) -> date | None:
        raw = self.text(column)
        if not raw:
            if required:
                self.fail(column, f"{column} is empty (a date, YYYY-MM-DD)")
            return None
        try:
            if _DATE.fullmatch(raw):
                return date.fromisoformat(raw)
        except ValueError:
            pass
        self.fail(column, f"{column} {shown(raw)} is not a date (YYYY-MM-DD)")
        return None

    def flag(self, column: str) -> bool:
        raw = self.text(column).lower()
        if raw in _TRUE:
            return True
        if raw not in _FALSE:
            self.fail(
                column,
                f"{column} {shown(self.text(column))} is not yes or no "
                "(true/false, yes/no or 1/0; empty means no)",
            )
        return False

    def gtin(self, column: str) -> None:
        # Checked here for a plainer message than the contract's validator gives.
        raw = self.text(column)
        if raw.isascii() and raw.isdigit() and len(raw) in (8, 12, 13, 14):
            expected = gs1_check_digit(raw[:-1])
            if int(raw[-1]) != expected:
                self.fail(
                    column,
                    f"{column} {raw} has a wrong check digit: a GTIN-{len(raw)} with these "
                    f"digits ends in {expected}",
                )


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def _explain(column: str, raw: str, error: Mapping[str, Any]) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind in ("missing", "string_too_short") and not raw:
        return f"{column} is empty"
    if kind == "string_too_long":
        return f"{column} is longer than {context.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"{column} {shown(raw)} {_PATTERN_HINTS.get(column, 'has characters not allowed')}"
    if kind == "value_error":
        return f"{column} {shown(raw)}: {context.get('error')}"
    return f"{column} {shown(raw)}: {error['msg']}"


def _validated(
    model: type[M],
    data: dict[str, Any],
    columns: Mapping[tuple[str | int, ...], str],
    cells: _Cells,
) -> M | None:
    try:
        made = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            location = tuple(error["loc"])
            column = columns.get(location, ".".join(str(part) for part in location))
            if column in cells.bad:
                continue  # already said, in plainer words
            cells.fail(column, _explain(column, cells.text(column), error))
        return None
    return None if cells.bad else made


_ORDER_FIELDS: dict[tuple[str | int, ...], str] = {
    ("reference",): "reference",
    ("customer_name",): "customer_name",
    ("ship_to", "name"): "ship_name",
    ("ship_to", "line1"): "ship_line1",
    ("ship_to", "line2"): "ship_line2",
    ("ship_to", "city"): "ship_city",
    ("ship_to", "region"): "ship_region",
    ("ship_to", "postal_code"): "ship_postal_code",
    ("ship_to", "country"): "ship_country",
    ("carrier",): "carrier",
    ("service",): "service",
    ("priority",): "priority",
    ("ship_by",): "ship_by",
    ("lines", 0, "sku"): "sku",
    ("lines", 0, "quantity"): "quantity",
}
# The columns every row of one order repeats.
ORDER_HEADER_COLUMNS = tuple(c for c in COLUMNS["orders"].names if c not in ("sku", "quantity"))


def parse_order_row(values: Mapping[str, str]) -> tuple[ords.OrderCreate | None, list[str]]:
    """A one-line order from one row, or what is wrong with the row."""
    cells = _Cells(values, "orders")
    priority = cells.whole("priority", 1, 9, default=5)
    ship_by = cells.day("ship_by", required=True)
    quantity = cells.whole("quantity", 1, 100_000)
    data = {
        "reference": cells.text("reference"),
        "customer_name": cells.text("customer_name"),
        "ship_to": {
            "name": cells.text("ship_name"),
            "line1": cells.text("ship_line1"),
            "line2": cells.text("ship_line2"),
            "city": cells.text("ship_city"),
            "region": cells.text("ship_region"),
            "postal_code": cells.text("ship_postal_code"),
            # Lower-case codes are unambiguous: accept them rather than reject the row.
            "country": cells.text("ship_country").upper(),
        },
        "carrier": cells.text("carrier"),
        "service": cells.text("service"),
        "priority": priority,
        "ship_by": ship_by,
        "lines": [{"sku": cells.text("sku"), "quantity": quantity}],
    }
    return _validated(ords.OrderCreate, data, _ORDER_FIELDS, cells), cells.errors


def order_header(order: ords.OrderCreate) -> dict[str, Any]:
    """The order fields of a row, by column name."""
    to = order.ship_to
    return {
        "reference": order.reference,
        "customer_name": order.customer_name,
        "ship_name": to.name,
        "ship_line1": to.line1,
        "ship_line2": to.line2,
        "ship_city": to.city,
        "ship_region": to.region,
        "ship_postal_code": to.postal_code,
        "ship_country": to.country,
        "carrier": order.carrier,
        "service": order.service,
        "priority": order.priority,
        "ship_by": order.ship_by,
    }


_PRODUCT_FIELDS: dict[tuple[str | int, ...], str] = {
    ("sku",): "sku",
    ("description",): "description",
    **{(flag,): flag for flag in ("lot_tracked", "expiry_tracked", "serial_tracked")},
    **{(flag,): flag for flag in ("lot_substitution", "upright")},
    **{
        ("units", 0, name): name
        for name in ("uom", "barcode", "length_mm", "width_mm", "height_mm", "weight_g")
    },
    ("units", 0, "units"): "units",
}
_SIZES = ("length_mm", "width_mm", "height_mm")
PRODUCT_FLAGS = ("lot_tracked", "expiry_tracked", "serial_tracked", "lot_substitution", "upright")


def parse_product_row(values: Mapping[str, str]) -> tuple[cat.ProductCreate | None, list[str]]:
    """A product with the one unit of measure on this row, or what is wrong with the row."""
    cells = _Cells(values, "products")
    flags = {name: cells.flag(name) for name in PRODUCT_FLAGS}
    units = cells.whole("units", 1, 100_000, default=1)
    sizes = {name: cells.whole(name, 0, 10_000, default=0) for name in _SIZES}
    weight = cells.whole("weight_g", 0, 2_000_000, default=0)
    cells.gtin("barcode")
    data = {
        "sku": cells.text("sku"),
        "description": cells.text("description"),
        **flags,
        "units": [
            {
                "uom": cells.text("uom").upper() or "EA",
                "units": units,
                "barcode": cells.text("barcode"),
                **sizes,
                "weight_g": weight,
            }
        ],
    }
    return _validated(cat.ProductCreate, data, _PRODUCT_FIELDS, cells), cells.errors


@dataclass(frozen=True, slots=True)
class StockCount:
    """How many of a SKU (lot, expiry) are at a location: the quantity to set, not a change."""

    line: int
    location: str
    sku: str
    lot: str
    expiry: date | None
    quantity: int
    received_on: date | None

    @property
    def position(self) -> tuple[str, str, str, date | None]:
        return (self.location, self.sku, self.lot, self.expiry)


def parse_stock_row(values: Mapping[str, str], line: int) -> tuple[StockCount | None, list[str]]:
    """A count from one row, or what is wrong with the row."""
    cells = _Cells(values, "stock")
    location = cells.required("location", 40)
    sku = cells.required("sku", 64)
    lot = cells.text("lot")
    if len(lot) > 40:
        cells.fail("lot", "lot is longer than 40 characters")
    expiry = cells.day("expiry", required=False)
    quantity = cells.whole("quantity", 0, MAX_STOCK_QUANTITY)
    received_on = cells.day("received_on", required=False)
    if cells.bad or quantity is None:
        return None, cells.errors
    return StockCount(line, location, sku, lot, expiry, quantity, received_on), []


# -- what the checks ask the database ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductFacts:
    lot_tracked: bool
    expiry_tracked: bool


StockKey = tuple[str, str, date | None]  # sku, lot, expiry at one location


class Lookups(Protocol):
    """What the checks need to know about the database (cached by the implementation)."""

    def product(self, sku: str) -> ProductFacts | None: ...
    def barcode_owner(self, barcode: str) -> str | None: ...
    def location_active(self, code: str) -> bool | None: ...
    def stock_at(self, location: str) -> Mapping[StockKey, tuple[int, int]]: ...


class DatabaseLookups:
    """Lookups through the repositories, one short transaction each, remembered."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow
        # Facts, not whole products: a 100,000-row file may name tens of thousands of SKUs.
        self._products: dict[str, ProductFacts | None] = {}
        self._locations: dict[str, bool | None] = {}
        self._stock: dict[str, dict[StockKey, tuple[int, int]]] = {}

    def product(self, sku: str) -> ProductFacts | None:
        if sku not in self._products:
            with self.uow() as uow:
                found = uow.catalogue.product_by_sku(sku)
            self._products[sku] = (
                ProductFacts(found.lot_tracked, found.expiry_tracked) if found else None
            )
        return self._products[sku]

    def barcode_owner(self, barcode: str) -> str | None:
        with self.uow() as uow:
            found = uow.catalogue.product_by_barcode(barcode)
        return found.sku if found else None

    def location_active(self, code: str) -> bool | None:
        if code not in self._locations:
            with self.uow() as uow:
                found = uow.catalogue.location_by_code(code)
            self._locations[code] = found.active if found else None
        return self._locations[code]

    def stock_at(self, location: str) -> Mapping[StockKey, tuple[int, int]]:
        if location not in self._stock:
            if len(self._stock) > 256:
                # Count files come sorted by location: the last few locations are enough.
                self._stock.clear()
            with self.uow() as uow:
                rows = _all_stock(uow, location, None)
            self._stock[location] = {
                (row.sku, row.lot, row.expiry): (row.quantity, row.reserved) for row in rows
            }
        return self._stock[location]


def _all_stock(uow: UnitOfWork, location: str, sku: str | None) -> list[cat.StockRow]:
    rows: list[cat.StockRow] = []
    while True:
        page = uow.catalogue.list_stock(location, sku, len(rows), 1000)
        rows.extend(page.items)
        if not page.items or len(rows) >= page.total:
            return rows


# -- checking a whole file ----------------------------------------------------------------------


@dataclass
class _OrderDraft:
    line: int
    header: dict[str, Any]  # by column name
    lines: dict[str, tuple[int, int]]  # sku -> (line, quantity); compact for big files

    def order(self) -> ords.OrderCreate:
        fields = self.header
        address = ("name", "line1", "line2", "city", "region", "postal_code", "country")
        return ords.OrderCreate(
            reference=fields["reference"],
            customer_name=fields["customer_name"],
            ship_to=ords.Address(**{name: fields[f"ship_{name}"] for name in address}),
            carrier=fields["carrier"],
            service=fields["service"],
            priority=fields["priority"],
            ship_by=fields["ship_by"],
            lines=[
                ords.OrderLineIn(sku=sku, quantity=quantity)
                for sku, (_line, quantity) in self.lines.items()
            ],
        )


@dataclass
class _ProductDraft:
    line: int
    product: cat.ProductCreate  # with every unit seen so far
    uom_lines: dict[str, int]
    present: bool  # the SKU is in the database already


@dataclass
class Plan:
    """A checked file: the problems found, and what a write would create or set."""

    kind: Kind
    path: Path
    header: Header | None = None
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    bad_lines: dict[int, list[str]] = field(default_factory=dict)
    bad_keys: dict[str, int] = field(default_factory=dict)  # reference/SKU -> first bad line
    bad_units: set[str] = field(default_factory=set)
    orders: dict[str, _OrderDraft] = field(default_factory=dict)
    products: dict[str, _ProductDraft] = field(default_factory=dict)
    counts: list[StockCount] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, line: int, messages: Sequence[str], key: str | None = None) -> None:
        for message in messages:
            self.problems.append(Problem(line, message))
        self.bad_lines.setdefault(line, []).extend(messages)
        if key:
            self.bad_keys.setdefault(key, line)
        self.bad_units.add(key or f"line {line}")

    def to_write(self) -> int:
        """How many orders, products or stock positions a write goes through."""
        if self.kind == "orders":
            return len(self.orders)
        if self.kind == "products":
            return len(self.products)
        return len(self.counts)


class _Checker:
    def __init__(self, plan: Plan, lookups: Lookups) -> None:
        self.plan = plan
        self.lookups = lookups

    def row(self, line: int, values: Mapping[str, str]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Drop what bad rows spoiled: an order or product with any bad row goes as a whole."""


class _OrdersChecker(_Checker):
    def row(self, line: int, values: Mapping[str, str]) -> None:
        plan, reference = self.plan, values.get("reference", "")
        order, errors = parse_order_row(values)
        sku = values.get("sku", "")
        # Looked up even when the row has other problems: all of them are said at once.
        if sku and len(sku) <= 64 and self.lookups.product(sku) is None:
            errors.append(f"unknown SKU {sku}")
            order = None
        if order is None:
            plan.fail(line, errors, reference)
            return
        quantity = order.lines[0].quantity
        header = order_header(order)
        draft = plan.orders.get(reference)
        if draft is None:
            plan.orders[reference] = _OrderDraft(line, header, {sku: (line, quantity)})
            return
        differ = [
            f"{column} {shown(header[column])} differs from line {draft.line} "
            f"({shown(draft.header[column])})"
            for column in ORDER_HEADER_COLUMNS
            if header[column] != draft.header[column]
        ]
        if differ:
            plan.fail(
                line,
                [
                    f"order {reference}: {'; '.join(differ)}: the rows of one order repeat "
                    "the same order fields"
                ],
                reference,
            )
        elif sku in draft.lines:
            plan.fail(
                line,
                [
                    f"SKU {sku} is already on line {draft.lines[sku][0]} of order {reference}: "
                    "put the quantities on one line"
                ],
                reference,
            )
        elif len(draft.lines) >= MAX_ORDER_LINES:
            plan.fail(
                line,
                [f"order {reference} has more than {MAX_ORDER_LINES} lines: split it"],
                reference,
            )
        else:
            draft.lines[sku] = (line, quantity)

    def finish(self) -> None:
        for reference in self.plan.bad_keys:
            self.plan.orders.pop(reference, None)


class _ProductsChecker(_Checker):
    def __init__(self, plan: Plan, lookups: Lookups) -> None:
        super().__init__(plan, lookups)
        self.barcodes: dict[str, tuple[int, str]] = {}  # barcode -> (line, sku) in this file

    def row(self, line: int, values: Mapping[str, str]) -> None:
        plan, sku = self.plan, values.get("sku", "")
        product, errors = parse_product_row(values)
        if product is None:
            plan.fail(line, errors, sku)
            return
        unit = product.units[0]
        draft = plan.products.get(sku)
        problems: list[str] = []
        seen = self.barcodes.get(unit.barcode)
        if seen is not None:
            problems.append(
                f"barcode {unit.barcode} is also on line {seen[0]} (SKU {seen[1]}): "
                "each unit of measure needs its own barcode"
            )
        if draft is None:
            present = self.lookups.product(sku) is not None
        else:
            present = draft.present
            kept = draft.product
            differ = [
                f"{name} {shown(getattr(product, name))} differs from line {draft.line} "
                f"({shown(getattr(kept, name))})"
                for name in ("description", *PRODUCT_FLAGS)
                if getattr(product, name) != getattr(kept, name)
            ]
            if differ:
                problems.append(
                    f"SKU {sku}: {'; '.join(differ)}: the rows of one product repeat "
                    "the same product fields"
                )
            if unit.uom in draft.uom_lines:
                problems.append(
                    f"unit of measure {unit.uom} of SKU {sku} is already on line "
                    f"{draft.uom_lines[unit.uom]}"
                )
            elif len(draft.uom_lines) >= MAX_PRODUCT_UNITS:
                problems.append(f"SKU {sku} has more than {MAX_PRODUCT_UNITS} units of measure")
        if not present and seen is None:
            owner = self.lookups.barcode_owner(unit.barcode)
            if owner is not None:
                problems.append(f"barcode {unit.barcode} already belongs to SKU {owner}")
        if problems:
            plan.fail(line, problems, sku)
            return
        self.barcodes[unit.barcode] = (line, sku)
        if draft is None:
            plan.products[sku] = _ProductDraft(line, product, {unit.uom: line}, present)
        else:
            draft.uom_lines[unit.uom] = line
            draft.product = draft.product.model_copy(update={"units": [*draft.product.units, unit]})

    def finish(self) -> None:
        for sku in self.plan.bad_keys:
            self.plan.products.pop(sku, None)


class _StockChecker(_Checker):
    def __init__(self, plan: Plan, lookups: Lookups) -> None:
        super().__init__(plan, lookups)
        self.positions: dict[tuple[str, str, str, date | None], int] = {}

    def row(self, line: int, values: Mapping[str, str]) -> None:
        plan = self.plan
        count, problems = parse_stock_row(values, line)
        location, sku = values.get("location", ""), values.get("sku", "")
        # Looked up even when the row has other problems: all of them are said at once.
        active = self.lookups.location_active(location) if 0 < len(location) <= 40 else True
        if active is None:
            problems.append(f"unknown location {location}")
        elif not active:
            problems.append(f"location {location} is not in use (inactive)")
        facts = self.lookups.product(sku) if 0 < len(sku) <= 64 else None
        if facts is None and 0 < len(sku) <= 64:
            problems.append(f"unknown SKU {sku}")
        if count is None:
            plan.fail(line, problems)
            return
        if facts is not None:
            problems.extend(_tracking(count, facts))
        first = self.positions.get(count.position)
        if first is not None:
            problems.append(f"the same location, SKU, lot and expiry as line {first}")
        if not problems:
            on_hand = self.lookups.stock_at(count.location).get(
                (count.sku, count.lot, count.expiry)
            )
            if on_hand is not None and count.quantity < on_hand[1]:
                problems.append(
                    f"quantity {count.quantity} is below the {on_hand[1]} reserved for orders "
                    f"at {count.location}: pick or unreserve those first"
                )
        if problems:
            plan.fail(line, problems)
            return
        self.positions[count.position] = line
        plan.counts.append(count)


def _tracking(count: StockCount, facts: ProductFacts) -> list[str]:
    problems = []
    if facts.lot_tracked and not count.lot:
        problems.append(f"SKU {count.sku} is lot-tracked: lot is empty")
    if not facts.lot_tracked and count.lot:
        problems.append(f"SKU {count.sku} does not track lots: leave lot empty")
    if facts.expiry_tracked and count.expiry is None:
        problems.append(f"SKU {count.sku} is expiry-tracked: expiry is empty")
    if not facts.expiry_tracked and count.expiry is not None:
        problems.append(f"SKU {count.sku} does not track expiry: leave expiry empty")
    return problems


_CHECKERS: dict[Kind, type[_Checker]] = {
    "orders": _OrdersChecker,
    "products": _ProductsChecker,
    "stock": _StockChecker,
}


def check_file(kind: Kind, path: Path, lookups: Lookups, progress: Progress | None = None) -> Plan:
    """Read and check every row of the file; nothing is written."""
    if kind not in COLUMNS:
        raise ImportFileError(f"cannot import {kind!r}: choose one of {', '.join(KINDS)}")
    source = CsvFile(path)
    plan = Plan(kind, path)
    checker = _CHECKERS[kind](plan, lookups)
    records = source.records()
    first = next(records, None)
    if first is None:
        raise ImportFileError(
            f"{path} is empty: its first line names the columns, e.g. "
            f"{','.join(COLUMNS[kind].required)}"
        )
    header = plan.header = read_header(kind, first, path)
    key_index = header.positions.get(_GROUPED_BY[kind] or "")
    for record in records:
        plan.rows += 1
        if len(_fields(record, header)) != header.width:
            plan.fail(
                record.line,
                [
                    f"{len(record.fields)} values where the header has {header.width} columns "
                    "(a value holding a comma goes in double quotes)"
                ],
                _field(record, key_index),
            )
        else:
            checker.row(record.line, header.values(record.fields))
        if progress is not None and plan.rows % 256 == 0:
            progress("checking", source.bytes_read, source.size)
    checker.finish()
    if progress is not None:
        progress("checking", source.size, source.size)
    return plan


def _field(record: Record, index: int | None) -> str:
    if index is None or index >= len(record.fields):
        return ""
    return record.fields[index].strip()


def _fields(record: Record, header: Header) -> list[str]:
    """The record's values, without the empty ones of unnamed columns after the last named."""
    fields = record.fields
    if len(fields) > header.width and not any(value.strip() for value in fields[header.width :]):
        return fields[: header.width]
    return fields


def write_bad_rows(plan: Plan, target: Path) -> int:
    """Write the rows left out (their own columns, then `error`) to target; how many rows."""
    assert plan.header is not None
    header = plan.header
    key_column = _GROUPED_BY[plan.kind]
    key_index = header.positions.get(key_column) if key_column else None
    error_index = next(
        (i for i, name in enumerate(header.names) if _normal(name) == ERROR_COLUMN), None
    )
    names = list(header.names)
    if error_index is None:
        names.append(ERROR_COLUMN)
    written = 0
    # utf-8-sig: Excel, where these rows are usually fixed, only reads UTF-8 with the mark.
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for record in CsvFile(plan.path).records():
            if record.line == header.line:
                continue
            messages = plan.bad_lines.get(record.line)
            key = _field(record, key_index)
            if messages:
                error = "; ".join(messages)
            elif key and key in plan.bad_keys:
                what = "order" if plan.kind == "orders" else "SKU"
                error = f"{what} {key} left out: line {plan.bad_keys[key]} is bad"
            else:
                continue
            fields = list(_fields(record, header))
            if error_index is not None:
                fields += [""] * (error_index + 1 - len(fields))
                fields[error_index] = error
            else:
                fields += [""] * (header.width - len(fields))
                fields.append(error)
            writer.writerow(fields)
            written += 1
    return written


# -- the use case -----------------------------------------------------------------------------


class ImportService:
    """Check a file, then write it in batches: orders, products or stock counts."""

    def __init__(self, uow: UnitOfWorkFactory, *, batch_size: int = BATCH_SIZE) -> None:
        self.uow = uow
        self.orders = OrderService(uow)
        self.batch_size = batch_size

    def check(self, kind: Kind, path: Path, progress: Progress | None = None) -> Plan:
        return check_file(kind, path, DatabaseLookups(self.uow), progress)

    def run(
        self,
        actor: Actor,
        kind: Kind,
        path: Path,
        *,
        skip_bad: Path | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Check every row; write nothing if any is bad, unless skip_bad names a file for them.

        All-or-nothing across batches without one huge transaction: everything that can make
        a row fail (format, unknown SKU or location, taken barcode, reserved stock) is checked
        before the first write, so a write can only fail on the database itself or on a
        change made since the check. Each batch commits on its own and every batch is
        idempotent (orders by reference, products by SKU, stock by absolute quantity), so
        running the same import again finishes an interrupted one without duplicates.
        """
        actor.require(_PERMISSION[kind])
        if skip_bad is not None and skip_bad.resolve() == path.resolve():
            raise ImportFileError("--skip-bad must name another file than the one imported")
        plan = self.check(kind, path, progress)
        report = ImportReport(
            kind,
            path,
            rows=plan.rows,
            problems=sorted(plan.problems, key=lambda problem: problem.line),
            bad=len(plan.bad_units),
            bad_lines=len(plan.bad_lines),
        )
        if not plan.ok and skip_bad is None:
            return report
        if skip_bad is not None:
            try:
                write_bad_rows(plan, skip_bad)
            except OSError as exc:
                raise ImportFileError(f"cannot write {skip_bad}: {exc.strerror}") from None
            report.bad_rows_file = skip_bad
        report.written = True
        self.write(actor, plan, report, progress)
        return report

    def write(
        self, actor: Actor, plan: Plan, report: ImportReport, progress: Progress | None = None
    ) -> None:
        """Write what the plan holds, batch by batch, counting into the report."""
        total, done = plan.to_write(), 0
        if progress is not None:
            progress("importing", 0, total)
        steps: Iterator[tuple[int, tuple[int, int]]]
        if plan.kind == "orders":
            steps = self._steps(actor, list(plan.orders.values()), plan, self._orders)
        elif plan.kind == "products":
            steps = self._steps(actor, list(plan.products.values()), plan, self._products)
        else:
            steps = self._steps(actor, plan.counts, plan, self._stock)
        while True:
            try:
                step = next(steps, None)
            except Exception as exc:
                # Whatever the cause, say how far it got: earlier batches are committed.
                raise ImportInterrupted(report, exc) from exc
            if step is None:
                return
            size, (imported, present) = step
            report.imported += imported
            report.already_present += present
            done += size
            if progress is not None:
                progress("importing", done, total)

    def _steps(
        self,
        actor: Actor,
        items: Sequence[T],
        plan: Plan,
        write: Callable[[Actor, Sequence[T], Plan], tuple[int, int]],
    ) -> Iterator[tuple[int, tuple[int, int]]]:
        for batch in _chunks(items, self.batch_size):
            yield len(batch), write(actor, batch, plan)

    def _orders(self, actor: Actor, batch: Sequence[_OrderDraft], plan: Plan) -> tuple[int, int]:
        orders = [draft.order() for draft in batch]
        result = self.orders.create_many(actor, ords.OrderBatch(orders=orders))
        return len(result.created), len(result.already_present)

    def _products(
        self, actor: Actor, batch: Sequence[_ProductDraft], plan: Plan
    ) -> tuple[int, int]:
        created = present = 0
        with self.uow() as uow:
            for draft in batch:
                product = draft.product
                # Checked again inside the transaction: it may have been added since.
                if draft.present or uow.catalogue.product_by_sku(product.sku) is not None:
                    present += 1
                    continue
                uow.catalogue.add_product(product)
                uow.audit.record(
                    actor, "product.created", "product", product.sku, product.model_dump()
                )
                created += 1
            uow.commit()
        return created, present

    def _stock(self, actor: Actor, batch: Sequence[StockCount], plan: Plan) -> tuple[int, int]:
        changed = unchanged = 0
        note = f"import {plan.path.name}"[:180]
        with self.uow() as uow:
            for count in batch:
                # The delta is worked out inside the transaction that applies it, so a count
                # sets the quantity it names even if stock moved since the check.
                current = next(
                    (
                        row.quantity
                        for row in _all_stock(uow, count.location, count.sku)
                        if row.lot == count.lot and row.expiry == count.expiry
                    ),
                    0,
                )
                delta = count.quantity - current
                if delta == 0:
                    unchanged += 1
                    continue
                adjustment = cat.StockAdjustment(
                    location=count.location,
                    sku=count.sku,
                    lot=count.lot,
                    expiry=count.expiry,
                    delta=delta,
                    reason="count",
                    note=f"{note} line {count.line}",
                    received_on=count.received_on,
                )
                row = uow.catalogue.adjust_stock(adjustment)
                uow.audit.record(
                    actor,
                    "stock.adjusted",
                    "stock",
                    str(row.id),
                    {**adjustment.model_dump(mode="json"), "quantity_after": row.quantity},
                )
                changed += 1
            uow.commit()
        return changed, unchanged


_PERMISSION: dict[Kind, Permission] = {
    "orders": Permission.MANAGE_ORDERS,
    "products": Permission.MANAGE_CATALOGUE,
    "stock": Permission.ADJUST_STOCK,
}


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
