"""Checking a whole file: read it, put every row through its kind's checker, write nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from toteflow.central.services.importing.columns import COLUMNS, GROUPED_BY, KINDS, Kind
from toteflow.central.services.importing.limit_rows import FaceLimitsChecker
from toteflow.central.services.importing.lookups import Lookups
from toteflow.central.services.importing.notice_rows import NoticesChecker
from toteflow.central.services.importing.order_rows import OrdersChecker
from toteflow.central.services.importing.plan import Checker, Plan
from toteflow.central.services.importing.product_rows import ProductsChecker
from toteflow.central.services.importing.reading import (
    CsvFile,
    ImportFileError,
    Progress,
    Record,
    read_header,
    record_field,
    record_fields,
)
from toteflow.central.services.importing.stock_rows import StockChecker

# Rows read ahead so that their SKUs are looked up in one query, not one each.
PREFETCH_ROWS = 2000

_CHECKERS: dict[Kind, type[Checker]] = {
    "orders": OrdersChecker,
    "products": ProductsChecker,
    "stock": StockChecker,
    "notices": NoticesChecker,
    "face-limits": FaceLimitsChecker,
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
    key_index = header.positions.get(GROUPED_BY[kind] or "")
    sku_index = header.positions.get("sku")
    for record in _prefetched(records, lookups, sku_index):
        plan.rows += 1
        if len(record_fields(record, header)) != header.width:
            plan.fail(
                record.line,
                [
                    f"{len(record.fields)} values where the header has {header.width} columns "
                    "(a value holding a comma goes in double quotes)"
                ],
                record_field(record, key_index),
            )
        else:
            checker.row(record.line, header.values(record.fields))
        if progress is not None and plan.rows % 256 == 0:
            progress("checking", source.bytes_read, source.size)
    checker.finish()
    if progress is not None:
        progress("checking", source.size, source.size)
    return plan


def _prefetched(
    records: Iterator[Record], lookups: Lookups, sku_index: int | None
) -> Iterator[Record]:
    """The records, the SKUs of each chunk of them looked up together first."""
    while chunk := list(itertools.islice(records, PREFETCH_ROWS)):
        if sku_index is not None:
            skus = {record_field(record, sku_index) for record in chunk}
            lookups.prefetch(sorted(sku for sku in skus if 0 < len(sku) <= 64))
        yield from chunk
