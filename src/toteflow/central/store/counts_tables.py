"""Stock-move ledger and cycle-count tables: every quantity change, and counts of locations."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from toteflow.central.store.tables import _one_of, _ts

COUNT_STATUSES = ("open", "awaiting_approval", "closed", "cancelled")
# The statuses a location may have only one count in: the partial unique index's condition.
LIVE_COUNT = "status IN ('open', 'awaiting_approval')"
COUNT_REASONS = ("schedule", "empty", "short", "putaway_conflict", "request", "recount")
COUNT_OUTCOMES = ("", "accurate", "adjusted", "recounted", "rejected", "cancelled")


class StockMove(SQLModel, table=True):
    """One change of a stock position's quantity: the ledger variances are computed from.

    `at` is when the move happened on the floor (a station event's own time), `posted_at`
    when the server learnt it: a count's book is the position at its `at`, whatever order
    the events arrived in.
    """

    __tablename__ = "stock_move"
    __table_args__ = (
        sa.CheckConstraint("delta <> 0", name="delta_not_zero"),
        sa.Index("ix_stock_move_location_at", "location_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    stock_id: int = Field(foreign_key="stock.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    product_id: int = Field(foreign_key="product.id", index=True)
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    delta: int
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    posted_at: datetime = _ts()
    kind: str = Field(max_length=20)
    reference: str = Field(default="", max_length=80)


class CycleCount(SQLModel, table=True):
    """A count of one location: why, who counted (blind), and what became of its variance."""

    __tablename__ = "cycle_count"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", COUNT_STATUSES), name="status"),
        sa.CheckConstraint(_one_of("reason", COUNT_REASONS), name="reason"),
        sa.CheckConstraint(_one_of("outcome", COUNT_OUTCOMES), name="outcome"),
        # At most one live count per location, whatever triggers fire at once.
        sa.Index(
            "uq_cycle_count_live_location",
            "location_id",
            unique=True,
            sqlite_where=sa.text(LIVE_COUNT),
            postgresql_where=sa.text(LIVE_COUNT),
        ),
        sa.Index("ix_cycle_count_status", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    status: str = Field(default="open", max_length=20)
    reason: str = Field(max_length=20)
    reference: str = Field(default="", max_length=80)
    created_at: datetime = _ts()
    # A recount: the count it repeats, and the person who must not do it.
    recount_of: int | None = Field(default=None, foreign_key="cycle_count.id")
    not_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    counter_id: int | None = Field(default=None, foreign_key="app_user.id")
    station_id: int | None = Field(default=None, foreign_key="station.id")
    event_id: str | None = Field(default=None, max_length=36, unique=True)
    counted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    posted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    variance_units: int = 0
    outcome: str = Field(default="", max_length=12)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    note: str = Field(default="", max_length=200)


class CountLine(SQLModel, table=True):
    """What a count found of one position; `book` is filled on the server, never sent out."""

    __tablename__ = "count_line"
    __table_args__ = (sa.CheckConstraint("counted >= 0", name="counted_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    count_id: int = Field(foreign_key="cycle_count.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    counted: int = 0
    book: int = 0
