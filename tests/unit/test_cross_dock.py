"""What a backordered line takes of the units brought to packing: never more than it is short."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from toteflow.domain.cross_dock import (
    CROSS_DOCKABLE,
    BackorderedLine,
    cross_dock_take,
    fallback_words,
)
from toteflow.domain.orders import OrderStatus


def line(
    status: OrderStatus = OrderStatus.RELEASED, quantity: int = 5, allocated: int = 2
) -> BackorderedLine:
    return BackorderedLine("SO-7", status, 1, quantity, allocated)


def test_the_whole_leg_while_the_line_is_short_enough() -> None:
    take = cross_dock_take(line(), 3)
    assert (take.units, take.left, take.why) == (3, 0, "")
    assert fallback_words(take, "LP00000042") == ""


def test_only_the_shortfall_when_the_line_was_partly_filled_meanwhile() -> None:
    take = cross_dock_take(line(allocated=4), 3)
    assert (take.units, take.left) == (1, 2)
    assert fallback_words(take, "LP00000042") == (
        "line 1 of order SO-7 was short only 1 unit by then: 1 unit cross-docked, 2 units stay "
        "on plate LP00000042 for a normal put-away (ask for a new suggestion)"
    )


def test_nothing_for_a_filled_line_or_an_order_that_takes_nothing_more() -> None:
    assert cross_dock_take(line(allocated=5), 3).why.endswith("was filled meanwhile")
    for status in set(OrderStatus) - CROSS_DOCKABLE:
        take = cross_dock_take(line(status), 3)
        assert (take.units, take.left) == (0, 3)
        assert f"is {status.value.replace('_', ' ')} now" in fallback_words(take, "LP1")


@given(
    st.sampled_from(list(OrderStatus)),
    st.integers(1, 50),
    st.integers(0, 50),
    st.integers(1, 50),
)
def test_never_more_than_short_and_every_unit_accounted_for(
    status: OrderStatus, quantity: int, allocated: int, wanted: int
) -> None:
    allocated = min(allocated, quantity)
    take = cross_dock_take(line(status, quantity, allocated), wanted)
    assert 0 <= take.units <= quantity - allocated
    assert take.units + take.left == wanted
    assert bool(take.why) == (take.left > 0)
