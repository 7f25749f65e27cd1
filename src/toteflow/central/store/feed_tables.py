"""The change feed's tables: the counter that numbers it and the changes stations pull."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from toteflow.central.store.tables import _ts


class FeedClock(SQLModel, table=True):
    """One row whose counter numbers the change feed; its row lock orders the feed by commit."""

    __tablename__ = "feed_clock"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)


class Change(SQLModel, table=True):
    """The change feed stations pull: assignments, cancellations, catalogue updates."""

    __tablename__ = "change"
    __table_args__ = (sa.Index("ix_change_station_seq", "station_id", "seq"),)

    seq: int = Field(primary_key=True, sa_type=sa.BigInteger)
    at: datetime = _ts()
    kind: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=64)
    # None: every station; else only this one (e.g. a task assigned to it).
    station_id: int | None = Field(default=None, foreign_key="station.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
