"""The kinds of import, the columns of each, and the words for what they import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from toteflow.domain.words import plural

Kind = Literal["orders", "products", "stock", "notices", "face-limits"]
KINDS: tuple[Kind, ...] = ("orders", "products", "stock", "notices", "face-limits")

ERROR_COLUMN = "error"


@dataclass(frozen=True)
class Columns:
    names: tuple[str, ...]
    optional: frozenset[str]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name in self.names if name not in self.optional)


def _columns(names: str, optional: str) -> Columns:
    return Columns(tuple(names.split()), frozenset(optional.split()))


COLUMNS: dict[Kind, Columns] = {
    "orders": _columns(
        "reference customer_name ship_name ship_line1 ship_line2 ship_city ship_region "
        "ship_postal_code ship_country carrier service priority ship_by sku quantity",
        optional="ship_line2 ship_region priority",
    ),
    "products": _columns(
        "sku description lot_tracked expiry_tracked serial_tracked uom units barcode "
        "length_mm width_mm height_mm weight_g lot_substitution upright",
        optional="lot_tracked expiry_tracked serial_tracked uom units length_mm width_mm "
        "height_mm weight_g lot_substitution upright",
    ),
    "stock": _columns(
        "location sku lot expiry quantity received_on", optional="lot expiry received_on"
    ),
    # One row per notice line, or per part of a line packed on one pallet or case (sscc).
    "notices": _columns(
        "reference kind supplier_code supplier_name expected_on dock line_no sku quantity uom "
        "lot expiry sscc parent_sscc",
        optional="dock line_no uom lot expiry sscc parent_sscc",
    ),
    # A pick face's minimum and maximum of one SKU.
    "face-limits": _columns("location sku minimum maximum", optional=""),
}

# Rows that share this column's value stand or fall together (one order, one product).
GROUPED_BY: dict[Kind, str | None] = {
    "orders": "reference",
    "products": "sku",
    "stock": None,
    "notices": "reference",
    "face-limits": None,
}
_NOUNS: dict[Kind, str] = {
    "orders": "order",
    "products": "product",
    "stock": "stock position",
    "notices": "notice",
    "face-limits": "face limit",
}
# What a group of rows is called when one bad row leaves the others out.
GROUP_NOUNS: dict[Kind, str] = {"orders": "order", "products": "SKU", "notices": "notice"}


def counted(number: int, kind: Kind) -> str:
    """`1 order`, `480 orders`: how many imported items of this kind."""
    return plural(number, _NOUNS[kind])
