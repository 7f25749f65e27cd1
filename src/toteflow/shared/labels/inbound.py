"""Supplier labels as goods arrive, 4 x 3 in: a case's GTIN, lot, expiry, count; a pallet's SSCC.

What a supplier sticks on its cases and pallets, drawn as GS1-128 so that a station reads it
as a scanner reads the real thing: the demo's notice comes with them, and tests decode them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from toteflow.domain.labels import LABEL_DPI, LABEL_WIDTH_DOTS, QUIET_ZONE_X, dots_for_mm
from toteflow.shared.labels.layout import GS, Barcode, Op, Text, code128_modules
from toteflow.shared.labels.raster import draw_ops

HEIGHT_DOTS = 609  # 4 x 3 in
# GS1 logistic labels: bars at least 31.75 mm high.
BAR_HEIGHT = round(dots_for_mm(32))


@dataclass(frozen=True)
class InboundLabel:
    """One GS1-128 symbol: `fields` are (AI, value) in the order printed; a variable-length
    field followed by another ends with FNC1."""

    caption: str  # "CASE", "PALLET"
    fields: tuple[tuple[str, str], ...]
    lines: tuple[str, ...] = ()  # what a person reads under the bars

    @property
    def element_string(self) -> str:
        """The symbol's data, GS for each FNC1 separator (as a scanner sends it, after ]C1)."""
        out = ""
        for n, (ai, value) in enumerate(self.fields):
            out += ai + value
            if n < len(self.fields) - 1 and ai not in _FIXED:
                out += GS
        return out

    @property
    def human(self) -> str:
        return "".join(f"({ai}){value}" for ai, value in self.fields)


# Application identifiers of fixed length: no FNC1 after them.
_FIXED = frozenset({"00", "01", "02", "11", "13", "15", "16", "17"})


def case_label(
    gtin: str | None,
    *,
    lot: str = "",
    expiry: date | None = None,
    count: int | None = None,
    contents: bool = False,
    description: str = "",
) -> InboundLabel:
    """A case's label: GTIN (AI 01, or AI 02 with a count of what it holds), expiry, lot;
    no GTIN for a second label that carries only what the first has no room for.

    Fixed-length fields first and the lot before the count, as GS1 advises: fewer FNC1s.
    """
    fields: list[tuple[str, str]] = [("02" if contents else "01", gtin)] if gtin else []
    if expiry is not None:
        fields.append(("17", expiry.strftime("%y%m%d")))
    if lot:
        fields.append(("10", lot))
    if count is not None:
        fields.append(("37", str(count)))
    lines = tuple(x for x in (description[:40], _readable(lot, expiry, count)) if x)
    return InboundLabel("CASE", tuple(fields), lines)


def pallet_label(sscc: str, description: str = "") -> InboundLabel:
    return InboundLabel("PALLET", (("00", sscc),), (description[:40],) if description else ())


def _readable(lot: str, expiry: date | None, count: int | None) -> str:
    parts = []
    if lot:
        parts.append(f"LOT {lot}")
    if expiry is not None:
        parts.append(f"EXP {expiry.isoformat()}")
    if count is not None:
        parts.append(f"QTY {count}")
    return "  ".join(parts)


def inbound_layout(label: InboundLabel) -> list[Op]:
    modules = code128_modules(label.element_string, gs1=True)
    dots = next(
        (d for d in (4, 3, 2) if (len(modules) + 2 * QUIET_ZONE_X) * d <= LABEL_WIDTH_DOTS), 1
    )
    x = max((LABEL_WIDTH_DOTS - len(modules) * dots) // 2, QUIET_ZONE_X * dots)
    ops: list[Op] = [
        Text(24, 20, 30, label.caption, bold=True),
        Barcode(x, 70, dots, BAR_HEIGHT, label.element_string, modules, True),
        Text(24, 70 + BAR_HEIGHT + 20, 26, label.human[:48], bold=True),
    ]
    for n, line in enumerate(label.lines):
        ops.append(Text(24, 70 + BAR_HEIGHT + 70 + 44 * n, 30, line))
    return ops


def render_inbound_png(label: InboundLabel) -> bytes:
    """A PNG picture of the label (suppliers print their own: no ZPL is needed of ours)."""
    out = io.BytesIO()
    draw_ops(inbound_layout(label), LABEL_WIDTH_DOTS, HEIGHT_DOTS).save(
        out, format="PNG", dpi=(LABEL_DPI, LABEL_DPI)
    )
    return out.getvalue()
