"""One 4x6 in label layout in printer dots, drawn alike by the ZPL, PNG and PDF renderers."""

from __future__ import annotations

from dataclasses import dataclass

from barcode.charsets import code128

from toteflow.domain.labels import (
    GS1_LOGISTIC_MIN_HEIGHT_MM,
    LABEL_DPI,
    LABEL_HEIGHT_DOTS,
    LABEL_WIDTH_DOTS,
    QUIET_ZONE_X,
    ShippingLabel,
    dots_for_mm,
    sscc_module_dots,
)

MARGIN = 24


@dataclass(frozen=True)
class Text:
    x: int
    y: int
    size: int  # cap height in dots, roughly
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Barcode:
    """A Code 128 symbol: `modules` is python-barcode's 1/0 string, `gs1` marks leading FNC1."""

    x: int
    y: int
    module_dots: int
    height: int
    data: str
    modules: str
    gs1: bool

    @property
    def width(self) -> int:
        return len(self.modules) * self.module_dots


Op = Text | Rule | Barcode


_START_B, _START_C, _TO_B, _TO_C, _FNC1 = 104, 105, 100, 99, 102
# In a GS1-128 element string, GS stands for the FNC1 that ends a variable-length field.
GS = "\x1d"


def _digits_at(data: str, i: int) -> int:
    run = 0
    while i + run < len(data) and "0" <= data[i + run] <= "9":
        run += 1
    return run


def code128_values(data: str, *, gs1: bool) -> list[int]:
    """Code 128 symbol values (start, data, check): subset C for digit runs, else B; with
    `gs1`, FNC1 first and for each GS in `data`.

    Our own encoder over python-barcode's pattern table: python-barcode 0.16 drops a
    leading "99" pair (its start-code optimisation takes value 99 for "switch to C"), and a
    tracking number must never lose digits. The label tests decode every symbol to prove it.
    """
    separator = GS if gs1 else None
    if any(not " " <= c <= "~" and c != separator for c in data):
        raise ValueError(f"Code 128 here takes printable ASCII only, got {data!r}")
    lead = _digits_at(data, 0)
    in_c = lead >= 4 or (lead == len(data) and lead % 2 == 0 and lead >= 2)
    values = [_START_C if in_c else _START_B]
    if gs1:
        values.append(_FNC1)
    i = 0
    while i < len(data):
        if data[i] == separator:
            # GS1-128: FNC1 ends a variable-length field (the same value in sets B and C).
            values.append(_FNC1)
            i += 1
            continue
        run = _digits_at(data, i)
        if in_c:
            if run >= 2:
                values.append(int(data[i : i + 2]))
                i += 2
                continue
            values.append(_TO_B)
            in_c = False
        if run >= 4:
            if run % 2:
                values.append(ord(data[i]) - 32)
                i += 1
            values.append(_TO_C)
            in_c = True
            continue
        values.append(ord(data[i]) - 32)
        i += 1
    values.append((values[0] + sum(k * v for k, v in enumerate(values[1:], 1))) % 103)
    return values


def code128_modules(data: str, *, gs1: bool) -> str:
    """The bar/space modules of a Code 128 symbol (GS1-128 when `gs1`: FNC1 first)."""
    values = code128_values(data, gs1=gs1)
    # The stop pattern is followed by its final two-module bar.
    patterns: tuple[str, ...] = tuple(code128.CODES)
    stop: str = code128.STOP
    return "".join(patterns[v] for v in values) + stop + "11"


def _centred(modules: str, module_dots: int) -> int:
    return max((LABEL_WIDTH_DOTS - len(modules) * module_dots) // 2, QUIET_ZONE_X * module_dots)


def _tracking_module(modules: str) -> int:
    # 3 dots (0.375 mm) scans well from a hand-held; narrower only if the number is long.
    for dots in (3, 2):
        if (len(modules) + 2 * QUIET_ZONE_X) * dots <= LABEL_WIDTH_DOTS:
            return dots
    return 1


def _wrap(text: str, width: int) -> list[str]:
    """Words on lines of at most `width` characters (a longer word is cut)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word[:width])
    return lines


def layout(label: ShippingLabel) -> list[Op]:
    ops: list[Op] = []
    y = MARGIN
    ops.append(Text(MARGIN, y, 20, "FROM:", bold=True))
    for i, line in enumerate(label.ship_from.lines()[:5]):
        ops.append(Text(MARGIN + 100, y + i * 26, 20, line[:36]))
    ops.append(Text(520, y, 44, label.carrier.upper()[:12], bold=True))
    # The top-right corner is 290 dots wide: a long service name takes two lines.
    for i, line in enumerate(_wrap(label.service, 14)[:2]):
        ops.append(Text(520, y + 60 + i * 32, 26, line, bold=True))
    y = 170
    ops.append(Rule(0, y, LABEL_WIDTH_DOTS, 4))
    y += 16
    ops.append(Text(MARGIN, y, 24, "SHIP TO:", bold=True))
    for i, line in enumerate(label.ship_to.lines()[:5]):
        ops.append(Text(MARGIN + 40, y + 36 + i * 44, 36, line[:32], bold=i == 0))
    y = 440
    ops.append(Rule(0, y, LABEL_WIDTH_DOTS, 4))
    ops.append(Text(MARGIN, y + 16, 26, f"ORDER {label.order_reference}"[:34], bold=True))
    ops.append(Text(MARGIN, y + 52, 26, f"BOX {label.box_no} OF {label.box_count}"))
    ops.append(Text(460, y + 52, 26, f"{label.weight_g / 1000:.2f} KG"))
    y = 540
    ops.append(Rule(0, y, LABEL_WIDTH_DOTS, 4))
    ops.append(Text(MARGIN, y + 14, 22, "TRACKING #", bold=True))
    modules = code128_modules(label.tracking, gs1=False)
    dots = _tracking_module(modules)
    ops.append(Barcode(_centred(modules, dots), y + 48, dots, 150, label.tracking, modules, False))
    ops.append(Text(MARGIN + 120, y + 210, 28, label.tracking, bold=True))
    y = 800
    ops.append(Rule(0, y, LABEL_WIDTH_DOTS, 4))
    ops.append(Text(MARGIN, y + 14, 22, "SSCC", bold=True))
    sscc_modules = code128_modules(label.sscc_element_string, gs1=True)
    x_dots = sscc_module_dots(LABEL_DPI)
    # Bar height to the GS1 minimum (31.75 mm), rounded up to whole dots.
    height = int(dots_for_mm(GS1_LOGISTIC_MIN_HEIGHT_MM)) + 2
    ops.append(
        Barcode(
            _centred(sscc_modules, x_dots),
            y + 48,
            x_dots,
            height,
            label.sscc_element_string,
            sscc_modules,
            True,
        )
    )
    ops.append(Text(150, y + 48 + height + 12, 30, label.sscc_hri, bold=True))
    assert y + 48 + height + 60 <= LABEL_HEIGHT_DOTS
    return ops
