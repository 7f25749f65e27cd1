"""What is left of a pick walk: metres to walk (on the layout's aisles) and time to finish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from toteflow.domain.layout import Layout, LocationError
from toteflow.domain.route_network import network_distance

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


class Estimator:
    """`remaining` for one walk, remembering each location's place and each leg's metres.

    A picker's screen asks after every scan; the codes and legs of a task do not change, so
    the second ask costs dictionary look-ups rather than a parse and a shortest path per stop.
    """

    def __init__(self, layout: Layout | None) -> None:
        self.layout = layout
        self._points: dict[str, tuple[float, float] | None] = {}
        self._bays: dict[str, tuple[int, int] | None] = {}
        self._legs: dict[tuple[tuple[float, float], tuple[float, float]], float] = {}

    def _point(self, code: str) -> tuple[float, float] | None:
        if code not in self._points:
            assert self.layout is not None
            try:
                self._points[code] = self.layout.position(code)
            except (LocationError, ValueError):
                self._points[code] = None
        return self._points[code]

    def _bay(self, code: str) -> tuple[int, int] | None:
        if code not in self._bays:
            assert self.layout is not None
            try:
                loc = self.layout.location(code)
                self._bays[code] = (loc.aisle, loc.bay)
            except (LocationError, ValueError):
                self._bays[code] = None
        return self._bays[code]

    def walk_left(self, here: str | None, stops: Sequence[str]) -> float | None:
        """As `walk_left`, from the remembered places and legs."""
        layout = self.layout
        if layout is None:
            return None
        points = [layout.depot if here is None else self._point(here)]
        points += [self._point(code) for code in stops]
        points.append(layout.depot)
        total = 0.0
        for a, b in pairwise(points):
            if a is None or b is None:
                return None
            leg = self._legs.get((a, b))
            if leg is None:
                leg = self._legs[(a, b)] = network_distance(layout, a, b)
            total += leg
        return total

    def places(self, stops: Sequence[str]) -> int:
        if self.layout is None:
            return len(set(stops))
        bays = {self._bay(code) for code in stops}
        return len(set(stops)) if None in bays else len(bays)

    def remaining(
        self,
        here: str | None,
        stops: Sequence[str],
        units: int,
        *,
        planned_m: float,
        planned_stops: int,
    ) -> Remaining:
        """Stops, units, metres and seconds left; without a layout, the planned metres pro rata."""
        distance = self.walk_left(here, stops)
        if distance is None:
            distance = planned_m * len(stops) / planned_stops if planned_stops else 0.0
        seconds = (
            distance / WALK_METRES_PER_SECOND
            + self.places(stops) * SECONDS_PER_STOP
            + units * SECONDS_PER_UNIT
        )
        return Remaining(stops=len(stops), units=units, distance_m=distance, seconds=seconds)


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
    return Estimator(layout).remaining(
        here, stops, units, planned_m=planned_m, planned_stops=planned_stops
    )
