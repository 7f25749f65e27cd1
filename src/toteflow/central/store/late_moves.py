"""Moves that reach the server after a count made later on the floor: its book, and absorbing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.store import tables as t
from toteflow.central.store.counts_tables import CountLine, CycleCount
from toteflow.central.store.set_based import rowcount
from toteflow.domain.ledger import LedgerMove

# Counts whose result the book took: the position was what they found at their moment.
APPLIED = ("accurate", "adjusted")


def utc(at: datetime) -> datetime:
    """In UTC: SQLite keeps no offset, so every stored moment must be in one zone to compare."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def absorb_late(session: Session, moves: Sequence[LedgerMove]) -> list[LedgerMove]:
    """Put each late move into the books of the counts made after it, and undo it where a
    count the book took came after it; the ledger rows of those undoings.

    A count's book is the position at its moment. A pick made before it that the server
    learns of afterwards (its station was offline) belongs in that book: the count's lines
    are corrected, so its variance is what it really was. If the book already took the
    count, the count found the shelf as it was after that pick, so the pick is not taken
    off again: the quantity goes back to what the count set. Counts after that one are
    untouched, since their books started from it.
    """
    stock, count = t.cols(t.Stock), t.cols(CycleCount)
    earliest = min(utc(m.at) for m in moves)
    later: dict[int, list[tuple[datetime, int, str, str]]] = {}
    for found in session.execute(
        sa.select(stock.id, count.counted_at, count.id, count.status, count.outcome)
        .join(t.table(CycleCount), count.location_id == stock.location_id)
        .where(
            stock.id.in_({m.stock_id for m in moves}),
            count.counted_at.is_not(None),
            count.counted_at > earliest,
            count.status != "cancelled",
        )
        .order_by(count.counted_at, count.id)
    ):
        later.setdefault(int(found[0]), []).append(
            (utc(found[1]), int(found[2]), found[3], found[4])
        )
    if not later:
        return []
    corrections = []
    for move in moves:
        for counted_at, count_id, status, outcome in later.get(move.stock_id, []):
            if counted_at <= utc(move.at):
                continue
            _into_book(session, count_id, move)
            if status == "closed" and outcome in APPLIED:
                if _undo(session, move):
                    corrections.append(
                        LedgerMove(
                            move.stock_id,
                            -move.delta,
                            counted_at,
                            "count_absorbed",
                            f"count {count_id}",
                        )
                    )
                break
    return corrections


def _into_book(session: Session, count_id: int, move: LedgerMove) -> None:
    stock, line, count = t.cols(t.Stock), t.cols(CountLine), t.cols(CycleCount)
    position = sa.select(stock.product_id, stock.lot, stock.expiry).where(stock.id == move.stock_id)
    product_id, lot, expiry = session.execute(position).one()
    same_expiry = line.expiry.is_(None) if expiry is None else line.expiry == expiry
    session.execute(
        sa.update(t.table(CountLine))
        .where(
            line.count_id == count_id,
            line.product_id == product_id,
            line.lot == lot,
            same_expiry,
        )
        .values(book=line.book + move.delta)
    )
    off = sa.select(sa.func.coalesce(sa.func.sum(sa.func.abs(line.counted - line.book)), 0)).where(
        line.count_id == count_id
    )
    units = int(session.execute(off).scalar_one())
    values: dict[str, object] = {"variance_units": units}
    settled = sa.select(count.status, count.outcome).where(count.id == count_id)
    status, outcome = session.execute(settled).one()
    if status == "closed" and outcome in APPLIED:
        values["outcome"] = "accurate" if units == 0 else "adjusted"
    session.execute(sa.update(t.table(CycleCount)).where(count.id == count_id).values(values))


def _undo(session: Session, move: LedgerMove) -> bool:
    stock = t.cols(t.Stock)
    # Guarded: undoing a late arrival never takes on-hand below what is reserved.
    undone = session.execute(
        sa.update(t.table(t.Stock))
        .where(
            stock.id == move.stock_id,
            stock.quantity - move.delta >= stock.reserved,
            stock.quantity - move.delta >= 0,
        )
        .values(quantity=stock.quantity - move.delta, version=stock.version + 1)
    )
    return rowcount(undone) == 1
