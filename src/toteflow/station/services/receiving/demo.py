"""The demo scanner at a receipt: the label the receiver would scan next, made from the notice."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from toteflow.contracts.notices import Notice
from toteflow.station.services.receiving.lookups import ReceivingLookups
from toteflow.station.services.receiving.views import LineRow


def next_label(
    notice: Notice | None,
    rows: Mapping[int, LineRow],
    lookups: ReceivingLookups,
    received: Callable[[str], bool],
    *,
    whole_pallets: bool,
) -> str | None:
    """A pallet's SSCC not yet received (whole pallets), else a case label (GS1-128 with its
    GTIN, expiry and lot) for the first line still open; None when nothing is left.

    A pallet whose lines have cases received already (it was broken) is not offered whole:
    scanned, it would count those cases again."""
    if notice is None:
        return None
    if whole_pallets:
        started = {row.sku for row in rows.values() if row.received or row.closed}
        for unit in notice.ssccs:
            if unit.parent_sscc is not None or received(unit.sscc):
                continue
            if not any(content.sku in started for content in unit.contents):
                return unit.sscc
    for line in notice.lines:
        row = rows.get(line.line_no)
        if row is not None and (row.closed or row.received >= line.base_quantity):
            continue
        product = lookups.product(line.sku)
        if product is None or not product.units:
            continue
        case = max(product.units, key=lambda u: u.units)  # the case, where there is one
        if not case.barcode.isdigit():
            continue
        raw = "]C101" + case.barcode.zfill(14)
        if line.expiry is not None:
            raw += "17" + line.expiry.strftime("%y%m%d")
        # The lot last: a variable-length field at the end needs no FNC1 after it.
        return raw + (f"10{line.lot}" if line.lot else "")
    return None
