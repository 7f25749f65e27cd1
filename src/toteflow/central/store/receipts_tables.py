"""Receipt tables: each case received on a notice (once), and the confirmation sent to the ERP."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from toteflow.central.store.tables import _one_of, _ts

RECEIPT_KINDS = ("case", "pallet", "not_on_notice", "blind")


class ReceiptCase(SQLModel, table=True):
    """One case (or pallet content, or item not on the notice) received, and where it went.

    The unique (notice, case id) is what refuses a case counted twice, whichever station
    sends it; a pallet's contents share the pallet's case id with a position after it.
    """

    __tablename__ = "receipt_case"
    __table_args__ = (
        sa.UniqueConstraint("notice_id", "case_id", name="uq_receipt_case_notice_case"),
        sa.CheckConstraint(_one_of("kind", RECEIPT_KINDS), name="kind"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("accepted + damaged + held = quantity", name="tally"),
        sa.Index("ix_receipt_case_product_lot", "product_id", "lot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int | None = Field(default=None, foreign_key="inbound_notice.id")
    line_id: int | None = Field(default=None, foreign_key="inbound_notice_line.id", index=True)
    case_id: str = Field(max_length=64)
    kind: str = Field(max_length=14)
    product_id: int | None = Field(default=None, foreign_key="product.id")
    scanned: str = Field(default="", max_length=64)
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    quantity: int
    accepted: int = 0
    damaged: int = 0
    held: int = 0
    # Damaged units by reason ({"crushed": 2}), for the ERP's confirmation.
    damage: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    plates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    station_id: int | None = Field(default=None, foreign_key="station.id")
    event_id: str | None = Field(default=None, max_length=36)
    supervisor_id: int | None = Field(default=None, foreign_key="app_user.id")
    received_at: datetime = _ts()


class ReceiptConfirmation(SQLModel, table=True):
    """What was received against a notice, per line and lot, as the ERP is told (once)."""

    __tablename__ = "receipt_confirmation"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="inbound_notice.id", unique=True)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = _ts()
