"""What a 4x6 in shipping label says, and the GS1 rules its SSCC barcode must follow."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.gs1 import SSCC_LENGTH, has_valid_check_digit

# GS1 General Specifications, logistic labels (GS1-128 carrying an SSCC): X-dimension
# 0.495-1.016 mm, bar height at least 31.75 mm, quiet zones of at least 10 X each side.
GS1_LOGISTIC_MIN_X_MM = 0.495
GS1_LOGISTIC_MAX_X_MM = 1.016
GS1_LOGISTIC_MIN_HEIGHT_MM = 31.75
QUIET_ZONE_X = 10
# 4 x 6 inches at 203 dpi: ZPL's ^PW812^LL1218.
LABEL_DPI = 203
LABEL_WIDTH_DOTS = 812
LABEL_HEIGHT_DOTS = 1218


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str

    def lines(self) -> list[str]:
        place = " ".join(p for p in (self.city, self.region, self.postal_code) if p)
        return [p for p in (self.name, self.line1, self.line2, place, self.country) if p]


@dataclass(frozen=True)
class ShippingLabel:
    sscc: str
    tracking: str
    carrier: str
    service: str  # the service's display name
    ship_from: Address
    ship_to: Address
    order_reference: str
    box_no: int
    box_count: int
    weight_g: int

    def __post_init__(self) -> None:
        if len(self.sscc) != SSCC_LENGTH or not has_valid_check_digit(self.sscc):
            raise ValueError(f"not an SSCC-18 with a valid check digit: {self.sscc!r}")

    @property
    def sscc_element_string(self) -> str:
        """AI 00 and the SSCC, as the barcode carries it after its leading FNC1."""
        return f"00{self.sscc}"

    @property
    def sscc_hri(self) -> str:
        """The human-readable line under the barcode: (00) 3 1234567 123456789 4 style."""
        s = self.sscc
        return f"(00) {s[0]} {s[1:8]} {s[8:17]} {s[17]}"


def dots_for_mm(mm: float, dpi: int = LABEL_DPI) -> float:
    return mm * dpi / 25.4


def sscc_module_dots(dpi: int = LABEL_DPI) -> int:
    """The narrowest whole number of printer dots per module that meets the GS1 minimum X."""
    dots = 1
    while dots * 25.4 / dpi < GS1_LOGISTIC_MIN_X_MM:
        dots += 1
    return dots


@dataclass(frozen=True)
class SlipLine:
    sku: str
    description: str
    quantity: int


@dataclass(frozen=True)
class SlipBox:
    box_no: int
    box_name: str
    sscc: str
    tracking: str
    weight_g: int
    lines: tuple[SlipLine, ...]


@dataclass(frozen=True)
class PackingSlip:
    order_reference: str
    ship_to: Address
    carrier: str
    service: str
    boxes: tuple[SlipBox, ...]
    # SKU and units that did not ship (short at packing), for the customer to know.
    missing: tuple[SlipLine, ...] = ()


def packing_slip_text(slip: PackingSlip, width: int = 48) -> str:
    """The packing slip as plain text, for a printer that takes text (or a screen)."""
    rule = "-" * width
    out = [f"PACKING SLIP  order {slip.order_reference}", rule, "Ship to:"]
    out += [f"  {line}" for line in slip.ship_to.lines()]
    out += [f"Carrier: {slip.carrier} {slip.service}", rule]
    for box in slip.boxes:
        out.append(
            f"Box {box.box_no} of {len(slip.boxes)}: {box.box_name}  {box.weight_g / 1000:.2f} kg"
        )
        out.append(f"  SSCC {box.sscc}  tracking {box.tracking}")
        for line in box.lines:
            text = f"  {line.quantity:>4} x {line.sku} {line.description}"
            out.append(text[:width] if len(text) > width else text)
        out.append(rule)
    if slip.missing:
        out.append("Not in this shipment:")
        out += [f"  {m.quantity:>4} x {m.sku} {m.description}"[:width] for m in slip.missing]
        out.append(rule)
    return "\n".join(out) + "\n"
