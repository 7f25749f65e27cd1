"""The pack station's own tables: orders being packed, closed cartons, SSCC serials, print queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from toteflow.station.store.tables import StationTable, _json, _one_of, _ts


class PackOrderRow(StationTable, table=True):
    """An order at this pack station: the server's view of it and the packer's progress."""

    __tablename__ = "pack_order"
    __table_args__ = (sa.CheckConstraint(_one_of("status", ("open", "closed")), name="status"),)

    reference: str = Field(primary_key=True, max_length=64)
    # The server's PackOrder as JSON: lines with barcodes, dimensions, weights; the address.
    order: dict[str, Any] = _json()
    # The station's own shipment id (a UUID), named by every carton event of this order.
    shipment_key: str = Field(max_length=36, unique=True)
    status: str = Field(default="open", max_length=10)
    user_id: int | None = None
    verified: dict[str, Any] = _json()  # units per SKU scanned and found right
    shorted: dict[str, Any] = _json()  # units per SKU reported missing
    # Per SKU what the item scans carried: units keyed in, lots, serial numbers checked.
    marks: dict[str, Any] = _json()
    opened_at: datetime = _ts()
    updated_at: datetime = _ts()


class PackCartonRow(StationTable, table=True):
    __tablename__ = "pack_carton"
    __table_args__ = (
        sa.UniqueConstraint("reference", "box_no", name="uq_pack_carton_reference_box_no"),
    )

    sscc: str = Field(primary_key=True, max_length=18)
    reference: str = Field(foreign_key="pack_order.reference", index=True, ondelete="CASCADE")
    box_no: int
    box_code: str = Field(max_length=40)
    box_name: str = Field(default="", max_length=80)
    tracking: str = Field(max_length=40)
    carrier: str = Field(max_length=40)
    service: str = Field(max_length=40)
    weight_g: int
    expected_weight_g: int
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    contents: dict[str, Any] = _json()
    created_at: datetime = _ts()


class SsccPoolRow(StationTable, table=True):
    """A block of SSCC serial references the server reserved for this station."""

    __tablename__ = "sscc_pool"
    __table_args__ = (sa.CheckConstraint("next_serial <= last_serial + 1", name="range"),)

    id: int | None = Field(default=None, primary_key=True)
    company_prefix: str = Field(max_length=12)
    extension_digit: int
    next_serial: int = Field(sa_type=sa.BigInteger)
    last_serial: int = Field(sa_type=sa.BigInteger)


class PrintJobRow(StationTable, table=True):
    """A label or slip to print; it stays queued until a printer takes it."""

    __tablename__ = "print_job"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", ("queued", "printed")), name="status"),
        sa.CheckConstraint(_one_of("kind", ("label", "slip")), name="kind"),
        sa.Index("ix_print_job_status_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    reference: str = Field(max_length=64, index=True)
    sscc: str = Field(default="", max_length=18)
    title: str = Field(max_length=120)
    # What to draw (the label's or slip's fields), rendered for whichever printer takes it.
    content: dict[str, Any] = _json()
    printer: str = Field(default="", max_length=60)
    status: str = Field(default="queued", max_length=10)
    attempts: int = 0
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = _ts()
    printed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
