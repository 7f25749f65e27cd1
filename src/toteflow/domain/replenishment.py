"""Replenishing pick faces: min/max limits, how much to bring, and which stock to bring it from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from toteflow.domain.allocation import StockCandidate as _Allocatable
from toteflow.domain.allocation import usable

# Reserve is where replenishment comes from; another pick face only when reserve has none.
SOURCE_RANK = {"reserve": 0, "pick_face": 1}
_FAR_FUTURE = date.max


class Trigger(StrEnum):
    """What made a replenishment: a pick, a wave's demand, the schedule, a supervisor."""

    PICK = "pick"
    WAVE = "wave"
    SCHEDULE = "schedule"
    REQUEST = "request"


class ReplenStatus(StrEnum):
    OPEN = "open"  # waiting for a replenisher
    TAKEN = "taken"  # units taken from the source, on their way to the face
    DONE = "done"
    CANCELLED = "cancelled"


# The statuses the "one open replenishment per SKU and face" index covers.
OPEN_STATUSES = (ReplenStatus.OPEN.value, ReplenStatus.TAKEN.value)


class LimitRefused(ValueError):
    """A min/max that cannot be stored; `field` names what is wrong."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field


@dataclass(frozen=True)
class FaceLimit:
    """A pick face's minimum and maximum of one SKU, in base units."""

    minimum: int
    maximum: int


def check_limit(limit: FaceLimit, capacity: int | None, *, face: str = "the face") -> None:
    """Refuse a limit that makes no sense: min above max, or max above what the face holds."""
    if limit.minimum < 0:
        raise LimitRefused("minimum", "minimum must be 0 or more")
    if limit.maximum < 1:
        raise LimitRefused("maximum", "maximum must be at least 1")
    if limit.minimum > limit.maximum:
        raise LimitRefused("minimum", f"minimum {limit.minimum} is above maximum {limit.maximum}")
    if capacity is not None and limit.maximum > capacity:
        raise LimitRefused(
            "maximum", f"maximum {limit.maximum} is more than {face} holds ({capacity})"
        )


def default_limit(capacity: int | None, min_percent: int) -> FaceLimit | None:
    """The config default for a face that has a capacity but no limit of its own."""
    if capacity is None or capacity < 1:
        return None
    return FaceLimit(minimum=capacity * min_percent // 100, maximum=capacity)


def below_minimum(on_face: int, limit: FaceLimit) -> bool:
    return on_face < limit.minimum


def units_needed(on_face: int, open_units: int, limit: FaceLimit) -> int:
    """Units to bring the face up to its maximum, counting replenishment already open.

    Nothing while the face (with what is already on its way) is at or above its minimum.
    """
    coming = on_face + open_units
    if coming >= limit.minimum:
        return 0
    return max(0, limit.maximum - coming)


class Source(NamedTuple):
    """A stock row a replenishment could take from, with the plate it is on (if one)."""

    stock_id: int
    location: str
    kind: str  # "reserve" or "pick_face"
    received_on: date
    expiry: date | None
    free: int  # quantity - reserved
    plate: str | None = None  # a stored plate holding exactly these units
    case_units: int = 1  # units in the product's case (1: no cases)


class Choice(NamedTuple):
    source: Source
    quantity: int
    whole_plate: bool


def whole_plate(source: Source, need: int) -> bool:
    return source.plate is not None and source.free <= need


def _rank(source: Source, need: int, fefo: bool) -> tuple[int, date, date, int, int]:
    kind = SOURCE_RANK.get(source.kind, len(SOURCE_RANK))
    expiry = source.expiry or _FAR_FUTURE
    dates = (expiry, source.received_on) if fefo else (source.received_on, expiry)
    return (kind, *dates, 0 if whole_plate(source, need) else 1, source.stock_id)


def quantity_from(source: Source, need: int) -> int:
    """What to take: a whole plate that fits, else whole cases, else loose units."""
    if whole_plate(source, need):
        return source.free
    units = min(need, source.free)
    if source.case_units > 1 and units >= source.case_units:
        return units // source.case_units * source.case_units
    return units


def choose_source(
    sources: Iterable[Source],
    need: int,
    *,
    fefo: bool,
    today: date | None,
    face: str,
    skip: Iterable[int] = (),
) -> Choice | None:
    """The allocation rules' source: reserve before other faces, FEFO or FIFO, whole plates
    first among equals; never the face itself, an expired row or one in `skip`."""
    if need <= 0:
        return None
    skipped = set(skip)
    fit = [
        s
        for s in sources
        if s.location != face
        and s.stock_id not in skipped
        and usable(_Allocatable(s.stock_id, 0, s.kind, s.received_on, s.expiry, s.free), today)
    ]
    if not fit:
        return None
    best = min(fit, key=lambda s: _rank(s, need, fefo))
    return Choice(best, quantity_from(best, need), whole_plate(best, need))


def face_short_of(demand: int, on_face: int) -> bool:
    """Whether a wave's demand for a SKU is more than its face holds."""
    return demand > on_face
