"""A confirmed cross-dock: the backordered line locked, its units allocated and picked."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.central.ports.cross_dock import CrossDocked, LockedLine
from toteflow.central.ports.putaway import PlateRow, StoredLocation
from toteflow.central.ports.repos import UnitOfWork
from toteflow.domain.actor import Actor
from toteflow.domain.cross_dock import CrossDockTake, cross_dock_take, fallback_words
from toteflow.domain.words import plural

ORDER_CROSS_DOCKED = "order.cross_docked"


@dataclass(frozen=True)
class Claimed:
    """What the line takes of the units brought to packing, read under the line's lock."""

    line: LockedLine | None
    take: CrossDockTake
    order: str | None

    @property
    def units(self) -> int:
        return self.take.units

    def fallback(self, plate: str) -> str | None:
        return fallback_words(self.take, plate) or None


def claim(uow: UnitOfWork, order_line_id: int, wanted: int) -> Claimed:
    """Lock the order and its line and say how many of `wanted` units it still takes.

    Under the lock a second receiver's confirmation to the same line (or a cancel) waits for
    this transaction, then reads the line's allocation as this one left it: two cross-docks
    never give a line more than it was short. Nothing is written.
    """
    line = uow.cross_dock.lock_line(order_line_id)
    if line is None:
        return Claimed(None, CrossDockTake(0, wanted, "the order line is gone"), None)
    return Claimed(line, cross_dock_take(line.line, wanted), line.line.order)


def give(
    uow: UnitOfWork, actor: Actor, claimed: Claimed, plate: PlateRow, target: StoredLocation
) -> None:
    """The claimed units, just put at `target`, allocated and picked for the order there;
    audited on the order and told to stations with the order as the pack desk sees it."""
    line = claimed.line
    assert line is not None
    assert claimed.units > 0
    task_id = uow.cross_dock.allocate_picked(
        line,
        CrossDocked(
            location_id=target.id,
            lot=plate.lot,
            expiry=plate.expiry,
            units=claimed.units,
            user_id=actor.user_id,
            station_id=actor.station_id,
            plate=plate.code,
        ),
    )
    after = uow.orders.get(line.line.order)
    status = after.status.value if after is not None else line.line.order_status.value
    detail = {
        "plate": plate.code,
        "location": target.code,
        "sku": plate.sku,
        "lot": plate.lot,
        "line_no": line.line.line_no,
        "units": claimed.units,
        "short_before": line.line.short,
        "task_id": task_id,
        "from": line.line.order_status.value,
        "to": status,
    }
    uow.audit.record(actor, ORDER_CROSS_DOCKED, "order", line.line.order, detail)
    pack = uow.shipments.pack_order(line.line.order)
    uow.feed.add_change(
        ORDER_CROSS_DOCKED,
        "order",
        line.line.order,
        {
            "reference": line.line.order,
            **detail,
            "words": (
                f"{plural(claimed.units, 'unit')} of {plate.sku} cross-docked to "
                f"{target.code} for order {line.line.order}"
            ),
            "pack_order": pack.model_dump(mode="json") if pack is not None else None,
        },
    )
