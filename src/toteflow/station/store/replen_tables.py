"""The replenisher's table: open replenishments as the feed told them, with this station's steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from toteflow.station.store.tables import StationTable, _json, _one_of, _ts

LOCAL_STEPS = ("", "taken", "placed", "short")


class CachedReplenishment(StationTable, table=True):
    """A replenishment: where from, what, how many, where to; `step` is how far it got here."""

    __tablename__ = "replenishment"
    __table_args__ = (
        sa.CheckConstraint(_one_of("step", LOCAL_STEPS), name="step"),
        sa.Index("ix_replenishment_status", "status", "id"),
    )

    id: int = Field(primary_key=True)
    status: str = Field(max_length=10)
    location: str = Field(max_length=40)
    sku: str = Field(max_length=64)
    description: str = Field(default="", max_length=200)
    source: str = Field(max_length=40)
    plate: str | None = Field(default=None, max_length=40)
    lot: str = Field(default="", max_length=40)
    quantity: int
    before_task_id: int | None = None
    # The product's barcodes and the units each counts.
    barcodes: dict[str, Any] = _json()
    # This station's progress, recorded with the step's outbox event (offline too).
    step: str = Field(default="", max_length=8)
    taken: int = 0
    user_id: int | None = None
    updated_at: datetime = _ts()
