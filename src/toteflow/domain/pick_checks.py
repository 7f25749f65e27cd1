"""Picker scan checks: is this the location, item, lot and tote the stop asks for (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from toteflow.domain.gs1 import GTIN_LENGTHS
from toteflow.domain.scan import (
    CartScan,
    CartSlotScan,
    Gs1Data,
    GtinScan,
    LocationScan,
    ScanError,
    ScanResult,
    SkuScan,
    ToteScan,
    label_name,
)
from toteflow.domain.words import plural

KEYING_OFF = "keying in the item is not allowed at this site: scan its barcode"


class ScanRefused(Exception):
    """A scan that must change nothing; str() is the reason a picker reads in large text."""


@dataclass(frozen=True)
class PackSize:
    """One unit of measure of the product: its barcode and how many units a scan of it is."""

    barcode: str
    uom: str
    units: int


@dataclass(frozen=True)
class StopSpec:
    """What one stop asks for, as plain data (the service builds it from a task line)."""

    location: str
    sku: str
    description: str
    packs: Sequence[PackSize]
    lot_tracked: bool
    expiry_tracked: bool
    lot_substitution: bool
    lot: str
    expiry: date | None
    open_quantity: int
    slot: int
    tote: str | None
    cart: str | None


@dataclass(frozen=True)
class ItemTaken:
    """A good item scan: how many units it stands for and the lot/expiry its label carries."""

    units: int
    lot: str | None
    expiry: date | None
    # True when the label's lot differs from the reserved one and the product allows it.
    substituted: bool
    # True when the person typed the SKU shown on screen instead of scanning a barcode.
    keyed: bool = False


def _units(n: int) -> str:
    return plural(n, "unit")


def _refuse_error(scan: ScanResult) -> None:
    if isinstance(scan, ScanError):
        raise ScanRefused(scan.reason)


def _as_gtin14(barcode: str) -> str | None:
    # Scans carry GTINs as 14 digits; a product unit keeps the barcode as printed.
    if barcode.isdigit() and len(barcode) in GTIN_LENGTHS:
        return barcode.zfill(14)
    return None


def check_location(scan: ScanResult, stop: StopSpec) -> None:
    """The location label of this stop, or ScanRefused saying where to go instead."""
    _refuse_error(scan)
    if not isinstance(scan, LocationScan):
        assert not isinstance(scan, ScanError)
        raise ScanRefused(
            f"scan the location label first: that was a {label_name(scan)}; go to {stop.location}"
        )
    if scan.code != stop.location:
        raise ScanRefused(f"wrong location {scan.code}: go to {stop.location}")


def _pack_of(scan: ScanResult, packs: Sequence[PackSize]) -> PackSize | None:
    by_gtin = {g: p for p in packs if (g := _as_gtin14(p.barcode)) is not None}
    if isinstance(scan, GtinScan | Gs1Data):
        gtin = scan.gtin if isinstance(scan, GtinScan) else (scan.gtin or scan.content_gtin)
        return by_gtin.get(gtin) if gtin else None
    if isinstance(scan, SkuScan):
        for pack in packs:
            if pack.barcode in (scan.code, scan.raw.strip()):
                return pack
    return None


def keyed_sku(scan: ScanResult, sku: str) -> bool:
    """Whether the scan is `sku` typed by hand: the SKU shown on screen, or its item number.

    Case and spaces do not matter. The item number is the part after the SKU's last "-"
    when that is all digits (SKU-00810: 00810), or the `sku` group of the site's SKU label.
    """
    typed = "".join(scan.raw.split()).upper()
    wanted = "".join(sku.split()).upper()
    if not typed or not wanted:
        return False
    if typed == wanted:
        return True
    if isinstance(scan, SkuScan) and scan.sku.upper() == wanted:
        return True
    number = wanted.rpartition("-")[2]
    return typed.isdigit() and number.isdigit() and typed == number and number != wanted


def tracked_words(lot_tracked: bool, expiry_tracked: bool, serial_tracked: bool = False) -> str:
    """What a tracked item's label must carry, in words ("" when it is not tracked)."""
    parts = [
        word
        for word, tracked in (
            ("lot", lot_tracked),
            ("expiry date", expiry_tracked),
            ("serial number", serial_tracked),
        )
        if tracked
    ]
    return " and ".join(parts)


def _keyed(stop: StopSpec) -> ItemTaken:
    carries = tracked_words(stop.lot_tracked, stop.expiry_tracked)
    if carries:
        raise ScanRefused(
            f"{stop.sku} carries a {carries}: it cannot be keyed in; "
            f"scan the label that carries the {carries}"
        )
    if stop.open_quantity < 1:
        raise ScanRefused(f"too many: nothing more of {stop.sku} is needed here")
    return ItemTaken(units=1, lot=None, expiry=None, substituted=False, keyed=True)


def check_item(
    scan: ScanResult, stop: StopSpec, today: date, *, allow_keyed: bool = False
) -> ItemTaken:
    """A scan of this stop's product (any pack size), its lot and expiry checked.

    A lot-tracked product needs a label with its lot (a GS1 code); a lot other than the
    reserved one is accepted only where the product allows substitution. An expired label
    is never accepted. With `allow_keyed`, the SKU (or item number) typed from the screen
    stands for one unit, marked `keyed`; a lot- or expiry-tracked item cannot be keyed.
    """
    pack = None if isinstance(scan, ScanError) else _pack_of(scan, stop.packs)
    if pack is None and keyed_sku(scan, stop.sku):
        if not allow_keyed:
            raise ScanRefused(KEYING_OFF)
        return _keyed(stop)
    _refuse_error(scan)
    if isinstance(scan, LocationScan):
        raise ScanRefused(f"you are at {stop.location} already: scan the item ({stop.sku})")
    if isinstance(scan, ToteScan | CartSlotScan | CartScan):
        raise ScanRefused(f"scan the item first ({stop.description}), then the tote")
    if pack is None:
        raise ScanRefused(f"wrong item: this is not {stop.sku} ({stop.description})")
    lot = scan.lot if isinstance(scan, Gs1Data) else None
    expiry = scan.expiry if isinstance(scan, Gs1Data) else None
    count = scan.count if isinstance(scan, Gs1Data) and scan.count else 1
    if expiry is not None and expiry < today:
        raise ScanRefused(
            f"expired on {expiry.isoformat()}: do not pick it; put it aside and tell a supervisor"
        )
    substituted = False
    if stop.lot_tracked and stop.lot:
        if lot is None:
            raise ScanRefused(
                f"{stop.sku} is lot-tracked: scan the label that carries the lot ({stop.lot})"
            )
        if lot != stop.lot:
            if not stop.lot_substitution:
                raise ScanRefused(f"wrong lot {lot}: take lot {stop.lot}")
            substituted = True
    if (
        stop.expiry_tracked
        and not substituted
        and expiry is not None
        and stop.expiry is not None
        and expiry != stop.expiry
    ):
        raise ScanRefused(
            f"expiry {expiry.isoformat()} is not the reserved {stop.expiry.isoformat()}: "
            f"take the stock that expires {stop.expiry.isoformat()}"
        )
    units = pack.units * count
    if units > stop.open_quantity:
        if stop.open_quantity <= 0:
            raise ScanRefused("every unit this stop needs is in your hand: scan the tote now")
        raise ScanRefused(
            f"too many: that is {_units(units)}, only {stop.open_quantity} needed here"
        )
    return ItemTaken(units=units, lot=lot, expiry=expiry, substituted=substituted)


def check_put(scan: ScanResult, stop: StopSpec) -> None:
    """The tote (or cart slot label) this stop's units go into, or ScanRefused saying which."""
    _refuse_error(scan)
    where = f"slot {stop.slot}" + (f" (tote {stop.tote})" if stop.tote else "")
    if isinstance(scan, ToteScan):
        if scan.code != stop.tote:
            raise ScanRefused(f"wrong tote {scan.code}: put it in {where}")
        return
    if isinstance(scan, CartSlotScan):
        if stop.cart and scan.cart != stop.cart:
            raise ScanRefused(f"wrong cart {scan.cart}: this task uses cart {stop.cart}")
        if scan.slot != stop.slot:
            raise ScanRefused(f"wrong slot {scan.slot}: put it in {where}")
        return
    assert not isinstance(scan, ScanError)
    raise ScanRefused(f"scan the tote now: put the units in {where}")


def check_new_tote(
    scan: ScanResult,
    slot: int,
    totes_in_use: Mapping[str, int],
    closed: frozenset[str],
    full: str | None = None,
) -> str:
    """A tote for `slot` not in another slot, not closed in this task, not the `full` one."""
    _refuse_error(scan)
    if not isinstance(scan, ToteScan):
        assert not isinstance(scan, ScanError)
        raise ScanRefused(f"scan a tote label for slot {slot}: that was a {label_name(scan)}")
    other = totes_in_use.get(scan.code)
    if other is not None and other != slot:
        raise ScanRefused(f"tote {scan.code} is already in slot {other}: take another tote")
    if scan.code == full:
        raise ScanRefused(f"tote {scan.code} is the full one: take an empty tote")
    if scan.code in closed:
        raise ScanRefused(f"tote {scan.code} was closed: take an empty tote")
    return scan.code
