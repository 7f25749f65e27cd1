"""Which order line an item scan is, how many units it stands for, and what its label carried.

Pure over the order in hand and the interpreted scan: a GTIN in any length, a GS1 label with
its lot, expiry, serial and count, our own SKU label, or the SKU typed from the screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from toteflow.contracts.shipping import PackLine, PackOrder
from toteflow.domain import packing as rules
from toteflow.domain.gs1 import gtin14
from toteflow.domain.pick_checks import KEYING_OFF, keyed_sku
from toteflow.domain.scan import GS, Gs1Data, ScanResult, SkuScan, product_gtin


@dataclass(frozen=True)
class ItemMatch:
    """The line's SKU (None: not on this order), units the scan stands for, its label."""

    sku: str | None
    units: int
    label: rules.ItemLabel


def _gtin(barcode: str) -> str | None:
    try:
        return gtin14(barcode)
    except ValueError:
        return None


def match_item(order: PackOrder, scan: ScanResult, *, allow_keyed: bool) -> ItemMatch:
    """The order line `scan` is; a typed SKU only where keyed items are allowed.

    Raises `rules.PackRefused` for a typed SKU at a site that does not allow keying in.
    """
    gtin = product_gtin(scan)
    if gtin is None and isinstance(scan, Gs1Data):
        gtin = scan.content_gtin
    raw = scan.raw.strip()
    # Our own SKU label reads back as its code (the raw text may carry a symbology prefix).
    code = scan.code if isinstance(scan, SkuScan) else raw
    count = scan.count if isinstance(scan, Gs1Data) and scan.count else 1
    label = (
        rules.ItemLabel(scan.lot, scan.expiry, scan.serial)
        if isinstance(scan, Gs1Data)
        else rules.ItemLabel()
    )
    for line in order.lines:
        for unit in line.units:
            if unit.barcode in (raw, code) or (gtin is not None and _gtin(unit.barcode) == gtin):
                return ItemMatch(line.sku, unit.units * count, label)
    for line in order.lines:
        if keyed_sku(scan, line.sku):
            if not allow_keyed:
                raise rules.PackRefused(KEYING_OFF)
            return ItemMatch(line.sku, 1, rules.ItemLabel(keyed=True))
    return ItemMatch(None, count, label)


def expected(order: PackOrder) -> dict[str, rules.Expected]:
    """Each line's units to check and what its labels must carry."""
    return {
        line.sku: rules.Expected(
            line.sku,
            line.description,
            line.picked,
            lot_tracked=line.lot_tracked,
            expiry_tracked=line.expiry_tracked,
            serial_tracked=line.serial_tracked,
            lots=frozenset(line.lots),
            lot_substitution=line.lot_substitution,
        )
        for line in order.lines
    }


def serials_of(marks: Mapping[str, Any], sku: str) -> list[str]:
    return [str(s) for s in dict(marks.get(sku) or {}).get("serials", [])]


def marked(
    marks: Mapping[str, Any], sku: str, units: int, label: rules.ItemLabel
) -> dict[str, Any]:
    """`marks` with this scan's units added: keyed units, units per lot, the serial."""
    mine = dict(marks.get(sku) or {})
    if label.keyed:
        mine["keyed"] = int(mine.get("keyed", 0)) + units
    if label.lot is not None:
        lots = {str(k): int(v) for k, v in dict(mine.get("lots") or {}).items()}
        lots[label.lot] = lots.get(label.lot, 0) + units
        mine["lots"] = lots
    if label.serial is not None:
        mine["serials"] = [*serials_of(marks, sku), label.serial]
    return {**marks, sku: mine}


def demo_label(line: PackLine, checked: int, today: date) -> str:
    """What the demo key 'scans' for a unit of `line`: its single unit's barcode, as a GS1
    label with a lot, expiry and serial where the product tracks them (no labels, no
    hardware); the SKU itself when no unit has a barcode."""
    single = [u for u in line.units if u.units == 1 and u.barcode]
    if not single:
        return line.sku
    barcode = single[0].barcode
    tracked = line.lot_tracked or line.expiry_tracked or line.serial_tracked
    if not tracked or not barcode.isdigit():
        return barcode
    parts = [f"]C101{barcode.zfill(14)}"]
    if line.expiry_tracked:
        parts.append(f"17{today + timedelta(days=180):%y%m%d}")
    if line.lot_tracked:
        parts.append(f"10{line.lots[0] if line.lots else 'DEMO'}")
        if line.serial_tracked:
            parts.append(GS)
    if line.serial_tracked:
        parts.append(f"21DEMO{checked + 1:04d}")
    return "".join(parts)
