"""The order state machine: every legal move, and every illegal one refused with its reason."""

from __future__ import annotations

import pytest

from toteflow.domain import orders as rules
from toteflow.domain.orders import IllegalTransition, Move, OrderStatus

S = OrderStatus

# The normal flow, written out by hand rather than read from the module under test.
FORWARD = {
    (S.RECEIVED, S.ALLOCATED),
    (S.ALLOCATED, S.RELEASED),
    (S.ALLOCATED, S.RECEIVED),  # de-allocate
    (S.RELEASED, S.PICKING),
    (S.RELEASED, S.ALLOCATED),  # pull back from the floor before picking starts
    (S.PICKING, S.PICKED),
    (S.PICKED, S.PACKED),
    (S.PACKED, S.SHIPPED),
}
HOLDABLE = {S.RECEIVED, S.ALLOCATED, S.RELEASED}
CANCELLABLE = {S.RECEIVED, S.ALLOCATED, S.RELEASED, S.PICKING, S.PICKED, S.ON_HOLD}
LINES_EDITABLE = {S.RECEIVED, S.ALLOCATED}


def say(status: OrderStatus) -> str:
    return status.value.replace("_", " ")


@pytest.mark.parametrize(("current", "target"), sorted(FORWARD))
def test_legal_forward_moves(current: OrderStatus, target: OrderStatus) -> None:
    assert rules.advance(current, target) == Move(target, None)


@pytest.mark.parametrize("current", list(S))
def test_illegal_forward_moves_are_refused_with_a_reason(current: OrderStatus) -> None:
    for target in S:
        if (current, target) in FORWARD:
            continue
        with pytest.raises(IllegalTransition) as refused:
            rules.advance(current, target)
        if current == S.CANCELLED:
            expected = "the order is cancelled"
        elif current == S.ON_HOLD:
            expected = f"the order is on hold: release the hold before it can be {target}"
        else:
            expected = f"an order that is {say(current)} cannot become {say(target)}"
        assert str(refused.value) == expected


@pytest.mark.parametrize("current", list(S))
def test_hold(current: OrderStatus) -> None:
    if current in HOLDABLE:
        assert rules.hold(current) == Move(S.ON_HOLD, current)
        return
    with pytest.raises(IllegalTransition) as refused:
        rules.hold(current)
    if current == S.ON_HOLD:
        assert str(refused.value) == "the order is already on hold"
    else:
        assert str(refused.value) == f"an order that is {say(current)} cannot be put on hold"


@pytest.mark.parametrize("held_from", sorted(HOLDABLE))
def test_releasing_a_hold_returns_to_where_the_order_stood(held_from: OrderStatus) -> None:
    move = rules.hold(held_from)
    assert rules.release_hold(move.status, move.held_from) == Move(held_from, None)


def test_a_hold_with_no_memory_releases_to_received() -> None:
    assert rules.release_hold(S.ON_HOLD, None) == Move(S.RECEIVED, None)


@pytest.mark.parametrize("current", [s for s in S if s != S.ON_HOLD])
def test_only_a_held_order_can_be_released(current: OrderStatus) -> None:
    with pytest.raises(IllegalTransition) as refused:
        rules.release_hold(current, None)
    assert str(refused.value) == f"the order is not on hold (it is {say(current)})"


@pytest.mark.parametrize("current", list(S))
def test_cancel(current: OrderStatus) -> None:
    if current in CANCELLABLE:
        assert rules.cancel(current) == Move(S.CANCELLED, None)
        return
    with pytest.raises(IllegalTransition) as refused:
        rules.cancel(current)
    if current == S.CANCELLED:
        assert str(refused.value) == "the order is already cancelled"
    else:
        assert str(refused.value) == f"an order that is {say(current)} cannot be cancelled"


@pytest.mark.parametrize("current", [s for s in S if s != S.ON_HOLD])
def test_lines_change_only_before_picking(current: OrderStatus) -> None:
    if current in LINES_EDITABLE:
        rules.check_lines_editable(current, None)
        return
    with pytest.raises(IllegalTransition) as refused:
        rules.check_lines_editable(current, None)
    assert str(refused.value) == (
        f"lines of an order that is {say(current)} cannot change: "
        "only received or allocated orders can"
    )


@pytest.mark.parametrize("held_from", sorted(HOLDABLE))
def test_a_held_orders_lines_follow_where_it_was_held_from(held_from: OrderStatus) -> None:
    if held_from in LINES_EDITABLE:
        rules.check_lines_editable(S.ON_HOLD, held_from)
        return
    with pytest.raises(IllegalTransition, match="lines of an order that is on hold cannot change"):
        rules.check_lines_editable(S.ON_HOLD, held_from)


def test_terminal_states_lead_nowhere() -> None:
    for end in (S.SHIPPED, S.CANCELLED):
        for target in S:
            with pytest.raises(IllegalTransition):
                rules.advance(end, target)
        with pytest.raises(IllegalTransition):
            rules.hold(end)
        with pytest.raises(IllegalTransition):
            rules.cancel(end)


def test_the_whole_happy_path() -> None:
    status = S.RECEIVED
    for target in (S.ALLOCATED, S.RELEASED, S.PICKING, S.PICKED, S.PACKED, S.SHIPPED):
        status = rules.advance(status, target).status
    assert status == S.SHIPPED
