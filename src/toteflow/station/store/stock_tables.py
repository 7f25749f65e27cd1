"""The station's copy of stock answers: positions seen, locations known whole, plates seen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from toteflow.station.store.tables import StationTable, _json, _ts


class SeenPlaceRow(StationTable, table=True):
    """A location whose whole contents an inquiry answered; its storage attributes as JSON."""

    __tablename__ = "stock_place"

    code: str = Field(primary_key=True, max_length=64)
    location: dict[str, Any] = _json()
    seen_at: datetime = _ts()


class SeenPositionRow(StationTable, table=True):
    """A stock position as the server last said, or as this station moved it since."""

    __tablename__ = "stock_seen"
    __table_args__ = (sa.Index("ix_stock_seen_position", "location", "sku", "lot", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    location: str = Field(max_length=64)
    location_kind: str = Field(default="", max_length=20)
    sku: str = Field(max_length=64, index=True)
    description: str = Field(default="", max_length=200)
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    quantity: int = 0
    reserved: int = 0
    plates: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    seen_at: datetime = _ts()


class SeenPlateRow(StationTable, table=True):
    __tablename__ = "plate_seen"

    code: str = Field(primary_key=True, max_length=40)
    status: str = Field(max_length=20)
    location: str = Field(max_length=64)
    sku: str = Field(max_length=64)
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    quantity: int = 0
    seen_at: datetime = _ts()
