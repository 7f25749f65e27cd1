"""Inbound notice tables: purchase orders and ASNs, their lines, SSCCs and SSCC contents."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from toteflow.central.store.storage_columns import server_default as _sd
from toteflow.central.store.tables import _one_of, _ts

NOTICE_KINDS = ("po", "asn")
NOTICE_STATUSES = ("expected", "receiving", "received", "cancelled")
LINE_STATUSES = ("open", "closed")


class InboundNotice(SQLModel, table=True):
    """A delivery the ERP announced: who sends what, when, to which dock."""

    __tablename__ = "inbound_notice"
    __table_args__ = (
        sa.CheckConstraint(_one_of("kind", NOTICE_KINDS), name="kind"),
        sa.CheckConstraint(_one_of("status", NOTICE_STATUSES), name="status"),
        sa.Index("ix_inbound_notice_status_expected_on", "status", "expected_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=4)
    supplier_code: str = Field(max_length=40, index=True)
    supplier_name: str = Field(max_length=120)
    expected_on: date
    dock_id: int | None = Field(default=None, foreign_key="location.id")
    status: str = Field(default="expected", max_length=12)
    cancel_reason: str = Field(default="", max_length=200)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    version: int = 0


class InboundNoticeLine(SQLModel, table=True):
    """One SKU expected, counted in its unit of measure and in base units."""

    __tablename__ = "inbound_notice_line"
    __table_args__ = (
        sa.UniqueConstraint("notice_id", "line_no", name="uq_inbound_notice_line_notice_line_no"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("units_per_uom > 0", name="units_positive"),
        sa.CheckConstraint("base_quantity = quantity * units_per_uom", name="base_quantity"),
        sa.CheckConstraint(_one_of("line_status", LINE_STATUSES), name="line_status"),
        sa.CheckConstraint("received = accepted + damaged + held", name="received_tally"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="inbound_notice.id", index=True)
    line_no: int
    product_id: int = Field(foreign_key="product.id", index=True)
    uom: str = Field(max_length=8)
    units_per_uom: int
    quantity: int
    base_quantity: int
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    # What was received against the line so far, in base units (received = accepted +
    # damaged + held), changed only under the notice's row lock.
    received: int = Field(default=0, sa_column_kwargs=_sd("0"))
    accepted: int = Field(default=0, sa_column_kwargs=_sd("0"))
    damaged: int = Field(default=0, sa_column_kwargs=_sd("0"))
    held: int = Field(default=0, sa_column_kwargs=_sd("0"))
    line_status: str = Field(default="open", max_length=8, sa_column_kwargs=_sd("open"))
    short_reason: str = Field(default="", max_length=40, sa_column_kwargs=_sd(""))


class InboundSscc(SQLModel, table=True):
    """A pallet or case on an ASN, by its SSCC: never on two notices."""

    __tablename__ = "inbound_sscc"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="inbound_notice.id", index=True)
    sscc: str = Field(max_length=18, unique=True)
    parent_sscc: str | None = Field(default=None, max_length=18)
    position: int


class InboundSsccContent(SQLModel, table=True):
    """What one SSCC holds of one SKU (lot, expiry), in base units."""

    __tablename__ = "inbound_sscc_content"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    sscc_id: int = Field(foreign_key="inbound_sscc.id", index=True)
    position: int
    product_id: int = Field(foreign_key="product.id")
    quantity: int
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
