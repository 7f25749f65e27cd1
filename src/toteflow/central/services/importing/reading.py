"""Reading an import file: UTF-8 CSV records with their line numbers, and the header."""

from __future__ import annotations

import csv
import difflib
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from toteflow.central.services.importing.columns import COLUMNS, ERROR_COLUMN, Kind
from toteflow.shared.csv_cells import restored

# phase ("checking": done/total are bytes of the file; "importing": orders, products or
# stock positions), done, total.
Progress = Callable[[str, int, int], None]


class ImportFileError(Exception):
    """The file cannot be read as a CSV of this kind at all (missing, not UTF-8, bad header)."""


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
                    # A cell of a --skip-bad file comes back without the quote put before
                    # a formula's start when it was written (shared/csv_cells.py).
                    # Most records have no such cell: one search of the joined text says so.
                    if "'" in "".join(fields):
                        fields = [restored(value) for value in fields]
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
        """The known columns' values of a record (as long as the header), stripped."""
        # In C, not a Python step per value: this runs for every row of a 100,000-row file.
        names, pick = self._picker
        picked = pick(fields)
        if len(names) == 1:
            picked = (picked,)
        return dict(zip(names, map(str.strip, picked), strict=True))

    @cached_property
    def _picker(self) -> tuple[tuple[str, ...], Callable[[Sequence[str]], Any]]:
        return tuple(self.positions), operator.itemgetter(*self.positions.values())

    @property
    def width(self) -> int:
        return len(self.names)


def normal_name(name: str) -> str:
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
        key = normal_name(name)
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


def record_field(record: Record, index: int | None) -> str:
    """The record's value in the field at index, stripped; empty when there is none."""
    if index is None or index >= len(record.fields):
        return ""
    return record.fields[index].strip()


def record_fields(record: Record, header: Header) -> list[str]:
    """The record's values, without the empty ones of unnamed columns after the last named."""
    fields = record.fields
    if len(fields) > header.width and not any(value.strip() for value in fields[header.width :]):
        return fields[: header.width]
    return fields
