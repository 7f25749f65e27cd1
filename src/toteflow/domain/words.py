"""Counted words and summed durations as people read them: '1 line', '3 lines', '48 min'."""

from __future__ import annotations

from collections.abc import Sequence

_IRREGULAR = {"box": "boxes", "person": "people"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 line', '2 lines', '0 lines'; `many` for a word whose plural is not word + 's'."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many or _IRREGULAR.get(word, word + 's')}"


def minutes_sum(*seconds: float) -> tuple[list[str], str]:
    """Each duration and their total, rounded so that the shown parts add up to the total.

    '33 min + 14 min = 48 min' reads as a mistake: the total is the sum of the rounded
    parts. Under a minute in total is said in seconds.
    """
    total = sum(seconds)
    unit, name = (60, "min") if total >= 60 else (1, "s")
    shown = _largest_remainder([s / unit for s in seconds], round(total / unit))
    return [f"{n} {name}" for n in shown], f"{sum(shown)} {name}"


def _largest_remainder(values: Sequence[float], total: int) -> list[int]:
    """Whole numbers near `values` that add up to `total` (the rounded sum of `values`)."""
    floors = [int(v) for v in values]
    left = total - sum(floors)
    by_remainder = sorted(range(len(values)), key=lambda i: values[i] - floors[i], reverse=True)
    for i in by_remainder[: max(0, left)]:
        floors[i] += 1
    return floors
