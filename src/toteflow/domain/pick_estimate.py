"""What is left of a pick walk: metres to walk (on the layout's aisles) and time to finish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from toteflow.domain.layout import Layout, LocationError
from toteflow.domain.routing import network_distance

# Planning figures for the estimate a picker sees, not measurements: a loaded cart moves
# slower than walking pace, and each stop costs finding the face, the scans and the put.
WALK_METRES_PER_SECOND = 0.9
SECONDS_PER_STOP = 12.0
SECONDS_PER_UNIT = 2.5


@dataclass(frozen=True)
class Remaining:
    stops: int
    units: int
    distance_m: float
    seconds: float


def walk_left(layout: Layout | None, here: str | None, stops: Sequence[str]) -> float | None:
    """Metres from `here` (None: the depot) through `stops` in order and back to the depot.

    None when there is no layout or a code is not a rack location of it (staging, a site's
    own codes): the caller falls back to its share of the task's planned distance.
    """
    if layout is None:
        return None
    try:
        start = layout.depot if here is None else layout.position(here)
        points = [start, *(layout.position(code) for code in stops), layout.depot]
    except (LocationError, ValueError):
        return None
    return sum(network_distance(layout, a, b) for a, b in pairwise(points))


def _places(layout: Layout | None, stops: Sequence[str]) -> int:
    """Places to stop at: the levels of one bay are one stop, as on the walk."""
    if layout is None:
        return len(set(stops))
    try:
        return len({(loc.aisle, loc.bay) for loc in map(layout.location, stops)})
    except (LocationError, ValueError):
        return len(set(stops))


def remaining(
    layout: Layout | None,
    here: str | None,
    stops: Sequence[str],
    units: int,
    *,
    planned_m: float,
    planned_stops: int,
) -> Remaining:
    """Stops, units, metres and seconds left; without a layout, the planned metres pro rata."""
    distance = walk_left(layout, here, stops)
    if distance is None:
        distance = planned_m * len(stops) / planned_stops if planned_stops else 0.0
    places = _places(layout, stops)
    seconds = (
        distance / WALK_METRES_PER_SECOND + places * SECONDS_PER_STOP + units * SECONDS_PER_UNIT
    )
    return Remaining(stops=len(stops), units=units, distance_m=distance, seconds=seconds)
