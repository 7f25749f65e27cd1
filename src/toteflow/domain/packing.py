"""Pack-station rules on plain data: item verification, shorts, and the weight check."""

from __future__ import annotations

from dataclasses import dataclass


class PackRefused(Exception):
    """A scan or action the packer must not do; str() says why and what to do instead."""


@dataclass(frozen=True)
class Expected:
    sku: str
    description: str
    quantity: int  # units to verify (what was picked for the order)


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
