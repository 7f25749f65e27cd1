"""The stock-move ledger: every path that changes a stock quantity records it here, once."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.store import tables as t
from toteflow.central.store.counts_tables import CycleCount, StockMove
from toteflow.central.store.set_based import rowcount
from toteflow.domain.stock_moves import LedgerMove

# Counts whose result the book took: the position was what they found at their moment.
_APPLIED = ("accurate", "adjusted")


def utc(at: datetime) -> datetime:
    """In UTC: SQLite keeps no offset, so every stored moment must be in one zone to compare."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def record_moves(session: Session, moves: Sequence[LedgerMove]) -> None:
    """Write one ledger row per move, its position copied from the stock row it moved.

    Called in the transaction that moved the stock, after the move: the row and its ledger
    entry commit together or not at all. A move that happened before a count the book has
    already taken, but reached the server after it (a station offline), is absorbed: the
    count found the position as it was after that move, so the quantity goes back to what
    the count set, with a ledger row saying so, and the move is never counted twice.
    """
    moves = [m for m in moves if m.delta]
    if not moves:
        return
    now = t.utcnow()
    session.execute(_insert_move(), [_row(m, now) for m in moves])
    _absorb_late(session, moves, now)


def _row(move: LedgerMove, now: datetime) -> dict[str, Any]:
    return {
        "sid": move.stock_id,
        "delta": move.delta,
        "at": utc(move.at),
        "posted": now,
        "kind": move.kind[:20],
        "ref": move.reference[:80],
    }


def _absorb_late(session: Session, moves: Sequence[LedgerMove], now: datetime) -> None:
    stock, count = t.cols(t.Stock), t.cols(CycleCount)
    earliest = min(utc(m.at) for m in moves)
    applied: dict[int, list[tuple[datetime, int]]] = {}
    for stock_id, counted_at, count_id in session.execute(
        sa.select(stock.id, count.counted_at, count.id)
        .join(t.table(CycleCount), count.location_id == stock.location_id)
        .where(
            stock.id.in_({m.stock_id for m in moves}),
            count.status == "closed",
            count.outcome.in_(_APPLIED),
            count.counted_at > earliest,
        )
        .order_by(count.counted_at)
    ):
        applied.setdefault(int(stock_id), []).append((utc(counted_at), int(count_id)))
    corrections = []
    for move in moves:
        later = [c for c in applied.get(move.stock_id, []) if c[0] > utc(move.at)]
        if not later:
            continue
        counted_at, count_id = later[0]
        # Guarded: a late arrival never takes on-hand below what is reserved.
        undone = session.execute(
            sa.update(t.table(t.Stock))
            .where(
                stock.id == move.stock_id,
                stock.quantity - move.delta >= stock.reserved,
                stock.quantity - move.delta >= 0,
            )
            .values(quantity=stock.quantity - move.delta, version=stock.version + 1)
        )
        if rowcount(undone) == 1:
            late = LedgerMove(
                move.stock_id, -move.delta, counted_at, "count_absorbed", f"count {count_id}"
            )
            corrections.append(_row(late, now))
    if corrections:
        session.execute(_insert_move(), corrections)


@functools.cache
def _insert_move() -> Any:
    stock, move = t.cols(t.Stock), t.table(StockMove)
    source = sa.select(
        stock.id,
        stock.location_id,
        stock.product_id,
        stock.lot,
        stock.expiry,
        sa.bindparam("delta", type_=sa.Integer),
        sa.bindparam("at", type_=sa.DateTime(timezone=True)),
        sa.bindparam("posted", type_=sa.DateTime(timezone=True)),
        sa.bindparam("kind", type_=sa.String),
        sa.bindparam("ref", type_=sa.String),
    ).where(stock.id == sa.bindparam("sid"))
    names = [
        "stock_id",
        "location_id",
        "product_id",
        "lot",
        "expiry",
        "delta",
        "at",
        "posted_at",
        "kind",
        "reference",
    ]
    return sa.insert(move).from_select(names, source)
