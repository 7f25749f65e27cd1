"""Units whose pick the server refused, put back on a shelf: the stock move that follows."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.tasks import FloorRefusal

PUT_BACK = "stock.put_back"
# Only a refused pick leaves units in a tote that the server's books never moved.
PUTS_BACK = "pick.confirmed"


@dataclass(frozen=True)
class PutBack:
    """A picker put `quantity` units of a refused pick at `location` (a scanned label)."""

    refused_event: str
    task_line_id: int
    quantity: int
    location: str


@dataclass(frozen=True)
class RefusedPick:
    """What the server holds about the refused event, and the shelf the units came from."""

    exception_id: int
    event_type: str
    task_line_id: int | None
    quantity: int
    # The put-back event already applied for this refusal, "" when none.
    put_back_by: str
    source_location: str
    source_quantity: int
    source_reserved: int


@dataclass(frozen=True)
class StockMove:
    take_from_source: int
    add_to_target: int


def plan(put: PutBack, refused: RefusedPick, *, target_exists: bool) -> StockMove:
    """The stock move of a put-back, or FloorRefusal having changed nothing.

    The refused pick never left the server's books: the units still count at the shelf
    they came from. Back on that shelf, nothing moves. Elsewhere, they leave their shelf
    (never into what is reserved there, never below zero: if the books had less than the
    picker held, the shelf is simply empty now) and count where they were put.
    """
    if refused.event_type != PUTS_BACK:
        raise FloorRefusal(
            f"the refused event is a {refused.event_type}: it left nothing to put back"
        )
    if refused.put_back_by:
        raise FloorRefusal(f"these units were put back already (event {refused.put_back_by})")
    if refused.task_line_id != put.task_line_id:
        raise FloorRefusal(
            f"the refused pick was for task line {refused.task_line_id}, not {put.task_line_id}"
        )
    if put.quantity != refused.quantity:
        raise FloorRefusal(
            f"the refused pick held {refused.quantity} units: put back all {refused.quantity}"
        )
    if not target_exists:
        raise FloorRefusal(f"there is no location {put.location}: put the units on a shelf")
    if put.location == refused.source_location:
        return StockMove(0, 0)
    free = max(0, refused.source_quantity - refused.source_reserved)
    return StockMove(min(put.quantity, free), put.quantity)
