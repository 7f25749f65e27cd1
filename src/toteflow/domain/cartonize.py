"""Cartonization: the cheapest set of catalogue boxes that holds an order's items in 3D."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Below this many items the box set is found by exhaustive search over groupings (Bell(7) =
# 877 groupings, each memoised); above it a greedy fill is used, then each box is downsized.
EXACT_ITEMS = 7
# Backtracking steps allowed for one box's placement search before it settles for greedy.
_SEARCH_BUDGET = 4000


@dataclass(frozen=True)
class Box:
    """A carton in the catalogue: inner dimensions, what it may carry, what it weighs and costs."""

    code: str
    name: str
    length_mm: int
    width_mm: int
    height_mm: int
    max_weight_g: int  # contents, not counting the carton itself
    tare_g: int
    cost_cents: int
    barcode: str = ""

    @property
    def volume(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm

    @property
    def dims(self) -> tuple[int, int, int]:
        return (self.length_mm, self.width_mm, self.height_mm)


@dataclass(frozen=True)
class Item:
    """One unit to pack; `upright` items may only turn about the vertical axis."""

    sku: str
    length_mm: int
    width_mm: int
    height_mm: int
    weight_g: int
    upright: bool = False

    @property
    def volume(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm


@dataclass(frozen=True)
class Placement:
    """Where an item sits in its box: corner (x, y, z) and its size as turned (dx, dy, dz)."""

    item: Item
    x: int
    y: int
    z: int
    dx: int
    dy: int
    dz: int

    def overlaps(self, other: Placement) -> bool:
        return (
            self.x < other.x + other.dx
            and other.x < self.x + self.dx
            and self.y < other.y + other.dy
            and other.y < self.y + self.dy
            and self.z < other.z + other.dz
            and other.z < self.z + self.dz
        )


@dataclass(frozen=True)
class PackedBox:
    box: Box
    placements: tuple[Placement, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(p.item for p in self.placements)

    @property
    def contents_weight_g(self) -> int:
        return sum(p.item.weight_g for p in self.placements)

    @property
    def gross_weight_g(self) -> int:
        """What the scale should read: the items and the empty carton."""
        return self.contents_weight_g + self.box.tare_g

    def counts(self) -> dict[str, int]:
        """Units per SKU in this box."""
        found: dict[str, int] = {}
        for p in self.placements:
            found[p.item.sku] = found.get(p.item.sku, 0) + 1
        return found


@dataclass(frozen=True)
class Cartonization:
    boxes: tuple[PackedBox, ...]
    # Items no catalogue box can take (too big or too heavy): they ship in their own packaging.
    unpackable: tuple[Item, ...] = ()
    reasons: tuple[str, ...] = field(default=())

    @property
    def cost_cents(self) -> int:
        return sum(b.box.cost_cents for b in self.boxes)


class CartonizeError(ValueError):
    """The input cannot be cartonized (no catalogue, a nonsensical item)."""


def orientations(item: Item) -> list[tuple[int, int, int]]:
    """The (dx, dy, dz) an item may take; z is up, so upright items keep their height on z."""
    length, width, height = item.length_mm, item.width_mm, item.height_mm
    if item.upright:
        turns = [(length, width, height), (width, length, height)]
    else:
        turns = [(a, b, c) for a, b, c in itertools.permutations((length, width, height))]
    return list(dict.fromkeys(turns))


def fits_alone(item: Item, box: Box) -> bool:
    """Whether the item fits the box empty, by some allowed turn and by weight."""
    if item.weight_g > box.max_weight_g:
        return False
    return any(
        dx <= box.length_mm and dy <= box.width_mm and dz <= box.height_mm
        for dx, dy, dz in orientations(item)
    )


def _valid(box: Box, placed: list[Placement], candidate: Placement) -> bool:
    if (
        candidate.x + candidate.dx > box.length_mm
        or candidate.y + candidate.dy > box.width_mm
        or candidate.z + candidate.dz > box.height_mm
    ):
        return False
    return not any(candidate.overlaps(p) for p in placed)


def _points(placed: list[Placement]) -> list[tuple[int, int, int]]:
    # Extreme points: each placed item offers the corners just past it along each axis.
    points = {(0, 0, 0)}
    for p in placed:
        points.update({(p.x + p.dx, p.y, p.z), (p.x, p.y + p.dy, p.z), (p.x, p.y, p.z + p.dz)})
    # Lowest first, then from the back: fills the floor before stacking.
    return sorted(points, key=lambda pt: (pt[2], pt[1], pt[0]))


def _candidates(box: Box, placed: list[Placement], item: Item) -> list[Placement]:
    found = []
    for x, y, z in _points(placed):
        for dx, dy, dz in orientations(item):
            candidate = Placement(item, x, y, z, dx, dy, dz)
            if _valid(box, placed, candidate):
                found.append(candidate)
    return found


def _order(items: Sequence[Item]) -> list[Item]:
    # Big and awkward first: the classic first-fit-decreasing order for bin packing.
    return sorted(
        items,
        key=lambda i: (-i.volume, -max(i.length_mm, i.width_mm, i.height_mm), i.sku),
    )


def pack_into(box: Box, items: Sequence[Item]) -> tuple[Placement, ...] | None:
    """A placement of every item in `box`, or None when this search finds none.

    Cheap refusals first (weight, volume, an item too big alone); then a backtracking search
    over each item's turns and extreme points, bounded so that a large box stays quick.
    """
    if not items:
        return ()
    if sum(i.weight_g for i in items) > box.max_weight_g:
        return None
    if sum(i.volume for i in items) > box.volume:
        return None
    if not all(fits_alone(i, box) for i in items):
        return None
    ordered = _order(items)
    budget = [_SEARCH_BUDGET]
    placed: list[Placement] = []

    def search(index: int) -> bool:
        if index == len(ordered):
            return True
        item = ordered[index]
        for candidate in _candidates(box, placed, item):
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            placed.append(candidate)
            if search(index + 1):
                return True
            placed.pop()
        return False

    if search(0):
        return tuple(placed)
    return None


def _check(items: Iterable[Item], boxes: Sequence[Box]) -> None:
    if not boxes:
        raise CartonizeError("the box catalogue is empty")
    for item in items:
        if min(item.length_mm, item.width_mm, item.height_mm) <= 0:
            raise CartonizeError(f"{item.sku} has no dimensions: measure it before packing")
        if item.weight_g < 0:
            raise CartonizeError(f"{item.sku} has a negative weight")


def _by_cost(boxes: Sequence[Box]) -> list[Box]:
    return sorted(boxes, key=lambda b: (b.cost_cents, b.volume, b.code))


def cheapest_box(items: Sequence[Item], boxes: Sequence[Box]) -> PackedBox | None:
    """The cheapest single box that holds all `items`, or None."""
    for box in _by_cost(boxes):
        placements = pack_into(box, items)
        if placements is not None:
            return PackedBox(box, placements)
    return None


def cartonize(items: Sequence[Item], boxes: Sequence[Box]) -> Cartonization:
    """The cheapest box set for `items`; equal cost goes to fewer boxes, then less volume."""
    _check(items, boxes)
    packable = [i for i in items if any(fits_alone(i, b) for b in boxes)]
    unpackable = tuple(i for i in items if i not in packable)
    reasons = tuple(
        f"{i.sku} ({i.length_mm}x{i.width_mm}x{i.height_mm} mm, {i.weight_g} g) fits no box"
        for i in unpackable
    )
    if not packable:
        return Cartonization((), unpackable, reasons)
    exact = len(packable) <= EXACT_ITEMS
    packed = _exact(packable, boxes) if exact else _greedy(packable, boxes)
    ordered = tuple(sorted(packed, key=lambda b: (-b.box.volume, b.box.code)))
    return Cartonization(ordered, unpackable, reasons)


def _signature(group: Sequence[Item]) -> tuple[Item, ...]:
    return tuple(sorted(group, key=lambda i: (i.sku, i.length_mm, i.width_mm, i.height_mm)))


def _exact(items: list[Item], boxes: Sequence[Box]) -> list[PackedBox]:
    """Search every grouping of the items into boxes; each group takes its cheapest box."""
    memo: dict[tuple[Item, ...], PackedBox | None] = {}

    def best_for(group: list[Item]) -> PackedBox | None:
        key = _signature(group)
        if key not in memo:
            memo[key] = cheapest_box(group, boxes)
        return memo[key]

    best: list[list[PackedBox]] = []
    best_key: list[tuple[int, int, int]] = []

    def score(packed: list[PackedBox]) -> tuple[int, int, int]:
        return (
            sum(b.box.cost_cents for b in packed),
            len(packed),
            sum(b.box.volume for b in packed),
        )

    def place(index: int, groups: list[list[Item]]) -> None:
        if index == len(items):
            packed = [best_for(g) for g in groups]
            if any(p is None for p in packed):
                return
            chosen = [p for p in packed if p is not None]
            key = score(chosen)
            if not best_key or key < best_key[0]:
                best_key[:] = [key]
                best[:] = [chosen]
            return
        item = items[index]
        # A group that already cannot be boxed stays unboxable with more items: prune it.
        for group in groups:
            group.append(item)
            if best_for(group) is not None:
                place(index + 1, groups)
            group.pop()
        groups.append([item])
        place(index + 1, groups)
        groups.pop()

    place(0, [])
    assert best, "every packable item fits some box alone, so one box each always works"
    return best[0]


def _greedy(items: list[Item], boxes: Sequence[Box]) -> list[PackedBox]:
    """Fill one box at a time with the best packed-volume per cost, then downsize each box."""
    whole = cheapest_box(items, boxes)
    if whole is not None:
        return [whole]
    remaining = _order(items)
    packed: list[PackedBox] = []
    while remaining:
        best: tuple[float, PackedBox] | None = None
        for box in _by_cost(boxes):
            filled = _fill(box, remaining)
            if not filled:
                continue
            value = sum(p.item.volume for p in filled) / max(box.cost_cents, 1)
            if best is None or value > best[0]:
                best = (value, PackedBox(box, tuple(filled)))
        assert best is not None, "every remaining item fits some box alone"
        chosen = best[1]
        packed.append(chosen)
        for placement in chosen.placements:
            remaining.remove(placement.item)
    # A box filled greedily may hold what a cheaper box could: downsize where possible.
    return [cheapest_box(list(b.items), boxes) or b for b in packed]


def _fill(box: Box, items: list[Item]) -> list[Placement]:
    placed: list[Placement] = []
    weight = 0
    for item in items:
        if weight + item.weight_g > box.max_weight_g:
            continue
        found = _candidates(box, placed, item)
        if found:
            placed.append(found[0])
            weight += item.weight_g
    return placed
