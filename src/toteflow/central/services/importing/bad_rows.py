"""The --skip-bad file: the rows left out, as they were, each with what is wrong with it."""

from __future__ import annotations

from pathlib import Path

from toteflow.central.services.importing.columns import ERROR_COLUMN, GROUP_NOUNS, GROUPED_BY
from toteflow.central.services.importing.plan import Plan
from toteflow.central.services.importing.reading import (
    CsvFile,
    normal_name,
    record_field,
    record_fields,
)
from toteflow.shared.csv_cells import SafeCsvWriter


def write_bad_rows(plan: Plan, target: Path) -> int:
    """Write the rows left out (their own columns, then `error`) to target; how many rows."""
    assert plan.header is not None
    header = plan.header
    key_column = GROUPED_BY[plan.kind]
    key_index = header.positions.get(key_column) if key_column else None
    error_index = next(
        (i for i, name in enumerate(header.names) if normal_name(name) == ERROR_COLUMN), None
    )
    names = list(header.names)
    if error_index is None:
        names.append(ERROR_COLUMN)
    written = 0
    # utf-8-sig: Excel, where these rows are usually fixed, only reads UTF-8 with the mark.
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        # Cells as received, but none that a spreadsheet would run as a formula.
        writer = SafeCsvWriter(handle)
        writer.writerow(names)
        for record in CsvFile(plan.path).records():
            if record.line == header.line:
                continue
            messages = plan.bad_lines.get(record.line)
            key = record_field(record, key_index)
            if messages:
                error = "; ".join(messages)
            elif key and key in plan.bad_keys:
                what = GROUP_NOUNS.get(plan.kind, "SKU")
                error = f"{what} {key} left out: line {plan.bad_keys[key]} is bad"
            else:
                continue
            fields = list(record_fields(record, header))
            if error_index is not None:
                fields += [""] * (error_index + 1 - len(fields))
                fields[error_index] = error
            else:
                fields += [""] * (header.width - len(fields))
                fields.append(error)
            writer.writerow(fields)
            written += 1
    return written
