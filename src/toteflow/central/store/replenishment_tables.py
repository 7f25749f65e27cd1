"""Replenishment tables: each pick face's min/max per SKU, and the replenishments made."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from toteflow.central.store.tables import _one_of, _ts
from toteflow.domain.replenishment import OPEN_STATUSES, ReplenStatus, Trigger

REPLEN_STATUSES = tuple(s.value for s in ReplenStatus)
TRIGGERS = tuple(t.value for t in Trigger)
OPEN_WHERE = _one_of("status", OPEN_STATUSES)


class FaceLimit(SQLModel, table=True):
    """A pick face's minimum and maximum of one SKU (base units)."""

    __tablename__ = "face_limit"
    __table_args__ = (
        sa.UniqueConstraint("location_id", "product_id"),
        sa.CheckConstraint("minimum >= 0", name="minimum_not_negative"),
        sa.CheckConstraint("maximum > 0", name="maximum_positive"),
        sa.CheckConstraint("minimum <= maximum", name="minimum_within_maximum"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    product_id: int = Field(foreign_key="product.id", index=True)
    minimum: int
    maximum: int
    updated_at: datetime = _ts()


class Replenishment(SQLModel, table=True):
    """Units to bring from a source stock row to a pick face; at most one open per face and SKU."""

    __tablename__ = "replenishment"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", REPLEN_STATUSES), name="status"),
        sa.CheckConstraint(_one_of("trigger", TRIGGERS), name="trigger"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("moved >= 0", name="moved_not_negative"),
        # The idempotent key: whatever fires at once, one open replenishment per face and SKU.
        sa.Index(
            "uq_replenishment_open",
            "location_id",
            "product_id",
            unique=True,
            sqlite_where=sa.text(OPEN_WHERE),
            postgresql_where=sa.text(OPEN_WHERE),
        ),
        sa.Index("ix_replenishment_status", "status", "priority", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    product_id: int = Field(foreign_key="product.id")
    source_stock_id: int = Field(foreign_key="stock.id", index=True)
    plate_id: int | None = Field(default=None, foreign_key="plate.id")
    quantity: int  # reserved at the source for this replenishment
    moved: int = 0  # units placed on the face
    status: str = Field(default="open", max_length=10)
    trigger: str = Field(max_length=10)
    # Released with a wave: the wave, and the first of its tasks that picks at this face.
    wave_id: int | None = Field(default=None, foreign_key="wave.id")
    before_task_id: int | None = Field(default=None, foreign_key="task.id")
    priority: int = 5
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    station_id: int | None = Field(default=None, foreign_key="station.id")
    created_at: datetime = _ts()
    done_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
