"""What a notice must agree with beyond its own shape: the catalogue, the docks, its SSCCs.

One set of checks for the API and the CSV import, so both refuse the same notice in the same
words. Each problem names the field (`lines.2.uom`) the way a 422 names it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from toteflow.contracts import notices as n
from toteflow.contracts.common import MAX_QUANTITY

# (SKU, lot, expiry): the stock position a unit will be received as.
Position = tuple[str, str, date | None]


@dataclass(frozen=True)
class NoticeProblem:
    where: str  # the field, dotted as in a 422: lines.0.sku, ssccs.3.contents.0.quantity
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_notice(
    notice: n.NoticeCreate,
    units: Mapping[str, Mapping[str, int]],
    location_kinds: Mapping[str, str],
) -> list[NoticeProblem]:
    """What is wrong with the notice against the catalogue (SKU -> uom -> base units) and
    the locations (code -> kind); empty when it can be stored."""
    problems: list[NoticeProblem] = []
    if notice.dock is not None:
        kind = location_kinds.get(notice.dock)
        if kind is None:
            problems.append(NoticeProblem("dock", f"no location {notice.dock}"))
        elif kind != "dock":
            problems.append(
                NoticeProblem("dock", f"location {notice.dock} is a {kind}, not a dock")
            )
    expected: Counter[Position] = Counter()
    for i, line in enumerate(notice.lines):
        sizes = units.get(line.sku)
        if sizes is None:
            problems.append(NoticeProblem(f"lines.{i}.sku", f"unknown SKU {line.sku}"))
            continue
        size = sizes.get(line.uom)
        if size is None:
            problems.append(
                NoticeProblem(
                    f"lines.{i}.uom",
                    f"SKU {line.sku} has no unit {line.uom} (it has {', '.join(sorted(sizes))})",
                )
            )
            continue
        if line.quantity * size > MAX_QUANTITY:
            problems.append(
                NoticeProblem(
                    f"lines.{i}.quantity",
                    f"{line.quantity:,} {line.uom} of {line.sku} are {line.quantity * size:,} "
                    f"units, more than the {MAX_QUANTITY:,} one line may hold: split the line",
                )
            )
        expected[(line.sku, line.lot, line.expiry)] += line.quantity * size
    packed: Counter[Position] = Counter()
    for i, sscc in enumerate(notice.ssccs):
        for j, content in enumerate(sscc.contents):
            if content.sku not in units:
                problems.append(
                    NoticeProblem(f"ssccs.{i}.contents.{j}.sku", f"unknown SKU {content.sku}")
                )
            packed[(content.sku, content.lot, content.expiry)] += content.quantity
    if packed and not problems:
        problems += _mismatches(expected, packed)
    return problems


def _mismatches(expected: Counter[Position], packed: Counter[Position]) -> list[NoticeProblem]:
    # Packing given: every unit on the lines is on a pallet or case, and nothing else is.
    differ = [
        f"{_position(position)}: lines {expected[position]}, SSCCs {packed[position]}"
        for position in sorted(set(expected) | set(packed), key=_sort_key)
        if expected[position] != packed[position]
    ]
    if not differ:
        return []
    shown = "; ".join(differ[:10]) + (" ..." if len(differ) > 10 else "")
    return [
        NoticeProblem(
            "ssccs",
            f"the contents of the SSCCs do not match the lines (base units): {shown}",
        )
    ]


def _position(position: Position) -> str:
    sku, lot, expiry = position
    return sku + (f" lot {lot}" if lot else "") + (f" expiry {expiry}" if expiry else "")


def _sort_key(position: Position) -> tuple[str, str, str]:
    return (position[0], position[1], str(position[2] or ""))


def skus_of(notices: Iterable[n.NoticeCreate]) -> list[str]:
    """Every SKU the notices name, on lines or in SSCC contents."""
    found = {line.sku for notice in notices for line in notice.lines}
    found |= {c.sku for notice in notices for s in notice.ssccs for c in s.contents}
    return sorted(found)


def unit_sizes(
    notices: Iterable[n.NoticeCreate], units: Mapping[str, Mapping[str, int]]
) -> dict[tuple[str, str], int]:
    """(SKU, uom) -> base units, for the lines of checked notices."""
    return {
        (line.sku, line.uom): units[line.sku][line.uom]
        for notice in notices
        for line in notice.lines
    }
