"""The walking network of a layout: aisle centre lines and cross aisles, and distances on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from toteflow.domain.layout import Layout, LocationCode

Point = tuple[float, float]
# A stop is a point of the network where something is picked: (aisle, bay). Levels share it.
Stop = tuple[int, int]


@dataclass(frozen=True)
class Net:
    """What routing needs of a layout, computed once per layout."""

    spacing: float
    width: float
    depot: int
    ys: tuple[float, ...]  # the cross aisles' y, front to back
    block_of_bay: tuple[int, ...]  # index = bay number; 0 is unused
    lengths: tuple[float, ...]  # per block, the length of its stretch of aisle

    def y(self, bay: int) -> float:
        return (bay - 0.5) * self.width


@lru_cache(maxsize=32)
def network_of(layout: Layout) -> Net:
    cross = layout.cross_aisles_after
    block_of_bay = [0] * (layout.bays_per_aisle + 1)
    for block in range(len(cross) - 1):
        for bay in range(cross[block] + 1, cross[block + 1] + 1):
            block_of_bay[bay] = block
    return Net(
        spacing=layout.aisle_spacing,
        width=layout.bay_width,
        depot=layout.depot_aisle,
        ys=tuple(k * layout.bay_width for k in cross),
        block_of_bay=tuple(block_of_bay),
        lengths=tuple((b - a) * layout.bay_width for a, b in pairwise(cross)),
    )


def network_distance(layout: Layout, p: Point, q: Point) -> float:
    """Shortest walk between two points on aisle centre lines (e.g. from Layout.position)."""
    (x1, y1), (x2, y2) = p, q
    if x1 == x2:
        return abs(y1 - y2)
    # Changing aisle means reaching a cross aisle from both; the nearest one in between wins.
    return abs(x1 - x2) + min(abs(y1 - c) + abs(y2 - c) for c in network_of(layout).ys)


def tour_length(layout: Layout, locations: Sequence[str | LocationCode]) -> float:
    """Metres from the depot through the locations in this order and back, by shortest paths."""
    points = [layout.depot, *(layout.position(loc) for loc in locations), layout.depot]
    return sum(network_distance(layout, a, b) for a, b in pairwise(points))
