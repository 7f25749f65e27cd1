"""Stock allocation: FEFO or FIFO, pick faces before reserve, split lines, shortages by policy."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple


class ShortagePolicy(StrEnum):
    """What a release does with units it cannot reserve (a site setting)."""

    PARTIAL = "partial"  # release what is there; the rest stays on the line as a backorder
    WAIT = "wait"  # an order that cannot be reserved in full stays in the pool, untouched
    CANCEL_LINE = "cancel_line"  # release what is there; the missing units are cancelled


# Pick faces are where pickers are meant to pick; reserve (overstock, high levels) is for
# replenishment and is only picked from when the faces run dry.
KIND_RANK = {"pick_face": 0, "reserve": 1}
_FAR_FUTURE = date.max


# The records below are NamedTuples rather than dataclasses: a big wave makes some 40,000 of
# each, and a tuple is several times cheaper to build.


class StockCandidate(NamedTuple):
    """A stock row that could serve a line: where it is, its dates and what is free of it."""

    stock_id: int
    product_id: int
    kind: str  # "pick_face" or "reserve"
    received_on: date
    expiry: date | None
    free: int  # quantity - reserved
    location: str = ""


class Demand(NamedTuple):
    """An order line's units still to reserve; demands are served in the order given."""

    line_id: int
    order_id: int
    product_id: int
    quantity: int
    expiry_tracked: bool = False


class Reservation(NamedTuple):
    line_id: int
    order_id: int
    stock_id: int
    product_id: int
    quantity: int


class Shortage(NamedTuple):
    """Units of a line that were not reserved, and what the policy did about them."""

    line_id: int
    order_id: int
    product_id: int
    wanted: int
    missing: int
    policy: ShortagePolicy


@dataclass(frozen=True)
class Allocation:
    reservations: tuple[Reservation, ...]
    shortages: tuple[Shortage, ...]
    # Orders the WAIT policy left out entirely (nothing reserved for them).
    waiting_orders: frozenset[int] = frozenset()

    def by_stock(self) -> dict[int, int]:
        """Units reserved per stock row."""
        totals: dict[int, int] = defaultdict(int)
        for r in self.reservations:
            totals[r.stock_id] += r.quantity
        return dict(totals)

    def by_line(self) -> dict[int, int]:
        """Units reserved per order line."""
        totals: dict[int, int] = defaultdict(int)
        for r in self.reservations:
            totals[r.line_id] += r.quantity
        return dict(totals)


def rank(candidate: StockCandidate, *, fefo: bool) -> tuple[int, date, date, int]:
    """The order candidates are taken in: pick faces first, then first expiry or first received."""
    kind = KIND_RANK.get(candidate.kind, len(KIND_RANK))
    # A row without an expiry date goes last among equals: how long it keeps is unknown.
    expiry = candidate.expiry or _FAR_FUTURE
    if fefo:
        return (kind, expiry, candidate.received_on, candidate.stock_id)
    return (kind, candidate.received_on, expiry, candidate.stock_id)


def usable(candidate: StockCandidate, today: date | None) -> bool:
    """Stock that may be reserved at all: something free, and not past its expiry date."""
    if candidate.free <= 0:
        return False
    return today is None or candidate.expiry is None or candidate.expiry >= today


def allocate(
    demands: Sequence[Demand],
    candidates: Iterable[StockCandidate],
    *,
    policy: ShortagePolicy = ShortagePolicy.PARTIAL,
    today: date | None = None,
) -> Allocation:
    """Reserve stock for each demand in turn (callers order them by priority).

    Each line takes candidates in `rank` order and may split over several; units no candidate
    can give are a shortage. Under WAIT an order is all or nothing: if any of its lines falls
    short, everything tentatively reserved for it goes back for the orders behind it.
    """
    stock: dict[int, list[StockCandidate]] = defaultdict(list)
    for candidate in candidates:
        if usable(candidate, today):
            stock[candidate.product_id].append(candidate)
    fefo = {d.product_id: d.expiry_tracked for d in demands}
    for product_id, rows in stock.items():
        rows.sort(key=lambda c: rank(c, fefo=fefo.get(product_id, False)))
    free = {c.stock_id: c.free for rows in stock.values() for c in rows}
    # The first candidate of each product that may still have something free: exhausted rows
    # are skipped once, not on every line.
    first: dict[int, int] = defaultdict(int)

    def take(demand: Demand) -> tuple[list[Reservation], int]:
        rows, made, left = stock.get(demand.product_id, []), [], demand.quantity
        index = first[demand.product_id]
        while index < len(rows) and free[rows[index].stock_id] == 0:
            index += 1
        first[demand.product_id] = index
        for candidate in rows[index:]:
            if left == 0:
                break
            n = min(left, free[candidate.stock_id])
            if n:
                free[candidate.stock_id] -= n
                left -= n
                made.append(
                    Reservation(
                        demand.line_id, demand.order_id, candidate.stock_id, demand.product_id, n
                    )
                )
        return made, left

    reservations: list[Reservation] = []
    shortages: list[Shortage] = []
    waiting: set[int] = set()
    for order_demands in _by_order(demands):
        made_here: list[Reservation] = []
        short_here: list[Shortage] = []
        for demand in order_demands:
            made, missing = take(demand)
            made_here += made
            if missing:
                short_here.append(
                    Shortage(
                        demand.line_id,
                        demand.order_id,
                        demand.product_id,
                        demand.quantity,
                        missing,
                        policy,
                    )
                )
        if short_here and policy == ShortagePolicy.WAIT:
            for r in made_here:
                free[r.stock_id] += r.quantity
                first[r.product_id] = 0
            waiting.add(order_demands[0].order_id)
            made_here = []
        reservations += made_here
        shortages += short_here
    return Allocation(tuple(reservations), tuple(shortages), frozenset(waiting))


def _by_order(demands: Sequence[Demand]) -> list[list[Demand]]:
    """Demands grouped by order, each order where its first line stands, lines kept in order."""
    groups: dict[int, list[Demand]] = {}
    for demand in demands:
        groups.setdefault(demand.order_id, []).append(demand)
    return list(groups.values())
