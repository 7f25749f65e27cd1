"""A stock move as the ledger records it, and the book quantity at a moment from the moves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LedgerMove:
    """A change of one stock position's quantity, when it happened on the floor, and why.

    `kind` says what moved it (pick, pick_undone, put_back, cross_dock, putaway, received,
    import, count, an adjustment's reason); `reference` names the event, plate or note.
    """

    stock_id: int
    delta: int
    at: datetime
    kind: str
    reference: str = ""


@dataclass(frozen=True)
class DatedDelta:
    """A recorded move of a position as a count needs it: how much, and when it happened."""

    delta: int
    at: datetime


def book_at(current: int, moves: Iterable[DatedDelta], moment: datetime) -> int:
    """The position's quantity at `moment`: what it holds now less every move made after.

    Moves are dated by when they happened, not when the server learnt them, so a pick that
    reaches the server after a count still belongs before it, and one made after the count
    never lowers the count's book, whichever order the events arrived in.
    """
    return current - sum(move.delta for move in moves if move.at > moment)
