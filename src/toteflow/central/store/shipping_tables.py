"""Shipping tables: SSCC counters and blocks, shipments and their boxes, manifests, webhooks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from toteflow.central.store.tables import _one_of, _ts

SHIPMENT_STATUSES = ("open", "packed", "shipped")
DELIVERY_STATUSES = ("pending", "delivered")


class SsccCounter(SQLModel, table=True):
    """The next SSCC serial reference per company prefix: only ever moves up."""

    __tablename__ = "sscc_counter"
    __table_args__ = (sa.CheckConstraint("next_serial >= 0", name="serial_not_negative"),)

    company_prefix: str = Field(primary_key=True, max_length=12)
    extension_digit: int = Field(primary_key=True)
    next_serial: int = Field(default=0, sa_type=sa.BigInteger)


class SsccBlock(SQLModel, table=True):
    """A range of serials handed to one station, so it can label boxes while offline."""

    __tablename__ = "sscc_block"
    __table_args__ = (sa.CheckConstraint("first_serial <= last_serial", name="range"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    company_prefix: str = Field(max_length=12)
    extension_digit: int
    first_serial: int = Field(sa_type=sa.BigInteger)
    last_serial: int = Field(sa_type=sa.BigInteger)
    issued_at: datetime = _ts()
    issued_to: int | None = Field(default=None, foreign_key="app_user.id")


class Manifest(SQLModel, table=True):
    """A carrier's pick-up for a day: closing it ships every packed shipment on it."""

    __tablename__ = "manifest"

    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(max_length=40, index=True)
    ship_date: date
    closed_at: datetime = _ts()
    closed_by: int | None = Field(default=None, foreign_key="app_user.id")
    shipments: int = 0
    boxes: int = 0
    weight_g: int = Field(default=0, sa_type=sa.BigInteger)


class Shipment(SQLModel, table=True):
    """What one order ships as: carrier, service and its boxes (open while being packed)."""

    __tablename__ = "shipment"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", SHIPMENT_STATUSES), name="status"),
        sa.Index("ix_shipment_status_carrier", "status", "carrier"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Made by the pack station (a UUID), so that its events name the shipment before the
    # server has numbered it.
    key: str = Field(max_length=36, unique=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    station_id: int | None = Field(default=None, foreign_key="station.id")
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    carrier: str = Field(max_length=40)
    service: str = Field(max_length=40)
    status: str = Field(default="open", max_length=10)
    boxes: int = 0
    weight_g: int = 0
    cost_cents: int | None = None
    partial: bool = False
    overridden: bool = False
    # Units the packer keyed in rather than scanned (they count against accuracy figures).
    keyed_units: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    manifest_id: int | None = Field(default=None, foreign_key="manifest.id", index=True)
    created_at: datetime = _ts()
    packed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    shipped_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ShipmentBox(SQLModel, table=True):
    __tablename__ = "shipment_box"
    __table_args__ = (
        sa.UniqueConstraint("shipment_id", "box_no", name="uq_shipment_box_shipment_box_no"),
        sa.CheckConstraint("weight_g >= 0", name="weight_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    box_no: int
    box_code: str = Field(max_length=40)
    sscc: str = Field(max_length=18, unique=True)
    tracking: str = Field(max_length=40, index=True)
    weight_g: int
    expected_weight_g: int = 0
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    contents: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    label_prints: int = 0
    label_printer: str = Field(default="", max_length=60)
    label_printed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class WebhookDelivery(SQLModel, table=True):
    """One message to the configured receiver, retried with backoff until it answers 2xx."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", DELIVERY_STATUSES), name="status"),
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event: str = Field(max_length=40)
    entity_id: str = Field(max_length=64)
    url: str = Field(max_length=500)
    body: str = Field(sa_type=sa.Text)
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = _ts()
    last_status: int | None = None
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = _ts()
    delivered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
