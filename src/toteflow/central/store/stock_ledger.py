"""The stock-move ledger: every path that changes a stock quantity records it here, once."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.store import tables as t
from toteflow.central.store.counts_tables import StockMove
from toteflow.central.store.late_moves import absorb_late, utc
from toteflow.domain.ledger import LedgerMove


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
    session.execute(_insert_move(), [row(m, now) for m in moves])
    corrections = absorb_late(session, moves)
    if corrections:
        session.execute(_insert_move(), [row(m, now) for m in corrections])


def row(move: LedgerMove, now: datetime) -> dict[str, Any]:
    return {
        "sid": move.stock_id,
        "delta": move.delta,
        "at": utc(move.at),
        "posted": now,
        "kind": move.kind[:20],
        "ref": move.reference[:80],
    }


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
