"""Cycle counts, pure: velocity classes and schedules, variances against the book, decisions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

CLASSES = ("A", "B", "C")


class Decision(StrEnum):
    ACCURATE = "accurate"  # counted what the book held: closed
    ADJUST = "adjust"  # within tolerance, or confirmed by a recount: the book takes the count
    RECOUNT = "recount"  # over the first threshold: another person counts again
    APPROVAL = "approval"  # over the second threshold after a recount: a supervisor decides


@dataclass(frozen=True)
class Schedule:
    """Days between counts of a location by its class: A monthly, B quarterly, C yearly."""

    a_days: int = 30
    b_days: int = 91
    c_days: int = 365

    def interval(self, velocity: str) -> timedelta:
        days = {"A": self.a_days, "B": self.b_days}.get(velocity, self.c_days)
        return timedelta(days=days)

    def is_due(self, velocity: str, last_counted: datetime | None, now: datetime) -> bool:
        return last_counted is None or now - last_counted >= self.interval(velocity)


def location_class(velocities: Iterable[str]) -> str:
    """A location's class is its fastest product's (A before B before C); empty: C.

    Products carry their class (product.velocity, set by the catalogue and used for slotting);
    a location holding one A product is counted as often as an A location.
    """
    held = [v for v in velocities if v in CLASSES]
    return min(held) if held else "C"


@dataclass(frozen=True)
class Position:
    """What a count line is of at its location: product, lot and expiry."""

    product_id: int
    lot: str = ""
    expiry: date | None = None


@dataclass(frozen=True)
class Variance:
    position: Position
    counted: int
    book: int

    @property
    def delta(self) -> int:
        return self.counted - self.book


def variances(counted: Mapping[Position, int], book: Mapping[Position, int]) -> list[Variance]:
    """Every position either side knows: a position on the book not counted was counted as 0."""
    positions = sorted(set(counted) | {p for p, q in book.items() if q}, key=_order)
    return [Variance(p, counted.get(p, 0), book.get(p, 0)) for p in positions]


def _order(position: Position) -> tuple[int, str, bool, date]:
    # A position without an expiry date sorts first, and never compares None with a date.
    return (
        position.product_id,
        position.lot,
        position.expiry is not None,
        position.expiry or date.min,
    )


def units_off(found: Iterable[Variance]) -> int:
    """How far a count is off, in units: a unit too many and one too few are two units off."""
    return sum(abs(v.delta) for v in found)


@dataclass(frozen=True)
class Thresholds:
    """How far off a count may be before another person recounts it, and before a recount
    waits for a supervisor's approval instead of adjusting the book: in units, and in value
    where values are set (0 leaves a value threshold out)."""

    recount_units: int = 2
    approval_units: int = 10
    recount_value: float = 0.0
    approval_value: float = 0.0

    def decide(self, off: int, *, is_recount: bool, value_off: float = 0.0) -> Decision:
        if off == 0:
            return Decision.ACCURATE
        over_recount = off > self.recount_units or 0 < self.recount_value < value_off
        if not over_recount:
            return Decision.ADJUST
        if not is_recount:
            return Decision.RECOUNT
        over_approval = off > self.approval_units or 0 < self.approval_value < value_off
        return Decision.APPROVAL if over_approval else Decision.ADJUST


def value_off(found: Iterable[Variance], unit_values: Mapping[int, float]) -> float:
    """How far a count is off in value: each position's units off at its product's value."""
    return sum(abs(v.delta) * unit_values.get(v.position.product_id, 0.0) for v in found)
