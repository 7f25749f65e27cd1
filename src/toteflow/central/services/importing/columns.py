"""The kinds of import, the columns of each, and the words for what they import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from toteflow.domain.words import plural

Kind = Literal["orders", "products", "stock"]
KINDS: tuple[Kind, ...] = ("orders", "products", "stock")

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
}

# Rows that share this column's value stand or fall together (one order, one product).
GROUPED_BY: dict[Kind, str | None] = {"orders": "reference", "products": "sku", "stock": None}
_NOUNS: dict[Kind, str] = {"orders": "order", "products": "product", "stock": "stock position"}


def counted(number: int, kind: Kind) -> str:
    """`1 order`, `480 orders`: how many imported items of this kind."""
    return plural(number, _NOUNS[kind])
