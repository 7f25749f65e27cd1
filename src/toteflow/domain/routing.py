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

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, product
from operator import add, itemgetter
from typing import Any

from toteflow.domain.layout import Layout, LocationCode
from toteflow.domain.route_network import Net, Stop, network_of
from toteflow.domain.route_policies import (
    gap_policy,
    largest_gap_split,
    local_search,
    midpoint_split,
    return_walk,
    s_shape,
)

METHODS = ("optimal", "s-shape", "largest-gap", "return", "midpoint")


class RoutingError(ValueError):
    """The routing request cannot be served (an unknown method); the message says why."""


@dataclass(frozen=True)
class Route:
    """A pick path: the method, the metres it walks from the depot back to it, and the order."""

    method: str
    distance_m: float
    sequence: tuple[str, ...]


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
    distance, order = solver(network_of(layout), list(codes))
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


def _costs(net: Net, block: int, bays: list[int] | None) -> list[float]:
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


def _optimal(net: Net, stops: list[Stop]) -> tuple[float, list[Stop]]:
    """The shortest tour's length and visiting order (exact up to EXACT_MAX_BLOCKS blocks)."""
    blocks = len(net.ys) - 1
    if blocks > EXACT_MAX_BLOCKS:
        return local_search(net, stops)
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
    net: Net, bays_of: dict[tuple[int, int], list[int]], choices: list[Choice]
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


_SOLVERS: dict[str, Callable[[Net, list[Stop]], tuple[float, list[Stop]]]] = {
    "optimal": _optimal,
    "s-shape": s_shape,
    "largest-gap": gap_policy(largest_gap_split),
    "return": return_walk,
    "midpoint": gap_policy(midpoint_split),
}
