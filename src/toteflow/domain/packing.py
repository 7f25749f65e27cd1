"""Pack-station rules on plain data: item verification, shorts, and the weight check."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from toteflow.domain.pick_checks import tracked_words


class PackRefused(Exception):
    """A scan or action the packer must not do; str() says why and what to do instead."""


@dataclass(frozen=True)
class Expected:
    sku: str
    description: str
    quantity: int  # units to verify (what was picked for the order)
    lot_tracked: bool = False
    expiry_tracked: bool = False
    serial_tracked: bool = False
    # The lots the order's units were picked from; any lot where substitution is allowed.
    lots: frozenset[str] = frozenset()
    lot_substitution: bool = False


@dataclass(frozen=True)
class ItemLabel:
    """What an item scan carried beyond the product: lot, expiry, serial; or typed by hand."""

    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None
    keyed: bool = False


def check_label(
    line: Expected, label: ItemLabel, units: int, today: date, serials: Collection[str] = ()
) -> None:
    """A tracked item's label carries what it tracks, as at picking; PackRefused if not.

    A lot-tracked item needs its lot (one the order was picked from, unless the product
    allows another), an expiry-tracked one its expiry date, a serial-tracked one a serial
    number not checked before; nothing expired is packed. Typed entries carry none of them.
    """
    sku = line.sku
    carries = tracked_words(line.lot_tracked, line.expiry_tracked, line.serial_tracked)
    if label.keyed:
        if carries:
            raise PackRefused(
                f"{sku} carries a {carries}: it cannot be keyed in; "
                f"scan the label that carries the {carries}"
            )
        return
    if label.expiry is not None and label.expiry < today:
        raise PackRefused(
            f"expired on {label.expiry.isoformat()}: do not pack it; "
            "set it aside and tell a supervisor"
        )
    if line.lot_tracked:
        lots = ", ".join(sorted(line.lots))
        if label.lot is None:
            known = f" ({lots})" if lots else ""
            raise PackRefused(f"{sku} is lot-tracked: scan the label that carries the lot{known}")
        if line.lots and label.lot not in line.lots and not line.lot_substitution:
            raise PackRefused(
                f"wrong lot {label.lot}: {sku} was picked from lot {lots}; set it aside"
            )
    if line.expiry_tracked and label.expiry is None:
        raise PackRefused(f"{sku} is expiry-tracked: scan the label that carries the expiry date")
    if line.serial_tracked:
        if label.serial is None:
            raise PackRefused(
                f"{sku} is serial-tracked: scan the label that carries the serial number"
            )
        if units != 1:
            raise PackRefused(f"a serial number is one unit of {sku}: scan each unit's own label")
        if label.serial in serials:
            raise PackRefused(
                f"serial {label.serial} of {sku} is already checked: scan the next unit's label"
            )


def remaining(expected: Expected, verified: int, shorted: int) -> int:
    return expected.quantity - verified - shorted


def check_scan(
    lines: dict[str, Expected],
    verified: dict[str, int],
    shorted: dict[str, int],
    sku: str | None,
    units: int,
    order: str,
    scanned: str,
) -> int:
    """The SKU's verified count after this scan, or PackRefused saying why it is wrong."""
    if sku is None:
        raise PackRefused(f"{scanned} is not a product this station knows: set it aside")
    line = lines.get(sku)
    if line is None:
        raise PackRefused(f"{sku} is not on order {order}: set it aside for a supervisor")
    left = remaining(line, verified.get(sku, 0), shorted.get(sku, 0))
    if left <= 0:
        raise PackRefused(
            f"all {line.quantity} of {sku} are already checked: this one is extra, set it aside"
        )
    if units > left:
        raise PackRefused(f"that pack holds {units} of {sku}, but only {left} more belong here")
    return verified.get(sku, 0) + units


def check_short(
    lines: dict[str, Expected], verified: dict[str, int], shorted: dict[str, int], sku: str
) -> int:
    """How many units of `sku` are missing (all those not yet verified)."""
    line = lines.get(sku)
    if line is None:
        raise PackRefused(f"{sku} is not on this order")
    missing = remaining(line, verified.get(sku, 0), shorted.get(sku, 0))
    if missing <= 0:
        raise PackRefused(f"nothing of {sku} is missing: every unit is checked or reported")
    return missing


@dataclass(frozen=True)
class WeightCheck:
    expected_g: int
    actual_g: int
    tolerance_g: int

    @property
    def difference_g(self) -> int:
        return self.actual_g - self.expected_g

    @property
    def ok(self) -> bool:
        return abs(self.difference_g) <= self.tolerance_g

    def message(self) -> str:
        said = (
            f"{self.actual_g / 1000:.2f} kg, expected {self.expected_g / 1000:.2f} kg "
            f"± {self.tolerance_g / 1000:.2f}"
        )
        if self.ok:
            return f"weight fine: {said}"
        side = "heavy" if self.difference_g > 0 else "light"
        return f"box is {side}: {said}: check its contents and weigh again"


def check_weight(expected_g: int, actual_g: int, pct: float, min_g: int) -> WeightCheck:
    """Items + carton against the scale; the tolerance is the larger of pct and min_g."""
    if actual_g < 0:
        raise PackRefused("a weight cannot be negative")
    tolerance = max(min_g, round(expected_g * pct / 100))
    return WeightCheck(expected_g, actual_g, tolerance)


# Why a packer accepts a weight the scale and the catalogue disagree on; recorded and audited.
WEIGHT_REASONS: dict[str, str] = {
    "packing_material": "Extra packing material (padding, ice packs)",
    "catalogue_weight": "An item's weight in the catalogue is wrong",
    "item_differs": "An item differs from its catalogue entry (new packaging)",
    "scale": "The scale reads wrong: re-weighed on another",
}


def supervisor_limit_g(expected_g: int, pct: float, min_g: int) -> int:
    """How far off a weight may be before a supervisor must approve it: the larger of both."""
    return max(min_g, round(expected_g * pct / 100))


def needs_supervisor(check: WeightCheck, pct: float, min_g: int) -> bool:
    """Outside tolerance and beyond the second limit: a reason alone will not do."""
    return not check.ok and abs(check.difference_g) > supervisor_limit_g(
        check.expected_g, pct, min_g
    )


@dataclass(frozen=True)
class WeightOverride:
    """The packer accepts a weight outside tolerance: why, and who approved it if needed."""

    reason: str  # a key of WEIGHT_REASONS
    approved_by: int | None = None  # the supervisor's user id
    approver: str = ""  # the supervisor's name, for the screen and the record


def override_problem(
    check: WeightCheck, override: WeightOverride | None, pct: float, min_g: int
) -> str:
    """Why the weight cannot be accepted as it is ("" when it can)."""
    if check.ok:
        return ""
    if override is None:
        return f"{check.message()}; to accept it as it is, give a reason"
    if override.reason not in WEIGHT_REASONS:
        return (
            f"{override.reason!r} is not a reason to accept a weight: "
            f"choose one of {', '.join(WEIGHT_REASONS)}"
        )
    if needs_supervisor(check, pct, min_g) and override.approved_by is None:
        limit = supervisor_limit_g(check.expected_g, pct, min_g)
        return (
            f"{abs(check.difference_g) / 1000:.2f} kg off is more than "
            f"{limit / 1000:.2f} kg: a supervisor's badge must approve it"
        )
    return ""
