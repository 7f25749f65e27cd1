"""What a scan reads as: the typed results, the reasons a scan is refused, and helpers on them.

`domain.scan.interpret` makes these; screens and services read them (`expect`, `label_name`,
`product_gtin`, `sscc_of`, `scan_fields`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

GS = "\x1d"
"""ASCII group separator: what scanners send for FNC1 inside a GS1 element string."""


class ScanKind(StrEnum):
    LOCATION = "location"
    TOTE = "tote"
    CART = "cart"
    CART_SLOT = "cart_slot"
    BADGE = "badge"
    GTIN = "gtin"
    SKU = "sku"
    SSCC = "sscc"
    GS1 = "gs1"
    DIGITAL_LINK = "digital_link"


# What a picker calls each kind of label, for "not a location label (that was a tote label)".
_LABEL_NAMES = {
    ScanKind.LOCATION: "location label",
    ScanKind.TOTE: "tote label",
    ScanKind.CART: "cart label",
    ScanKind.CART_SLOT: "cart slot label",
    ScanKind.BADGE: "badge",
    ScanKind.GTIN: "product barcode",
    ScanKind.SKU: "product barcode",
    ScanKind.SSCC: "shipping label",
    ScanKind.GS1: "product barcode",
    ScanKind.DIGITAL_LINK: "product barcode",
}


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Scan:
    raw: str
    """The text exactly as the scanner sent it (symbology identifier included)."""
    symbology: str | None = None
    """AIM symbology identifier without the `]`, e.g. "C1", "E0", "d2"; None if absent."""


@dataclass(frozen=True, kw_only=True)
class LocationScan(_Scan):
    kind: ClassVar[ScanKind] = ScanKind.LOCATION
    code: str
    aisle: int
    bay: int
    level: int


@dataclass(frozen=True, kw_only=True)
class ToteScan(_Scan):
    kind: ClassVar[ScanKind] = ScanKind.TOTE
    code: str


@dataclass(frozen=True, kw_only=True)
class CartScan(_Scan):
    kind: ClassVar[ScanKind] = ScanKind.CART
    code: str


@dataclass(frozen=True, kw_only=True)
class CartSlotScan(_Scan):
    kind: ClassVar[ScanKind] = ScanKind.CART_SLOT
    code: str
    cart: str
    """The cart's own code, as a CartScan of that cart would carry it."""
    slot: int


@dataclass(frozen=True, kw_only=True)
class BadgeScan(_Scan):
    kind: ClassVar[ScanKind] = ScanKind.BADGE
    code: str


@dataclass(frozen=True, kw_only=True)
class GtinScan(_Scan):
    """A product barcode (EAN-8, EAN-13, UPC-A/E, ITF-14) with a verified check digit."""

    kind: ClassVar[ScanKind] = ScanKind.GTIN
    gtin: str
    """Always 14 digits (leading zeros added): compare and store GTINs in this form."""
    digits: str
    """The digits as encoded (UPC-E expanded to UPC-A), for display."""
    length: int
    """8, 12, 13 or 14: which GTIN this is."""


@dataclass(frozen=True, kw_only=True)
class SkuScan(_Scan):
    """Our own product barcode for items without a GTIN."""

    kind: ClassVar[ScanKind] = ScanKind.SKU
    code: str
    sku: str
    """The `sku` group of the format if it has one, else the whole code."""


@dataclass(frozen=True, kw_only=True)
class SsccScan(_Scan):
    """A bare 18-digit SSCC (a GS1-128 label with AI 00 comes as a Gs1Scan instead)."""

    kind: ClassVar[ScanKind] = ScanKind.SSCC
    sscc: str


@dataclass(frozen=True, kw_only=True)
class Gs1Data(_Scan):
    """The GS1 fields we use; both element strings and Digital Link URIs carry them."""

    elements: tuple[tuple[str, str], ...]
    """Every (AI, value) pair in scan order, including AIs without a field below."""
    hri: str
    """Human-readable form, e.g. "(01)04012345678901(10)LOT7"."""
    gtin: str | None = None
    """AI 01 as 14 digits."""
    content_gtin: str | None = None
    """AI 02: GTIN of the trade items inside a logistic unit, 14 digits."""
    lot: str | None = None
    """AI 10."""
    expiry: date | None = None
    """AI 17; day 00 means the last day of the month, already resolved."""
    serial: str | None = None
    """AI 21."""
    net_weight_kg: Decimal | None = None
    """AI 310n: net weight in kilograms with n decimals."""
    count: int | None = None
    """AI 30 (variable count of items) or 37 (count of trade items in a logistic unit)."""
    sscc: str | None = None
    """AI 00."""


@dataclass(frozen=True, kw_only=True)
class Gs1Scan(Gs1Data):
    """A GS1 element string (GS1-128, GS1 DataMatrix, GS1 QR, DataBar)."""

    kind: ClassVar[ScanKind] = ScanKind.GS1


@dataclass(frozen=True, kw_only=True)
class DigitalLinkScan(Gs1Data):
    """A GS1 Digital Link URI, e.g. https://id.gs1.org/01/04012345678901/10/LOT7."""

    kind: ClassVar[ScanKind] = ScanKind.DIGITAL_LINK
    uri: str


Scan = (
    LocationScan
    | ToteScan
    | CartScan
    | CartSlotScan
    | BadgeScan
    | GtinScan
    | SkuScan
    | SsccScan
    | Gs1Scan
    | DigitalLinkScan
)


@dataclass(frozen=True, kw_only=True)
class ScanError:
    """A scan we cannot use, with the reason in words for the screen."""

    kind: ClassVar[None] = None
    raw: str
    reason: str
    """One short sentence for the picker, e.g. "check digit wrong: expected 7"."""
    symbology: str | None = None
    detail: str | None = None
    """Technical detail for IT staff (the parser's own message), if any."""


ScanResult = Scan | ScanError


# --- helpers for screens and services ----------------------------------------------------


def expect(result: ScanResult, *kinds: ScanKind) -> ScanResult:
    """`result` if it is one of `kinds`; otherwise an error like "not a location label"."""
    if isinstance(result, ScanError) or result.kind in kinds:
        return result
    wanted = " or ".join(dict.fromkeys(_LABEL_NAMES[kind] for kind in kinds)) or "barcode"
    got = label_name(result)
    reason = f"not a {wanted}" if got == wanted else f"not a {wanted} (that was a {got})"
    return ScanError(raw=result.raw, reason=reason, symbology=result.symbology)


def label_name(result: Scan) -> str:
    """What a picker calls the label that was scanned: "tote label", "product barcode"."""
    if isinstance(result, Gs1Data) and result.gtin is None and result.sscc is not None:
        return _LABEL_NAMES[ScanKind.SSCC]
    return _LABEL_NAMES[result.kind]


PRODUCT_KINDS = (ScanKind.GTIN, ScanKind.SKU, ScanKind.GS1, ScanKind.DIGITAL_LINK)
"""Kinds that can identify a product; pass to expect() as `expect(result, *PRODUCT_KINDS)`."""


def product_gtin(result: ScanResult) -> str | None:
    """The 14-digit GTIN a product scan carries, whichever barcode it came from."""
    if isinstance(result, GtinScan):
        return result.gtin
    if isinstance(result, Gs1Data):
        return result.gtin
    return None


def sscc_of(result: ScanResult) -> str | None:
    """The SSCC a shipping-label scan carries (bare or as AI 00)."""
    if isinstance(result, SsccScan):
        return result.sscc
    if isinstance(result, Gs1Data):
        return result.sscc
    return None


def scan_fields(result: ScanResult) -> dict[str, object]:
    """The result's fields (without raw/symbology) as JSON-ready values."""
    out: dict[str, object] = {}
    for item in fields(result):
        if item.name in ("raw", "symbology"):
            continue
        value = getattr(result, item.name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, tuple):
            value = [list(pair) for pair in value]
        out[item.name] = value
    return out
