"""Order states and the transitions between them, with a reason for every refusal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrderStatus(StrEnum):
    RECEIVED = "received"
    ALLOCATED = "allocated"
    RELEASED = "released"
    PICKING = "picking"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


# The forward flow; hold, release-from-hold and cancel are handled separately below.
_FORWARD: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RECEIVED: frozenset({OrderStatus.ALLOCATED}),
    OrderStatus.ALLOCATED: frozenset({OrderStatus.RELEASED, OrderStatus.RECEIVED}),
    OrderStatus.RELEASED: frozenset({OrderStatus.PICKING, OrderStatus.ALLOCATED}),
    OrderStatus.PICKING: frozenset({OrderStatus.PICKED}),
    OrderStatus.PICKED: frozenset({OrderStatus.PACKED}),
    OrderStatus.PACKED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset(),
    OrderStatus.ON_HOLD: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# Once a picker has the goods in hand, holding the order would strand them in a tote.
HOLDABLE = frozenset({OrderStatus.RECEIVED, OrderStatus.ALLOCATED, OrderStatus.RELEASED})
# Lines may change only while nothing has been picked against them.
LINES_EDITABLE = frozenset({OrderStatus.RECEIVED, OrderStatus.ALLOCATED})
CANCELLABLE = frozenset(
    {
        OrderStatus.RECEIVED,
        OrderStatus.ALLOCATED,
        OrderStatus.RELEASED,
        OrderStatus.PICKING,
        OrderStatus.PICKED,
        OrderStatus.ON_HOLD,
    }
)


class IllegalTransition(Exception):
    """The order cannot move as asked; str() is a sentence for the person who asked."""


@dataclass(frozen=True)
class Move:
    """The outcome of a legal transition: the new status and what to remember for a hold."""

    status: OrderStatus
    held_from: OrderStatus | None


def advance(current: OrderStatus, target: OrderStatus) -> Move:
    """Move along the normal flow (allocate, release, pick, pack, ship)."""
    if current == OrderStatus.CANCELLED:
        raise IllegalTransition("the order is cancelled")
    if current == OrderStatus.ON_HOLD:
        raise IllegalTransition(f"the order is on hold: release the hold before it can be {target}")
    if target not in _FORWARD[current]:
        raise IllegalTransition(f"an order that is {_say(current)} cannot become {_say(target)}")
    return Move(target, None)


def hold(current: OrderStatus) -> Move:
    """Put an order on hold, remembering where it stood."""
    if current == OrderStatus.ON_HOLD:
        raise IllegalTransition("the order is already on hold")
    if current not in HOLDABLE:
        raise IllegalTransition(f"an order that is {_say(current)} cannot be put on hold")
    return Move(OrderStatus.ON_HOLD, current)


def release_hold(current: OrderStatus, held_from: OrderStatus | None) -> Move:
    """Take an order off hold, back to the status it was held from."""
    if current != OrderStatus.ON_HOLD:
        raise IllegalTransition(f"the order is not on hold (it is {_say(current)})")
    return Move(held_from or OrderStatus.RECEIVED, None)


def cancel(current: OrderStatus) -> Move:
    """Cancel an order; once packed or shipped it is too late."""
    if current == OrderStatus.CANCELLED:
        raise IllegalTransition("the order is already cancelled")
    if current not in CANCELLABLE:
        raise IllegalTransition(f"an order that is {_say(current)} cannot be cancelled")
    return Move(OrderStatus.CANCELLED, None)


def check_lines_editable(current: OrderStatus, held_from: OrderStatus | None) -> None:
    """Refuse a line change once picking may have started."""
    effective = held_from if current == OrderStatus.ON_HOLD and held_from else current
    if effective not in LINES_EDITABLE:
        raise IllegalTransition(
            f"lines of an order that is {_say(current)} cannot change: "
            "only received or allocated orders can"
        )


def _say(status: OrderStatus) -> str:
    return status.value.replace("_", " ")
