"""Checking product rows: one row is one unit of measure; the rows of one SKU make a product."""

from __future__ import annotations

from collections.abc import Mapping

from toteflow.central.services.importing.cells import Cells, shown, validated
from toteflow.central.services.importing.lookups import Lookups
from toteflow.central.services.importing.plan import Checker, Plan, ProductDraft
from toteflow.contracts import catalogue as cat

MAX_PRODUCT_UNITS = 10

_PRODUCT_FIELDS: dict[tuple[str | int, ...], str] = {
    ("sku",): "sku",
    ("description",): "description",
    **{(flag,): flag for flag in ("lot_tracked", "expiry_tracked", "serial_tracked")},
    **{(flag,): flag for flag in ("lot_substitution", "upright")},
    **{
        ("units", 0, name): name
        for name in ("uom", "barcode", "length_mm", "width_mm", "height_mm", "weight_g")
    },
    ("units", 0, "units"): "units",
}
_SIZES = ("length_mm", "width_mm", "height_mm")
PRODUCT_FLAGS = ("lot_tracked", "expiry_tracked", "serial_tracked", "lot_substitution", "upright")


def parse_product_row(values: Mapping[str, str]) -> tuple[cat.ProductCreate | None, list[str]]:
    """A product with the one unit of measure on this row, or what is wrong with the row."""
    cells = Cells(values, "products")
    flags = {name: cells.flag(name) for name in PRODUCT_FLAGS}
    units = cells.whole("units", 1, 100_000, default=1)
    sizes = {name: cells.whole(name, 0, 10_000, default=0) for name in _SIZES}
    weight = cells.whole("weight_g", 0, 2_000_000, default=0)
    cells.gtin("barcode")
    data = {
        "sku": cells.text("sku"),
        "description": cells.text("description"),
        **flags,
        "units": [
            {
                "uom": cells.text("uom").upper() or "EA",
                "units": units,
                "barcode": cells.text("barcode"),
                **sizes,
                "weight_g": weight,
            }
        ],
    }
    return validated(cat.ProductCreate, data, _PRODUCT_FIELDS, cells), cells.errors


class ProductsChecker(Checker):
    def __init__(self, plan: Plan, lookups: Lookups) -> None:
        super().__init__(plan, lookups)
        self.barcodes: dict[str, tuple[int, str]] = {}  # barcode -> (line, sku) in this file

    def row(self, line: int, values: Mapping[str, str]) -> None:
        plan, sku = self.plan, values.get("sku", "")
        product, errors = parse_product_row(values)
        if product is None:
            plan.fail(line, errors, sku)
            return
        unit = product.units[0]
        draft = plan.products.get(sku)
        problems: list[str] = []
        seen = self.barcodes.get(unit.barcode)
        if seen is not None:
            problems.append(
                f"barcode {unit.barcode} is also on line {seen[0]} (SKU {seen[1]}): "
                "each unit of measure needs its own barcode"
            )
        if draft is None:
            present = self.lookups.product(sku) is not None
        else:
            present = draft.present
            kept = draft.product
            differ = [
                f"{name} {shown(getattr(product, name))} differs from line {draft.line} "
                f"({shown(getattr(kept, name))})"
                for name in ("description", *PRODUCT_FLAGS)
                if getattr(product, name) != getattr(kept, name)
            ]
            if differ:
                problems.append(
                    f"SKU {sku}: {'; '.join(differ)}: the rows of one product repeat "
                    "the same product fields"
                )
            if unit.uom in draft.uom_lines:
                problems.append(
                    f"unit of measure {unit.uom} of SKU {sku} is already on line "
                    f"{draft.uom_lines[unit.uom]}"
                )
            elif len(draft.uom_lines) >= MAX_PRODUCT_UNITS:
                problems.append(f"SKU {sku} has more than {MAX_PRODUCT_UNITS} units of measure")
        if not present and seen is None:
            owner = self.lookups.barcode_owner(unit.barcode)
            if owner is not None:
                problems.append(f"barcode {unit.barcode} already belongs to SKU {owner}")
        if problems:
            plan.fail(line, problems, sku)
            return
        self.barcodes[unit.barcode] = (line, sku)
        if draft is None:
            plan.products[sku] = ProductDraft(line, product, {unit.uom: line}, present)
        else:
            draft.uom_lines[unit.uom] = line
            draft.product = draft.product.model_copy(update={"units": [*draft.product.units, unit]})

    def finish(self) -> None:
        for sku in self.plan.bad_keys:
            self.plan.products.pop(sku, None)
