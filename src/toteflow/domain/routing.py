"""Pick paths: the shortest tour through a pick list, and the classic policies to compare with.

The floor is a network: aisle centre lines (x fixed) and cross aisles (y fixed), the depot on
the front cross aisle. `optimal` is exact for layouts of up to four blocks: the Ratliff and
Rosenthal (1983) dynamic programme over the aisles from left to right, generalised from two
cross aisles to several as in Roodbergen and de Koster (2001) and Pansart, Catusse and
Cambazard (2018). Its state at an aisle is, for each cross-aisle corner of that aisle, whether
the partial tour touches it, the parity of its degree there, and which corners the partial
tour already connects. The tour's edges are then walked as an Euler circuit to give the
visiting order. Past four blocks the states grow into the thousands, and `optimal` is a local
search (2-opt, Or-opt, double-bridge kicks) started from the policies' orders.

The baselines (`s-shape`, `largest-gap`, `return`, `midpoint`) are the walks those policies
prescribe, extended to several blocks block by block, after Roodbergen and de Koster (2001): up
the end aisle with picks nearer the depot to the farthest block with picks, then each block from
the back of the warehouse to the front with the single-block policy, then back to the depot.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise, product
from operator import add, itemgetter
from typing import Any

from toteflow.domain.layout import Layout, LocationCode

METHODS = ("optimal", "s-shape", "largest-gap", "return", "midpoint")

Point = tuple[float, float]
# A stop is a point of the network where something is picked: (aisle, bay). Levels share it.
Stop = tuple[int, int]


class RoutingError(ValueError):
    """The routing request cannot be served (an unknown method); the message says why."""


@dataclass(frozen=True)
class Route:
    """A pick path: the method, the metres it walks from the depot back to it, and the order."""

    method: str
    distance_m: float
    sequence: tuple[str, ...]


@dataclass(frozen=True)
class _Net:
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
def _net(layout: Layout) -> _Net:
    cross = layout.cross_aisles_after
    block_of_bay = [0] * (layout.bays_per_aisle + 1)
    for block in range(len(cross) - 1):
        for bay in range(cross[block] + 1, cross[block + 1] + 1):
            block_of_bay[bay] = block
    return _Net(
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
    return abs(x1 - x2) + min(abs(y1 - c) + abs(y2 - c) for c in _net(layout).ys)


def tour_length(layout: Layout, locations: Sequence[str | LocationCode]) -> float:
    """Metres from the depot through the locations in this order and back, by shortest paths."""
    points = [layout.depot, *(layout.position(loc) for loc in locations), layout.depot]
    return sum(network_distance(layout, a, b) for a, b in pairwise(points))


def route(
    layout: Layout, locations: Iterable[str | LocationCode], method: str = "optimal"
) -> Route:
    """The pick path through the locations; LocationError names a bad location code."""
    solver = _SOLVERS.get(method)
    if solver is None:
        raise RoutingError(f"unknown routing method {method!r}; choose from {', '.join(METHODS)}")
    codes: dict[Stop, set[LocationCode]] = {}
    for item in locations:
        loc = layout.location(item)
        codes.setdefault((loc.aisle, loc.bay), set()).add(loc)
    if not codes:
        return Route(method, 0.0, ())
    distance, order = solver(_net(layout), list(codes))
    sequence = tuple(loc.format() for stop in order for loc in sorted(codes[stop]))
    return Route(method, distance, sequence)


# ---------------------------------------------------------------------------------------------
# The exact dynamic programme.
#
# A state lists, for each cross-aisle corner of the current aisle (front to back), 0 when the
# partial tour does not touch it, else 2 * component + parity of its degree so far. Components
# are renumbered by first appearance so equal situations compare equal.

# Ways to walk one block's stretch of an aisle, as in Ratliff and Rosenthal: not at all,
# through once, through twice, in from both ends up to the widest gap between picks, in from
# the front up to the last pick and back, in from the back likewise.
_NONE, _ONCE, _TWICE, _GAP, _FROM_FRONT, _FROM_BACK = range(6)
State = tuple[int, ...]


def _normalise(values: Sequence[int]) -> State:
    names: dict[int, int] = {}
    out = []
    for value in values:
        if value:
            label = names.setdefault(value >> 1, len(names) + 1)
            out.append(label << 1 | (value & 1))
        else:
            out.append(0)
    return tuple(out)


def _vertical(state: State, block: int, option: int) -> State:
    """The state after walking one block's stretch of the current aisle in the given way."""
    values = list(state)
    fresh = max(values) // 2 + 1
    lo, hi = block, block + 1
    if option != _NONE:
        if option != _FROM_BACK and not values[lo]:
            values[lo], fresh = fresh << 1, fresh + 1
        if option != _FROM_FRONT and not values[hi]:
            values[hi] = fresh << 1
        if option == _ONCE:
            values[lo] ^= 1
            values[hi] ^= 1
        if option in (_ONCE, _TWICE):
            keep, gone = values[lo] >> 1, values[hi] >> 1
            values = [(keep << 1 | v & 1) if v >> 1 == gone else v for v in values]
    return _normalise(values)


def _horizontal(state: State) -> list[tuple[int, State, tuple[int, ...]]]:
    """Ways to cross to the next aisle: (edges walked, next state, edges per cross aisle).

    A corner is left for good here, so its degree must end even; every component must carry
    on to the right, since the tour is one piece and still has to come back to the rest.
    """
    choices = [(0,) if not v else (1,) if v & 1 else (0, 2) for v in state]
    components = {v >> 1 for v in state if v}
    out = []
    for edges in product(*choices):
        pairs = list(zip(state, edges, strict=True))
        if {v >> 1 for v, h in pairs if h} != components:
            continue
        nxt = _normalise([(v >> 1) << 1 | (h & 1) if h else 0 for v, h in pairs])
        out.append((sum(edges), nxt, edges))
    return out


def _touch_front(state: State) -> State:
    # The depot is a corner every tour must include, even if no aisle edge reaches it.
    if state[0]:
        return state
    return _normalise([(max(state) // 2 + 1) << 1, *state[1:]])


def _is_closed(state: State) -> bool:
    return all(v & 1 == 0 for v in state) and len({v >> 1 for v in state if v}) == 1


_EMPTY_OPTIONS = (_NONE, _ONCE, _TWICE)
_PICK_OPTIONS = (_ONCE, _TWICE, _GAP, _FROM_FRONT, _FROM_BACK)
# The programme's states grow fast with the cross aisles: 6 for one block, 24 for two, 112 for
# three, 568 for four (some 20 ms a route in 20 aisles), thousands past that. Layouts with more
# blocks are routed by local search instead.
EXACT_MAX_BLOCKS = 4
# Double-bridge kicks of that local search, for lists of up to 60 stops.
KICKS = 20


@dataclass(frozen=True)
class _Table:
    """One stage's moves, grouped by the state they lead to.

    Move i goes from state `source[i]` at the price `price[key[i]]` (the price list is given
    per route); `group[s]` selects the moves into state s. With this shape a stage is a few
    `map` and `itemgetter` calls, which keep the work per move in C rather than in the
    interpreter. `how[i]` tells the moves apart when the tour is read back.
    """

    source: list[int]
    key: list[int]
    group: list[slice]
    how: list[int | tuple[int, ...]]
    sources: Callable[[list[float]], Sequence[float]] = field(init=False)
    keys: Callable[[list[float]], Sequence[float]] = field(init=False)
    # Most states are reached by one move, which needs no min(): those values are taken as
    # they are, the others' minima after them, and `order` puts them back in state order.
    singles: Callable[[list[float]], Sequence[float]] = field(init=False)
    several: Callable[[list[float]], Sequence[list[float]]] = field(init=False)
    order: Callable[[list[float]], Sequence[float]] = field(init=False)

    def __post_init__(self) -> None:
        single = [g.start for g in self.group if g.stop - g.start == 1]
        several = [g for g in self.group if g.stop - g.start > 1]
        order, next_single, next_several = [], 0, len(single)
        for g in self.group:
            if g.stop - g.start == 1:
                order.append(next_single)
                next_single += 1
            else:
                order.append(next_several)
                next_several += 1
        for name, indices in (
            ("sources", self.source),
            ("keys", self.key),
            ("singles", single),
            ("several", several),
            ("order", order),
        ):
            object.__setattr__(self, name, _getter(indices))


def _getter(indices: Sequence[Any]) -> Callable[[list[Any]], Sequence[Any]]:
    """`itemgetter` fetching many items in one C call, but always answering a sequence."""
    if len(indices) > 1:
        return itemgetter(*indices)
    return lambda values: [values[i] for i in indices]


def _table(size: int, moves: Iterable[tuple[int, int, int, int | tuple[int, ...]]]) -> _Table:
    """A table from (from state, to state, price key, how) moves over `size` states."""
    into: list[list[tuple[int, int, int | tuple[int, ...]]]] = [[] for _ in range(size)]
    for source, target, key, how in moves:
        into[target].append((source, key, how))
    sources: list[int] = []
    keys: list[int] = []
    hows: list[int | tuple[int, ...]] = []
    groups: list[slice] = []
    for target in range(size):
        # A state nothing leads to gets one move from the dead state `size`, so min() has
        # something to take and answers inf.
        start = len(sources)
        for source, key, how in into[target] or [(size, 0, 0)]:
            sources.append(source)
            keys.append(key)
            hows.append(how)
        groups.append(slice(start, len(sources)))
    return _Table(sources, keys, groups, hows)


class _Machine:
    """Every state of the programme for one number of cross aisles, numbered, with its moves.

    Built once per number of cross aisles. Ways of walking a block that lead to the same next
    state are one move whose price key is their bit mask of options: a route pays the cheapest.
    """

    def __init__(self, corners: int) -> None:
        blocks = corners - 1
        states: list[State] = [(0,) * corners]
        index = {states[0]: 0}

        def number(state: State) -> int:
            found = index.get(state)
            if found is None:
                found = index[state] = len(states)
                states.append(state)
            return found

        empty: list[list[tuple[int, int, int, int]]] = [[] for _ in range(blocks)]
        picks: list[list[tuple[int, int, int, int]]] = [[] for _ in range(blocks)]
        front: list[tuple[int, int, int, int]] = []
        across: list[tuple[int, int, int, tuple[int, ...]]] = []
        done = 0
        while done < len(states):  # the list grows as moves reach new states
            state, source = states[done], done
            done += 1
            for moves, options in ((empty, _EMPTY_OPTIONS), (picks, _PICK_OPTIONS)):
                for block in range(blocks):
                    masks: dict[int, int] = {}
                    for option in options:
                        new = number(_vertical(state, block, option))
                        masks[new] = masks.get(new, 0) | 1 << option
                    moves[block].extend((source, new, mask, mask) for new, mask in masks.items())
            front.append((source, number(_touch_front(state)), 0, 0))
            for edges, reached, each in _horizontal(state):
                across.append((source, number(reached), edges, each))
        size = len(states)
        self.states = states
        self.closed = [_is_closed(state) for state in states]
        # A block move's price key is its mask's place in this list, so that a route prices
        # every mask in one list comprehension; `how` keeps the mask itself.
        kinds = sorted({m for moves in (*empty, *picks) for _, _, m, _ in moves})
        self.mask_options = [tuple(o for o in range(6) if m >> o & 1) for m in kinds]
        place = {mask: i for i, mask in enumerate(kinds)}
        self.empty = [_table(size, ((a, b, place[m], m) for a, b, m, _ in t)) for t in empty]
        self.picks = [_table(size, ((a, b, place[m], m) for a, b, m, _ in t)) for t in picks]
        self.front = _table(size, front)
        self.across = _table(size, across)
        self.max_edges = 2 * corners


_MACHINES: dict[int, _Machine] = {}
_MACHINES_LOCK = threading.Lock()


def _machine(corners: int) -> _Machine:
    """The machine for this many cross aisles, built on first use (once, if threads race)."""
    found = _MACHINES.get(corners)
    if found is None:
        with _MACHINES_LOCK:
            found = _MACHINES.get(corners)
            if found is None:
                found = _MACHINES[corners] = _Machine(corners)
    return found


def _costs(net: _Net, block: int, bays: list[int] | None) -> list[float]:
    """Per option, the metres of walking one block of one aisle that way (inf: not a way)."""
    inf = float("inf")
    length = net.lengths[block]
    if not bays:
        return [0.0, length, 2 * length, inf, inf, inf]
    base = net.ys[block]
    offsets = [net.y(b) - base for b in bays]
    # In from both ends up to the widest gap between two picks: needs two picks at least.
    gap = max((b - a for a, b in pairwise(offsets)), default=None)
    return [
        inf,
        length,
        2 * length,
        inf if gap is None else 2 * (length - gap),
        2 * offsets[-1],
        2 * (length - offsets[0]),
    ]


Choice = tuple[int, int, int | tuple[int, ...]]  # (aisle, block or _DEPOT or _ACROSS, what)
_DEPOT, _ACROSS = -1, -2


@dataclass
class _Stage:
    """One step of the programme, kept so that the tour can be read back."""

    aisle: int
    block: int  # or _DEPOT, _ACROSS
    table: _Table
    price: list[float]  # per price key
    options: list[float]  # a block stage's price per option, to name the cheapest in a mask
    before: list[float]  # cost per state when the stage began


def _optimal(net: _Net, stops: list[Stop]) -> tuple[float, list[Stop]]:
    """The shortest tour's length and visiting order (exact up to EXACT_MAX_BLOCKS blocks)."""
    blocks = len(net.ys) - 1
    if blocks > EXACT_MAX_BLOCKS:
        return _local_search(net, stops)
    machine = _machine(len(net.ys))
    bays_of: dict[tuple[int, int], list[int]] = {}
    for aisle, bay in stops:
        bays_of.setdefault((aisle, net.block_of_bay[bay]), []).append(bay)
    for bays in bays_of.values():
        bays.sort()
    aisles = {aisle for aisle, _ in stops} | {net.depot}
    first, last = min(aisles), max(aisles)
    inf = float("inf")
    size = len(machine.states)
    mask_options = machine.mask_options
    # Empty stretches of aisle cost the same everywhere: price them once per block.
    empty_options = [_costs(net, block, None) for block in range(blocks)]
    empty_prices = [
        [min(map(options.__getitem__, opts)) for opts in mask_options] for options in empty_options
    ]
    no_price = [0.0]
    across_price = [edges * net.spacing for edges in range(machine.max_edges + 1)]
    # cost[s]: the shortest partial tour in state s so far; the extra last entry is the dead
    # state, always inf.
    cost = [inf] * (size + 1)
    cost[0] = 0.0
    stages: list[_Stage] = []

    def run(stage: _Stage) -> list[float]:
        table, price = stage.table, stage.price
        values = list(map(add, table.sources(stage.before), table.keys(price)))
        after = list(table.order([*table.singles(values), *map(min, table.several(values))]))
        after.append(inf)
        stages.append(stage)
        return after

    # Aisles outside [first, last] never help: a tour reaching past them can be cut back.
    for aisle in range(first, last + 1):
        for block in range(blocks):
            here = bays_of.get((aisle, block))
            if here:
                options = _costs(net, block, here)
                price = [min(map(options.__getitem__, opts)) for opts in mask_options]
                cost = run(_Stage(aisle, block, machine.picks[block], price, options, cost))
            else:
                options, price = empty_options[block], empty_prices[block]
                cost = run(_Stage(aisle, block, machine.empty[block], price, options, cost))
        if aisle == net.depot:
            cost = run(_Stage(aisle, _DEPOT, machine.front, no_price, [], cost))
        if aisle < last:
            cost = run(_Stage(aisle, _ACROSS, machine.across, across_price, [], cost))
    distance, state = min((cost[s], s) for s in range(size) if machine.closed[s])
    # Read the tour back: in each stage, a move into the state that accounts for its cost.
    choices: list[Choice] = []
    for stage in reversed(stages):
        table, price, before = stage.table, stage.price, stage.before
        target = cost[state]
        for i in range(table.group[state].start, table.group[state].stop):
            if before[table.source[i]] + price[table.key[i]] == target:
                break
        else:  # pragma: no cover - the forward pass computed target from one of these
            raise AssertionError("routing: no move accounts for a state's cost")
        how = table.how[i]
        if stage.block >= 0:
            assert isinstance(how, int)
            how = min((o for o in range(6) if how >> o & 1), key=stage.options.__getitem__)
        choices.append((stage.aisle, stage.block, how))
        state, cost = table.source[i], before
    return distance, _euler_order(net, bays_of, choices)


Node = tuple[int, int, int]  # (aisle, 0, corner) for a cross-aisle corner, (aisle, 1, bay) a stop


def _euler_order(
    net: _Net, bays_of: dict[tuple[int, int], list[int]], choices: list[Choice]
) -> list[Stop]:
    """The stops in the order an Euler circuit of the chosen edges first reaches them."""
    adjacent: dict[Node, list[tuple[Node, int]]] = {}
    count = 0

    def link(a: Node, b: Node, times: int) -> None:
        nonlocal count
        for _ in range(times):
            adjacent.setdefault(a, []).append((b, count))
            adjacent.setdefault(b, []).append((a, count))
            count += 1

    for aisle, block, what in choices:
        if block == _ACROSS:
            assert isinstance(what, tuple)
            for corner, across in enumerate(what):
                link((aisle, 0, corner), (aisle + 1, 0, corner), across)
        elif block >= 0:
            assert isinstance(what, int)
            bays = bays_of.get((aisle, block), [])
            nodes = [(aisle, 0, block), *((aisle, 1, b) for b in bays), (aisle, 0, block + 1)]
            # How often each stretch between neighbouring points is walked.
            walks = [0 if what == _NONE else 1 if what == _ONCE else 2] * (len(nodes) - 1)
            if what == _FROM_FRONT:
                walks[-1] = 0
            elif what == _FROM_BACK:
                walks[0] = 0
            elif what == _GAP:
                widest = max(range(1, len(bays)), key=lambda i: bays[i] - bays[i - 1])
                walks[widest] = 0
            for (a, b), times in zip(pairwise(nodes), walks, strict=True):
                link(a, b, times)
    # Hierholzer's algorithm, iteratively; the stops' first appearances give the order.
    start: Node = (net.depot, 0, 0)
    used = [False] * count
    stack, circuit = [start], []
    while stack:
        node = stack[-1]
        edges = adjacent.get(node, [])
        while edges and used[edges[-1][1]]:
            edges.pop()
        if edges:
            other, edge = edges.pop()
            used[edge] = True
            stack.append(other)
        else:
            circuit.append(stack.pop())
    seen: dict[Stop, None] = {}
    for aisle, kind, bay in reversed(circuit):
        if kind == 1:
            seen.setdefault((aisle, bay), None)
    return list(seen)


# ---------------------------------------------------------------------------------------------
# Baseline policies, as walks. _Walk only moves along an aisle or along a cross aisle, so the
# metres it counts are metres a picker would walk.


class _Walk:
    def __init__(self, net: _Net) -> None:
        self.net = net
        self.aisle = net.depot
        self.y = 0.0
        self.length = 0.0
        self.order: list[Stop] = []

    def along_aisle(self, y: float) -> None:
        self.length += abs(y - self.y)
        self.y = y

    def along_cross(self, aisle: int) -> None:
        assert self.y in self.net.ys, "turning into another aisle needs a cross aisle"
        self.length += abs(aisle - self.aisle) * self.net.spacing
        self.aisle = aisle

    def pick(self, bays: Iterable[int]) -> None:
        for bay in bays:
            self.along_aisle(self.net.y(bay))
            self.order.append((self.aisle, bay))


class _Plan:
    """Stops grouped the way the policies look at them: per block, per aisle, bays sorted."""

    def __init__(self, net: _Net, stops: list[Stop]) -> None:
        self.net = net
        self.bays: dict[tuple[int, int], list[int]] = {}
        for aisle, bay in stops:
            self.bays.setdefault((net.block_of_bay[bay], aisle), []).append(bay)
        for bays in self.bays.values():
            bays.sort()
        self.farthest = max(block for block, _ in self.bays)
        ends = (min(a for _, a in stops), max(a for _, a in stops))
        # The end aisle with picks nearer the depot; the left one when both are as near.
        self.entry = min(ends, key=lambda a: abs(a - net.depot))

    def aisles(self, block: int, x_from: int) -> list[int]:
        """Aisles with picks left in a block, from the end nearer `x_from` to the other."""
        found = sorted(a for b, a in self.bays if b == block)
        if found and abs(found[-1] - x_from) < abs(found[0] - x_from):
            found.reverse()
        return found

    def enter(self, walk: _Walk) -> None:
        """From the depot up the entry aisle to the front of the farthest block with picks."""
        walk.along_cross(self.entry)
        top = self.net.ys[self.farthest]
        for block in range(self.farthest):
            walk.pick(self.bays.pop((block, self.entry), []))
        walk.along_aisle(top)

    def leave(self, walk: _Walk) -> tuple[float, list[Stop]]:
        walk.along_aisle(0.0)
        walk.along_cross(self.net.depot)
        return walk.length, walk.order


def _return_from_front(walk: _Walk, front: float, bays: list[int]) -> None:
    walk.pick(bays)
    walk.along_aisle(front)


def _return_from_back(walk: _Walk, back: float, bays: list[int]) -> None:
    walk.pick(reversed(bays))
    walk.along_aisle(back)


def _traverse(walk: _Walk, to: float, bays: list[int]) -> None:
    walk.pick(bays if to > walk.y else reversed(bays))
    walk.along_aisle(to)


def _s_shape(net: _Net, stops: list[Stop]) -> tuple[float, list[Stop]]:
    plan, walk = _Plan(net, stops), _Walk(net)
    plan.enter(walk)
    for block in range(plan.farthest, -1, -1):
        front, back = net.ys[block], net.ys[block + 1]
        aisles = plan.aisles(block, walk.aisle)
        for index, aisle in enumerate(aisles):
            walk.along_cross(aisle)
            bays = plan.bays.pop((block, aisle))
            # Every aisle is walked through, except that the block must be left at its front:
            # if the last one would end at the back, it is entered and left from the front.
            if index == len(aisles) - 1 and walk.y == front:
                _return_from_front(walk, front, bays)
            else:
                _traverse(walk, back if walk.y == front else front, bays)
        walk.along_aisle(front)
    return plan.leave(walk)


def _return(net: _Net, stops: list[Stop]) -> tuple[float, list[Stop]]:
    plan, walk = _Plan(net, stops), _Walk(net)
    plan.enter(walk)
    for block in range(plan.farthest, -1, -1):
        front = net.ys[block]
        for aisle in plan.aisles(block, walk.aisle):
            walk.along_cross(aisle)
            _return_from_front(walk, front, plan.bays.pop((block, aisle)))
        if block:
            # Down to the next block's front along the aisle we stand in, picking on the way.
            walk.pick(reversed(plan.bays.pop((block - 1, walk.aisle), [])))
            walk.along_aisle(net.ys[block - 1])
    return plan.leave(walk)


Split = Callable[[_Net, int, list[int]], int]


def _largest_gap_split(net: _Net, block: int, bays: list[int]) -> int:
    """How many of the (sorted) bays to pick from the front: those below the widest gap."""
    points = [net.ys[block], *(net.y(b) for b in bays), net.ys[block + 1]]
    gaps = [b - a for a, b in pairwise(points)]
    return gaps.index(max(gaps))


def _midpoint_split(net: _Net, block: int, bays: list[int]) -> int:
    middle = (net.ys[block] + net.ys[block + 1]) / 2
    return sum(1 for b in bays if net.y(b) <= middle)


def _gap_policy(split: Split) -> Callable[[_Net, list[Stop]], tuple[float, list[Stop]]]:
    """Largest gap or midpoint: both ends' aisles walked through, the others split in two."""

    def solve(net: _Net, stops: list[Stop]) -> tuple[float, list[Stop]]:
        plan, walk = _Plan(net, stops), _Walk(net)
        plan.enter(walk)
        for block in range(plan.farthest, -1, -1):
            front, back = net.ys[block], net.ys[block + 1]
            aisles = plan.aisles(block, walk.aisle)
            if not aisles:
                walk.along_aisle(front)
                continue
            if walk.y == front and len(aisles) == 1:
                walk.along_cross(aisles[0])
                _return_from_front(walk, front, plan.bays.pop((block, aisles[0])))
                continue
            *middle, far = aisles
            if walk.y == front:
                # Only in the farthest block: the near end's aisle takes the picker to the back.
                near, *middle = middle
                walk.along_cross(near)
                _traverse(walk, back, plan.bays.pop((block, near)))
            halves = {}
            for aisle in middle:
                bays = plan.bays.pop((block, aisle))
                cut = split(net, block, bays)
                halves[aisle] = bays[:cut]
                if bays[cut:]:
                    walk.along_cross(aisle)
                    _return_from_back(walk, back, bays[cut:])
            walk.along_cross(far)
            _traverse(walk, front, plan.bays.pop((block, far)))
            for aisle in reversed(middle):
                if halves[aisle]:
                    walk.along_cross(aisle)
                    _return_from_front(walk, front, halves[aisle])
        return plan.leave(walk)

    return solve


# ---------------------------------------------------------------------------------------------
# Local search, for layouts with more blocks than the exact programme handles quickly.


def _matrix(net: _Net, stops: list[Stop]) -> list[list[float]]:
    """Shortest-path metres between the depot (0) and the stops (1..n)."""
    ys = net.ys
    points = [(net.depot, 0.0, 0)]
    points += [(a, net.y(b), net.block_of_bay[b]) for a, b in stops]
    matrix = []
    for a1, y1, k1 in points:
        row = []
        for a2, y2, k2 in points:
            if a1 == a2 or k1 != k2:
                # Same aisle, or blocks apart: some cross aisle lies between, no detour.
                row.append(abs(a1 - a2) * net.spacing + abs(y1 - y2))
            else:
                detour = min(y1 + y2 - 2 * ys[k1], 2 * ys[k1 + 1] - y1 - y2)
                row.append(abs(a1 - a2) * net.spacing + detour)
        matrix.append(row)
    return matrix


def _improve(matrix: list[list[float]], path: list[int]) -> list[int]:
    """2-opt and Or-opt moves on a closed path (depot at both ends) until none helps."""
    eps = 1e-9
    improved = True
    while improved:
        improved = False
        size = len(path)
        for i in range(size - 3):
            a, b = path[i], path[i + 1]
            row_a, row_b = matrix[a], matrix[b]
            for j in range(i + 2, size - 1):
                c, d = path[j], path[j + 1]
                if row_a[c] + row_b[d] < row_a[b] + matrix[c][d] - eps:
                    path[i + 1 : j + 1] = path[j:i:-1]
                    improved = True
                    b = path[i + 1]
                    row_b = matrix[b]
        for length in (1, 2, 3):
            i = 1
            while i + length < size:
                first, last = path[i], path[i + length - 1]
                before, after = path[i - 1], path[i + length]
                gain = matrix[before][first] + matrix[last][after] - matrix[before][after]
                rest = path[:i] + path[i + length :]
                best, where, flip = gain - eps, -1, False
                row_f, row_l = matrix[first], matrix[last]
                for k in range(len(rest) - 1):
                    u, v = rest[k], rest[k + 1]
                    base = matrix[u][v]
                    forward = row_f[u] + row_l[v] - base
                    if forward < best:
                        best, where, flip = forward, k, False
                    backward = row_l[u] + row_f[v] - base
                    if backward < best:
                        best, where, flip = backward, k, True
                if where >= 0:
                    segment = path[i : i + length]
                    if flip:
                        segment.reverse()
                    path = rest[: where + 1] + segment + rest[where + 1 :]
                    improved = True
                i += 1
    return path


def _local_search(net: _Net, stops: list[Stop]) -> tuple[float, list[Stop]]:
    """The best of the policies' visiting orders, each improved by 2-opt and Or-opt.

    Starting from the policies' own orders means the result is never longer than any of them:
    a policy's walk is at least the shortest-path length of its order, and moves only shorten.
    """
    matrix = _matrix(net, stops)
    number = {stop: i for i, stop in enumerate(stops, start=1)}
    best: tuple[float, list[int]] | None = None
    for policy in _SEEDS:
        _, order = policy(net, stops)
        path = _improve(matrix, [0, *(number[stop] for stop in order), 0])
        length = sum(matrix[a][b] for a, b in pairwise(path))
        if best is None or length < best[0]:
            best = (length, path)
    assert best is not None
    length, path = best
    # 2-opt and Or-opt alone stop 2-3% above the optimum on 50 picks; kicking the tour out of
    # its local optimum (a double bridge, which they cannot undo) and improving again closes
    # most of that. A fixed seed: the same list always gets the same route.
    rng = random.Random(0)
    n = len(stops)
    # Each kick costs a pass of O(n^2) moves: fewer of them for long lists (2 at 200 stops).
    kicks = min(KICKS, KICKS * 60 * 60 // n**2) if n >= 8 else 0
    for _ in range(kicks):
        i, j, k = sorted(rng.sample(range(1, n), 3))
        tour = path[1:-1]
        kicked = _improve(matrix, [0, *tour[:i], *tour[j:k], *tour[i:j], *tour[k:], 0])
        kicked_length = sum(matrix[a][b] for a, b in pairwise(kicked))
        if kicked_length < length - 1e-9:
            length, path = kicked_length, kicked
    return length, [stops[i - 1] for i in path[1:-1]]


_SEEDS = (_s_shape, _gap_policy(_largest_gap_split))

_SOLVERS: dict[str, Callable[[_Net, list[Stop]], tuple[float, list[Stop]]]] = {
    "optimal": _optimal,
    "s-shape": _s_shape,
    "largest-gap": _gap_policy(_largest_gap_split),
    "return": _return,
    "midpoint": _gap_policy(_midpoint_split),
}
