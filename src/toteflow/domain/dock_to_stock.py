"""Dock-to-stock time: from a plate's receipt on the dock to its put-away, per plate and in sum."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PlateTimes:
    plate: str
    received_at: datetime
    put_away_at: datetime | None = None


def dock_to_stock_seconds(received_at: datetime, put_away_at: datetime | None) -> float | None:
    """Seconds from receipt to put-away; None while the plate is not put away yet.

    A put-away stamped before its receipt (two stations' clocks apart) counts as 0 seconds
    rather than a negative time that would pull an average down.
    """
    if put_away_at is None:
        return None
    if (received_at.tzinfo is None) != (put_away_at.tzinfo is None):
        return None  # one stamp with a time zone, one without: not comparable
    return max(0.0, (put_away_at - received_at).total_seconds())


@dataclass(frozen=True)
class DockToStock:
    """Dock-to-stock over plates put away: how many, median, 90th percentile, longest
    (seconds); `waiting` plates are still on the dock."""

    plates: int
    waiting: int
    median_s: float | None
    p90_s: float | None
    max_s: float | None


def summarise(plates: Iterable[PlateTimes]) -> DockToStock:
    """The dock-to-stock figures of `plates` (nearest-rank percentiles)."""
    times: list[float] = []
    waiting = 0
    for plate in plates:
        seconds = dock_to_stock_seconds(plate.received_at, plate.put_away_at)
        if seconds is None:
            waiting += 1
        else:
            times.append(seconds)
    if not times:
        return DockToStock(0, waiting, None, None, None)
    times.sort()
    return DockToStock(len(times), waiting, _rank(times, 0.5), _rank(times, 0.9), times[-1])


def _rank(ordered: list[float], share: float) -> float:
    # Nearest rank: a figure someone actually waited, never an interpolation between two.
    index = max(0, min(len(ordered) - 1, -(-int(share * 1000) * len(ordered) // 1000) - 1))
    return ordered[index]
