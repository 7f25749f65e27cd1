"""The values of one row: parsed, checked against the contracts, explained in plain words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from toteflow.central.services.importing.columns import COLUMNS, Kind
from toteflow.contracts.common import refused_character
from toteflow.domain.gs1 import gs1_check_digit

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_TRUE = frozenset({"true", "yes", "y", "1", "x"})
_FALSE = frozenset({"false", "no", "n", "0", ""})

# An address line pasted from a spreadsheet may keep its line break, as the contracts allow.
_KEEPS = {"ship_line1": "\n", "ship_line2": "\n"}
# What a value may look like, for the contracts' patterns, in words.
_PATTERN_HINTS = {
    "reference": "may hold letters, digits and - _ . / only (up to 64, a letter or digit first)",
    "carrier": "may hold letters, digits, - and _ only (up to 40)",
    "service": "may hold letters, digits, - and _ only (up to 40)",
    "ship_country": "is not a two-letter country code such as GB or DE",
    "sku": "may hold letters, digits and - _ . only (up to 64, a letter or digit first)",
    "uom": "is not a unit of measure: 2 to 8 letters such as EA, CS or PL",
    "barcode": "may hold letters, digits and - only (4 to 64 of them)",
    "supplier_code": "may hold letters, digits and - _ . only (up to 40, a letter or digit first)",
}


def shown(value: object) -> str:
    """A value quoted for a message, cut short when long; invisible characters as escapes,
    so that a terminal escape in a cell does not colour (or rewrite) the message."""
    text = str(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return "'" + "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text) + "'"


class Cells:
    """One row's values by column, collecting what is wrong with them."""

    def __init__(self, values: Mapping[str, str], kind: Kind) -> None:
        self.values = values
        self.order = COLUMNS[kind].names
        self._errors: list[tuple[int, str]] = []
        self.bad: set[str] = set()
        # One look at the whole row: when every value is printable (the usual row), no
        # value holds a refused character and text() need not look at each on its own.
        self.printable = "".join(values.values()).isprintable()

    @property
    def errors(self) -> list[str]:
        """What is wrong, in the order of the columns (as a person reads the row)."""
        return [message for _position, message in sorted(self._errors, key=lambda e: e[0])]

    def text(self, column: str) -> str:
        value = self.values.get(column, "")
        if self.printable:
            return value
        if column not in self.bad and (found := refused_character(value, _KEEPS.get(column, ""))):
            self.fail(
                column,
                f"{column} {shown(value)} holds a control or invisible character "
                f"({found[0]} at character {found[1]})",
            )
        return value

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


def validated(
    model: type[M],
    data: dict[str, Any],
    columns: Mapping[tuple[str | int, ...], str],
    cells: Cells,
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
