"""Carts and totes from a CSV file: one row per label or range of labels, checked whole first."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from toteflow.central.services.importing.reading import CsvFile, ImportFileError, normal_name
from toteflow.contracts import containers as c

COLUMNS = ("kind", "labels", "slots", "volume_l", "max_volume_l", "max_weight_kg")
REQUIRED = ("kind", "labels")
# Which columns each kind reads; the others must be left empty on its rows.
_OF_KIND = {
    "cart": ("slots", "max_volume_l", "max_weight_kg"),
    "tote": ("volume_l",),
}
# A file lists bad rows up to this many, then says how many more.
SHOWN_PROBLEMS = 20


def read_containers(path: Path) -> tuple[list[c.CartCreate], list[c.ToteCreate]]:
    """The carts and totes a file registers; ImportFileError listing every bad row, if any.

    Columns: kind (`cart` or `tote`), labels (one label, or a range `T000001-T000200`),
    and optionally slots, max_volume_l, max_weight_kg (carts) and volume_l (totes).
    """
    records = CsvFile(path).records()
    header = next(records, None)
    if header is None:
        raise ImportFileError(f"{path} is empty: the first line names the columns")
    names = [normal_name(name) for name in header.fields]
    while names and not names[-1]:
        names.pop()
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise ImportFileError(
            f"{path} line {header.line}: the columns are {', '.join(COLUMNS)} "
            f"(kind and labels required); "
            + "; ".join(
                [f"unknown column {name!r}" for name in unknown]
                + [f"missing column {name}" for name in missing]
                + (["a column appears twice"] if len(set(names)) != len(names) else [])
            )
        )
    carts: list[c.CartCreate] = []
    totes: list[c.ToteCreate] = []
    problems: list[str] = []
    for record in records:
        values = {
            name: (record.fields[i].strip() if i < len(record.fields) else "")
            for i, name in enumerate(names)
        }
        kind = values["kind"].lower()
        if kind not in _OF_KIND:
            problems.append(f"line {record.line}: kind: {values['kind']!r} is not cart or tote")
            continue
        stray = [n for n in names if values[n] and n not in (*REQUIRED, *_OF_KIND[kind])]
        if stray:
            problems.append(f"line {record.line}: {', '.join(stray)}: not a {kind}'s column")
            continue
        fields = {n: values[n] for n in _OF_KIND[kind] if values.get(n)}
        try:
            if kind == "cart":
                cart = c.CartRangeCreate.model_validate({"labels": values["labels"], **fields})
                carts += cart.expand()
            else:
                tote = c.ToteRangeCreate.model_validate({"labels": values["labels"], **fields})
                totes += tote.expand()
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "row"
            problems.append(f"line {record.line}: {where}: {_message(first['msg'])}")
    if problems:
        shown = problems[:SHOWN_PROBLEMS]
        more = len(problems) - len(shown)
        raise ImportFileError(
            f"{path}: {len(problems)} bad row{'s' if len(problems) != 1 else ''}, nothing "
            "imported:\n" + "\n".join(shown) + (f"\n... and {more} more" if more else "")
        )
    return carts, totes


def _message(text: str) -> str:
    # pydantic prefixes the reasons our validators give; the person needs only the reason.
    return text.removeprefix("Value error, ")
