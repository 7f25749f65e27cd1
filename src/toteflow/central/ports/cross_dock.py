"""What a confirmed cross-dock needs of the store: the backordered line locked, its units given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from toteflow.domain.cross_dock import BackorderedLine


@dataclass(frozen=True)
class LockedLine:
    """A backordered order line and its order, both rows locked until the transaction ends."""

    order_id: int
    order_line_id: int
    product_id: int
    priority: int
    # The wave that released the order (its latest), for the cross-dock's task; None if none.
    wave_id: int | None
    line: BackorderedLine


@dataclass(frozen=True)
class CrossDocked:
    """Units of a receipt given to an order line at a packing location."""

    location_id: int
    lot: str
    expiry: date | None
    units: int
    user_id: int | None
    station_id: int | None
    # For the ledger: the plate the units came off.
    plate: str = ""


class CrossDockRepo(Protocol):
    def lock_line(self, order_line_id: int) -> LockedLine | None:
        """The line and its order, the order's row locked first (as a cancel takes it), then
        the line's: two receivers filling one line, or a cancel, wait for each other."""
        ...

    def allocate_picked(self, line: LockedLine, given: CrossDocked) -> int:
        """The units, already at the packing location, allocated to the line and counted as
        picked there, as a wave's pick would: a finished task with one picked line (the
        allocation's record), the line's allocated and picked raised, the stock row there
        lowered as a pick lowers it, the order's status worked out from its task lines as a
        push does. Raises Conflict when the line has not that many units short, or the stock
        row not that many free (nothing is then changed by the caller's transaction). The
        task's id."""
        ...
