"""Allocation rules: FEFO, FIFO, pick faces first, splits, shortages and the WAIT policy."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from toteflow.domain.allocation import (
    Demand,
    ShortagePolicy,
    StockCandidate,
    allocate,
)

DAY = date(2026, 6, 1)


def stock(
    stock_id: int,
    free: int,
    *,
    kind: str = "pick_face",
    received: int = 0,
    expiry: int | None = None,
    product: int = 1,
) -> StockCandidate:
    return StockCandidate(
        stock_id=stock_id,
        product_id=product,
        kind=kind,
        received_on=DAY + timedelta(days=received),
        expiry=None if expiry is None else DAY + timedelta(days=expiry),
        free=free,
    )


def line(
    line_id: int, quantity: int, *, order: int = 0, product: int = 1, fefo: bool = False
) -> Demand:
    return Demand(line_id, order or line_id, product, quantity, expiry_tracked=fefo)


def taken(demands: list[Demand], rows: list[StockCandidate], **kw: object) -> list[tuple[int, int]]:
    found = allocate(demands, rows, **kw)  # type: ignore[arg-type]
    return [(r.stock_id, r.quantity) for r in found.reservations]


def test_fifo_takes_the_oldest_receipt_first() -> None:
    rows = [stock(1, 5, received=3), stock(2, 5, received=1), stock(3, 5, received=2)]
    assert taken([line(1, 4)], rows) == [(2, 4)]


def test_fefo_takes_the_first_expiry_first_whatever_was_received_first() -> None:
    rows = [
        stock(1, 5, received=0, expiry=90),
        stock(2, 5, received=5, expiry=30),
        stock(3, 5, received=1, expiry=None),  # no date on an expiry-tracked product: last
    ]
    assert taken([line(1, 12, fefo=True)], rows) == [(2, 5), (1, 5), (3, 2)]


def test_a_product_without_expiry_tracking_ignores_expiry_dates() -> None:
    rows = [stock(1, 5, received=0, expiry=90), stock(2, 5, received=5, expiry=30)]
    assert taken([line(1, 3)], rows) == [(1, 3)]


def test_pick_faces_go_before_reserve_even_older_or_sooner_expiring_reserve() -> None:
    rows = [
        stock(1, 50, kind="reserve", received=0, expiry=10),
        stock(2, 5, kind="pick_face", received=9, expiry=99),
    ]
    assert taken([line(1, 3, fefo=True)], rows) == [(2, 3)]
    # The face runs dry: the rest comes from reserve.
    assert taken([line(1, 8, fefo=True)], rows) == [(2, 5), (1, 3)]


def test_a_line_splits_over_locations_and_what_is_missing_is_a_shortage() -> None:
    found = allocate([line(1, 10)], [stock(1, 3, received=0), stock(2, 4, received=1)])
    assert [(r.stock_id, r.quantity) for r in found.reservations] == [(1, 3), (2, 4)]
    (short,) = found.shortages
    assert (short.line_id, short.wanted, short.missing) == (1, 10, 3)
    assert short.policy == ShortagePolicy.PARTIAL


def test_expired_stock_is_never_reserved() -> None:
    rows = [stock(1, 5, expiry=-1), stock(2, 5, expiry=0)]
    assert taken([line(1, 5, fefo=True)], rows, today=DAY) == [(2, 5)]


def test_demands_are_served_in_the_order_given() -> None:
    rows = [stock(1, 5)]
    found = allocate([line(7, 4), line(3, 4)], rows)
    assert [(r.line_id, r.quantity) for r in found.reservations] == [(7, 4), (3, 1)]
    assert [(s.line_id, s.missing) for s in found.shortages] == [(3, 3)]


def test_wait_leaves_an_incomplete_order_untouched_and_its_stock_to_the_next() -> None:
    rows = [stock(1, 5, product=1), stock(2, 1, product=2)]
    demands = [
        line(1, 3, order=100, product=1),
        line(2, 2, order=100, product=2),  # only 1 of product 2: order 100 cannot be filled
        line(3, 5, order=200, product=1),
    ]
    found = allocate(demands, rows, policy=ShortagePolicy.WAIT)
    assert found.waiting_orders == {100}
    assert [(r.line_id, r.stock_id, r.quantity) for r in found.reservations] == [(3, 1, 5)]
    assert [(s.line_id, s.missing, s.policy) for s in found.shortages] == [
        (2, 1, ShortagePolicy.WAIT)
    ]


def test_the_totals_by_stock_and_by_line() -> None:
    found = allocate([line(1, 4), line(2, 4)], [stock(1, 3), stock(2, 10, received=1)])
    assert found.by_stock() == {1: 3, 2: 5}
    assert found.by_line() == {1: 4, 2: 4}


candidates = st.lists(
    st.builds(
        stock,
        st.integers(1, 40),
        st.integers(0, 12),
        kind=st.sampled_from(["pick_face", "reserve"]),
        received=st.integers(0, 30),
        expiry=st.one_of(st.none(), st.integers(-5, 60)),
        product=st.integers(1, 3),
    ),
    max_size=15,
    unique_by=lambda c: c.stock_id,
)
demands = st.lists(
    st.builds(
        line,
        st.integers(1, 1000),
        st.integers(1, 20),
        order=st.integers(1, 6),
        product=st.integers(1, 3),
        fefo=st.booleans(),
    ),
    max_size=12,
    unique_by=lambda d: d.line_id,
)


@settings(max_examples=200, deadline=None)
@given(rows=candidates, wanted=demands, policy=st.sampled_from(list(ShortagePolicy)))
def test_never_more_than_is_free_and_short_only_when_nothing_is_left(
    rows: list[StockCandidate], wanted: list[Demand], policy: ShortagePolicy
) -> None:
    # One expiry-tracking flag per product, as in a real catalogue.
    fefo = {d.product_id: d.expiry_tracked for d in wanted}
    wanted = [
        Demand(d.line_id, d.order_id, d.product_id, d.quantity, fefo[d.product_id]) for d in wanted
    ]
    found = allocate(wanted, rows, policy=policy, today=DAY)
    free = {r.stock_id: r for r in rows}
    for stock_id, units in found.by_stock().items():
        row = free[stock_id]
        assert units <= row.free
        assert row.expiry is None or row.expiry >= DAY
        assert (
            row.product_id
            == {r.product_id for r in found.reservations if r.stock_id == stock_id}.pop()
        )
    by_line = found.by_line()
    missing = {s.line_id: s.missing for s in found.shortages}
    for d in wanted:
        if d.order_id in found.waiting_orders:
            assert by_line.get(d.line_id, 0) == 0
            continue
        assert by_line.get(d.line_id, 0) + missing.get(d.line_id, 0) == d.quantity
    if policy != ShortagePolicy.WAIT:
        # A line is short only once its product has nothing usable left anywhere.
        used: dict[int, int] = defaultdict(int)
        for r in found.reservations:
            used[r.stock_id] += r.quantity
        for s in found.shortages:
            left = sum(
                row.free - used[row.stock_id]
                for row in rows
                if row.product_id == s.product_id and (row.expiry is None or row.expiry >= DAY)
            )
            assert left == 0
