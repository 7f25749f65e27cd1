"""How many of a plate's cross-dock units a backordered order line still takes, and why not all."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.orders import OrderStatus
from toteflow.domain.words import plural

# Orders whose short lines a receipt may fill at packing: released with a backorder, being
# picked, or picked and waiting at packing for the rest. A received order is allocated by a
# wave; one on hold, packed, shipped or cancelled takes nothing more.
CROSS_DOCKABLE = frozenset(
    {OrderStatus.ALLOCATED, OrderStatus.RELEASED, OrderStatus.PICKING, OrderStatus.PICKED}
)


@dataclass(frozen=True)
class BackorderedLine:
    """An order line as it stands when its cross-dock is confirmed (read under its lock)."""

    order: str
    order_status: OrderStatus
    line_no: int
    quantity: int
    allocated: int

    @property
    def short(self) -> int:
        return max(0, self.quantity - self.allocated)


@dataclass(frozen=True)
class CrossDockTake:
    """`units` go to the order (allocated and counted as picked at packing); `left` stay on
    the plate for a normal put-away, and `why` says so ("" when the order takes them all)."""

    units: int
    left: int
    why: str = ""


def cross_dock_take(line: BackorderedLine, wanted: int) -> CrossDockTake:
    """What of `wanted` units the line takes now: never more than it is still short."""
    if line.order_status not in CROSS_DOCKABLE:
        state = line.order_status.value.replace("_", " ")
        return CrossDockTake(0, wanted, f"order {line.order} is {state} now")
    units = min(wanted, line.short)
    if units == wanted:
        return CrossDockTake(units, 0)
    if units == 0:
        return CrossDockTake(
            0, wanted, f"line {line.line_no} of order {line.order} was filled meanwhile"
        )
    return CrossDockTake(
        units,
        wanted - units,
        f"line {line.line_no} of order {line.order} was short only {plural(units, 'unit')} by then",
    )


def fallback_words(take: CrossDockTake, plate: str) -> str:
    """The sentence for the receiver when some units do not go to the order after all."""
    if not take.why:
        return ""
    done = (
        f"{plural(take.units, 'unit')} cross-docked, " if take.units else "nothing cross-docked; "
    )
    return (
        f"{take.why}: {done}{plural(take.left, 'unit')} stay on plate {plate} for a normal "
        "put-away (ask for a new suggestion)"
    )
