"""CSV files written for people: cells a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

# What Excel, LibreOffice and Google Sheets read as the start of a formula (or, tab and
# carriage return, as white space before one), as OWASP lists them for CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralised(cell: object) -> object:
    """The cell as a spreadsheet shows it as text: a leading `'` before a formula's start.

    Numbers are left alone (a negative quantity is a number, not a formula); only text
    that starts like a formula is prefixed. The value stored stays as it was received.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def restored(cell: str) -> str:
    """A cell read back from a file we wrote (a fixed `--skip-bad` file): the `'` we put
    before a formula's start taken off again, so the value is stored as first received."""
    if cell[:1] == "'" and cell[1:2] and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


class SafeCsvWriter:
    """csv.writer whose every text cell goes out through `neutralised`."""

    def __init__(self, handle: _Writable, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralised(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
