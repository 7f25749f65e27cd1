"""Units a tote holds for no order, put back on a shelf: the stock move that follows.

Two ways to get there: the server refused the pick (its books never moved the units), or
the order was cancelled after the pick was applied (its books took them off their shelf).
"""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.tasks import FloorRefusal

PUT_BACK = "stock.put_back"
# Only a refused pick leaves units in a tote that the server's books never moved.
PUTS_BACK = "pick.confirmed"
# The server's exception for units picked before their order was cancelled.
CANCELLED_PICK = "put_back_cancelled"


@dataclass(frozen=True)
class PutBack:
    """A picker put `quantity` units at `location` (a scanned label): those of a refused
    pick (`refused_event`) or of a pick whose order was cancelled (`exception_id`)."""

    refused_event: str
    task_line_id: int
    quantity: int
    location: str
    exception_id: int | None = None


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
    # The pick was applied before its order was cancelled: the units are off the books.
    off_the_books: bool = False


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

    A pick applied before its order was cancelled took the units off their shelf already:
    they only count again where they were put (their own shelf too), never taken twice.
    """
    if not refused.off_the_books and refused.event_type != PUTS_BACK:
        raise FloorRefusal(
            f"the refused event is a {refused.event_type}: it left nothing to put back"
        )
    if refused.put_back_by:
        raise FloorRefusal(f"these units were put back already (event {refused.put_back_by})")
    what = "the cancelled pick" if refused.off_the_books else "the refused pick"
    if refused.task_line_id != put.task_line_id:
        raise FloorRefusal(
            f"{what} was for task line {refused.task_line_id}, not {put.task_line_id}"
        )
    if put.quantity != refused.quantity:
        raise FloorRefusal(f"{what} held {refused.quantity} units: put back all {refused.quantity}")
    if not target_exists:
        raise FloorRefusal(f"there is no location {put.location}: put the units on a shelf")
    if refused.off_the_books:
        return StockMove(0, put.quantity)
    if put.location == refused.source_location:
        return StockMove(0, 0)
    free = max(0, refused.source_quantity - refused.source_reserved)
    return StockMove(min(put.quantity, free), put.quantity)
