"""Receiving scans: an interpreted case or pallet label as a case reading, guided to completion.

A case label (GS1-128 or GS1 DataMatrix) gives the product (AI 01, or 02 with a count in 37
for a logistic unit's contents), lot (10), expiry (17) and count in one scan; an SSCC (00)
names the pallet or case. Where lot and expiry are on two labels, `add_scan` takes the next
scan into the reading and `prompt` says what is still needed for a product that tracks them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from toteflow.domain.gs1_overrun import find_swallowed
from toteflow.domain.scan_results import (
    GS,
    Gs1Data,
    GtinScan,
    ScanError,
    ScanResult,
    SsccScan,
    label_name,
)

_GS1_SYMBOLOGIES = frozenset({"C1", "e0", "d2", "Q3", "J1"})


class Need(StrEnum):
    """What a reading still lacks before the case can be received."""

    PRODUCT = "product"
    LOT = "lot"
    EXPIRY = "expiry"


_PROMPTS = {
    Need.PRODUCT: "scan the product barcode",
    Need.LOT: "scan the label with the lot",
    Need.EXPIRY: "scan the label with the expiry date",
}


@dataclass(frozen=True)
class Tracking:
    """What the product (once known) tracks; both False for a product that tracks neither."""

    lot: bool = False
    expiry: bool = False


UNTRACKED = Tracking()


@dataclass(frozen=True)
class CaseReading:
    """What the scans of one case or pallet said so far, and what is still missing.

    `gtin` is the product's 14-digit GTIN: AI 01, or for a logistic unit AI 02 (the GTIN of
    what it contains, `contents` True). `count` is AI 37 (or 30); None means one unit of
    `gtin`. `missing` follows the tracking the reading was made with (`with_tracking`).
    """

    gtin: str | None = None
    lot: str | None = None
    expiry: date | None = None
    count: int | None = None
    sscc: str | None = None
    contents: bool = False
    missing: tuple[Need, ...] = (Need.PRODUCT,)
    scans: int = 1

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def units(self) -> int:
        """Units of `gtin` the label stands for: its count, else one."""
        return self.count if self.count is not None else 1

    def prompt(self) -> str:
        """The next instruction for the receiver, e.g. "scan the label with the lot"."""
        if not self.missing:
            return "case read: confirm the quantity"
        return " and ".join(_PROMPTS[need] for need in self.missing)


@dataclass(frozen=True)
class ReadingRefused:
    """A scan that cannot be used for receiving; `reason` is a sentence for the receiver."""

    reason: str
    detail: str | None = None


ReadingResult = CaseReading | ReadingRefused


def missing_for(reading: CaseReading, tracking: Tracking) -> tuple[Need, ...]:
    """What `reading` still lacks for a product that tracks `tracking`, in prompt order."""
    needs = []
    if reading.gtin is None:
        needs.append(Need.PRODUCT)
    if tracking.lot and reading.lot is None:
        needs.append(Need.LOT)
    if tracking.expiry and reading.expiry is None:
        needs.append(Need.EXPIRY)
    return tuple(needs)


def with_tracking(reading: CaseReading, tracking: Tracking) -> CaseReading:
    """`reading` with `missing` recomputed, once the product (and so its tracking) is known."""
    return replace(reading, missing=missing_for(reading, tracking))


def read_case(
    result: ScanResult,
    tracking: Tracking = UNTRACKED,
    *,
    today: date | None = None,
    separators: Sequence[str] = (GS,),
) -> ReadingResult:
    """A receiving scan as a case reading, or why it cannot be used. Never raises.

    A field that swallowed the next one for want of a separator is refused in words even
    when the scan itself read (a lot "ABC12317261231" is the lot ABC123 and an expiry date).
    With `today`, an expiry date already past is refused.
    """
    if isinstance(result, ScanError):
        if _may_be_gs1(result.raw, result.symbology) and (
            swallowed := find_swallowed(result.raw, separators)
        ):
            return ReadingRefused(swallowed.words(), detail=result.reason)
        return ReadingRefused(result.reason, detail=result.detail)
    if isinstance(result, GtinScan):
        reading = CaseReading(gtin=result.gtin)
    elif isinstance(result, SsccScan):
        reading = CaseReading(sscc=result.sscc)
    elif isinstance(result, Gs1Data):
        if swallowed := find_swallowed(result.raw, separators):
            return ReadingRefused(swallowed.words(), detail=f"read as {result.hri}")
        if result.gtin is not None and result.content_gtin is not None:
            return ReadingRefused(
                "this label names a product (01) and contents (02): scan the case label alone"
            )
        reading = CaseReading(
            gtin=result.gtin or result.content_gtin,
            lot=result.lot,
            expiry=result.expiry,
            count=result.count,
            sscc=result.sscc,
            contents=result.content_gtin is not None,
        )
        if reading.gtin is None and reading.sscc is None and not (reading.lot or reading.expiry):
            return ReadingRefused("this label names no product, pallet, lot or expiry date")
    else:
        return ReadingRefused(f"not a case or pallet label: that was a {label_name(result)}")
    if reading.count is not None and reading.count <= 0:
        return ReadingRefused(f"the label's count is {reading.count}: count the units by hand")
    if today is not None and reading.expiry is not None and reading.expiry < today:
        return ReadingRefused(
            f"expired on {reading.expiry.isoformat()}: do not receive it; "
            "set the case aside for a supervisor"
        )
    return with_tracking(reading, tracking)


def add_scan(
    reading: CaseReading,
    result: ScanResult,
    tracking: Tracking,
    *,
    today: date | None = None,
    separators: Sequence[str] = (GS,),
) -> ReadingResult:
    """The reading with the next label of the same case taken in (lot, then expiry, say).

    A label for another product, or one that contradicts what was read (another lot, another
    expiry date, another count), is refused; the reading stays as it was for the caller.
    """
    more = read_case(result, tracking, today=today, separators=separators)
    if isinstance(more, ReadingRefused):
        return more
    pairs: tuple[tuple[str, object, object], ...] = (
        ("product", reading.gtin, more.gtin),
        ("lot", reading.lot, more.lot),
        ("expiry date", reading.expiry, more.expiry),
        ("count", reading.count, more.count),
        ("pallet label", reading.sscc, more.sscc),
    )
    for name, ours, theirs in pairs:
        if ours is not None and theirs is not None and ours != theirs:
            return ReadingRefused(
                f"this label's {name} is {_shown(theirs)}, the case's is {_shown(ours)}: "
                "scan a label of the same case"
            )
    if all(theirs is None or ours is not None for _, ours, theirs in pairs):
        return ReadingRefused(f"nothing new on that label: {reading.prompt()}")
    merged = CaseReading(
        gtin=reading.gtin or more.gtin,
        lot=reading.lot or more.lot,
        expiry=reading.expiry or more.expiry,
        count=reading.count if reading.count is not None else more.count,
        sscc=reading.sscc or more.sscc,
        contents=reading.contents or more.contents,
        scans=reading.scans + 1,
    )
    return with_tracking(merged, tracking)


def check_lot_expiry(
    lot: str | None, expiry: date | None, recorded: Mapping[str, date | None]
) -> str | None:
    """Why a case may not be received under `lot` with `expiry`, or None if it may.

    `recorded` is the expiry date each lot of the product was received with before. One lot
    has one expiry date: a lot scanned again with another date is a label error or a mixed
    pallet, and is refused.
    """
    if lot is None or lot not in recorded:
        return None
    known = recorded[lot]
    if known is None or expiry is None or known == expiry:
        return None
    return (
        f"lot {lot} was received with expiry date {known.isoformat()}, this label says "
        f"{expiry.isoformat()}: set the case aside and tell a supervisor"
    )


def _may_be_gs1(raw: str, symbology: str | None) -> bool:
    if symbology is not None:
        return symbology in _GS1_SYMBOLOGIES
    return raw.strip()[:2].isdigit() or raw.startswith(GS)


def _shown(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
