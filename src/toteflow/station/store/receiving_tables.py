"""The receiver's own tables: receipts being worked, the cases on them, plate serials, policy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from toteflow.station.store.tables import StationTable, _json, _one_of, _ts


class ReceiptRow(StationTable, table=True):
    """A receipt at this station: a notice's (or a blind one at a dock) tallies, line by line."""

    __tablename__ = "receipt"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", ("open", "finished")), name="status"),
        sa.Index("ix_receipt_notice_status", "notice", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # None: a blind receipt (only where the site allows them).
    notice: str | None = Field(default=None, max_length=64)
    dock: str = Field(max_length=40)
    user_id: int | None = None
    status: str = Field(default="open", max_length=10)
    # Per line number: received, damaged, closed and the short reason (the line's tallies).
    lines: dict[str, Any] = _json()
    # The internal plate cases go onto now (None: the next case starts a new one).
    plate: str | None = Field(default=None, max_length=20)
    started_at: datetime = _ts()
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ReceiptCaseRow(StationTable, table=True):
    """One case or pallet received: its identity is counted once per notice at this station."""

    __tablename__ = "receipt_case"
    __table_args__ = (
        sa.UniqueConstraint("receipt_id", "case_id", name="uq_receipt_case_receipt_id_case_id"),
        sa.Index("ix_receipt_case_sku_lot", "sku", "lot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    receipt_id: int = Field(foreign_key="receipt.id", index=True, ondelete="CASCADE")
    case_id: str = Field(max_length=60)
    line_no: int | None = None
    sku: str | None = Field(default=None, max_length=64)
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    quantity: int
    damaged: int = 0
    plate: str = Field(max_length=20)
    event_id: str = Field(max_length=36)
    received_at: datetime = _ts()


class ReceivingValue(StationTable, table=True):
    """Small receiving values kept across restarts: the plate serial, the cached policy."""

    __tablename__ = "receiving_value"

    key: str = Field(primary_key=True, max_length=40)
    value: dict[str, Any] = _json()
    updated_at: datetime = _ts()


class PlateMoveRow(StationTable, table=True):
    """A plate put away from this station: where its units went (the station's own view)."""

    __tablename__ = "plate_move"

    id: int | None = Field(default=None, primary_key=True)
    plate: str = Field(max_length=40, index=True)
    location: str = Field(max_length=40, index=True)
    sku: str | None = Field(default=None, max_length=64)
    quantity: int | None = None
    reason: str | None = Field(default=None, max_length=40)
    event_id: str = Field(max_length=36)
    moved_at: datetime = _ts()


class ServerPlateRow(StationTable, table=True):
    """A plate of the server's own a receipt here put units on, as the push's answer named
    it: the put-away finds it when scanned, the receiving screen says where the units went."""

    __tablename__ = "server_plate"

    code: str = Field(primary_key=True, max_length=20)
    notice: str | None = Field(default=None, max_length=64, index=True)
    sku: str | None = Field(default=None, max_length=64)
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    quantity: int
    location: str = Field(max_length=40)
    status: str = Field(max_length=20)
    event_id: str = Field(max_length=36)
    recorded_at: datetime = _ts()
