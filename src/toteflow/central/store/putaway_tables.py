"""Put-away tables: license plates and the space put-away suggestions reserve."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from toteflow.central.store.tables import _one_of, _ts

PLATE_STATUSES = ("received", "putting_away", "stored", "held", "rejected")


class Plate(SQLModel, table=True):
    """A license plate (a pallet's SSCC or our own LP label) and the one SKU and lot on it."""

    __tablename__ = "plate"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", PLATE_STATUSES), name="status"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("remaining >= 0 AND remaining <= quantity", name="remaining_range"),
        sa.Index("ix_plate_status", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    status: str = Field(default="received", max_length=14)
    location_id: int = Field(foreign_key="location.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    quantity: int  # received onto the plate
    remaining: int  # still on it (not yet put away, not written off)
    hold_reason: str = Field(default="", max_length=200)
    received_at: datetime = _ts()
    put_away_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    version: int = 0


class LocationReservation(SQLModel, table=True):
    """Space a put-away suggestion promised a plate at a location, until `expires_at`."""

    __tablename__ = "location_reservation"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    plate_id: int = Field(foreign_key="plate.id", index=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    # A cross-dock: units promised to this backordered order line (at a packing location).
    order_line_id: int | None = Field(default=None, foreign_key="order_line.id")
    quantity: int
    volume_mm3: int = Field(default=0, sa_type=sa.BigInteger)
    weight_g: int = Field(default=0, sa_type=sa.BigInteger)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    created_at: datetime = _ts()
