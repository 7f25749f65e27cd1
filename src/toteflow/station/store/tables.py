"""The station's own tables, on their own metadata: never mixed with the central schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import JSON, Column, Field, SQLModel

# A registry of its own: the central tables live on SQLModel.metadata, and the station's
# migrations must neither see nor create them (nor the other way round).
station_registry = registry(
    metadata=sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
)
metadata = station_registry.metadata


class StationTable(SQLModel, registry=station_registry):
    """Base of every station table."""


def table(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model, for bulk statements."""
    found: sa.Table = model.__table__  # type: ignore[attr-defined]
    return found


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), **kw)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Identity(StationTable, table=True):
    """The station's credentials: one row, written by `toteflow station-setup register`."""

    __tablename__ = "identity"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True)
    station_id: int
    name: str = Field(default="", max_length=60)
    server_url: str = Field(max_length=300)
    # The bearer token itself: the file is 0600 in a 0700 folder, and it is never logged.
    token: str = Field(max_length=200)
    registered_at: datetime = _ts()


class SyncStateRow(StationTable, table=True):
    __tablename__ = "sync_state"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("last_acked_seq < next_seq", name="acked_before_next"),
    )

    id: int = Field(default=1, primary_key=True)
    next_seq: int = 1
    last_acked_seq: int = 0
    cursor: int = Field(default=0, sa_type=sa.BigInteger)
    needs_reregistration: bool = False
    last_error: str = Field(default="", max_length=500)
    last_push_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_pull_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class OutboxRow(StationTable, table=True):
    """Every floor action, numbered 1, 2, 3... in the transaction that made the change."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint(_one_of("state", ("pending", "acked")), name="state"),
        sa.CheckConstraint(
            _one_of("status", ("", "applied", "duplicate", "rejected")), name="status"
        ),
        sa.Index("ix_outbox_state_seq", "state", "seq"),
    )

    # Not autoincrement: the number comes from sync_state.next_seq, so none is ever skipped.
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    event_id: str = Field(max_length=36, unique=True)
    user_id: int | None = None
    type: str = Field(max_length=40)
    payload: dict[str, Any] = _json()
    station_time: datetime = Field(sa_type=sa.DateTime(timezone=True))
    state: str = Field(default="pending", max_length=10)
    status: str = Field(default="", max_length=10)
    reason: str = Field(default="", max_length=300)
    result: dict[str, Any] = _json()
    acked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # For pick.undone: the event it compensates (one undo per pick).
    undoes: str | None = Field(default=None, max_length=36, unique=True)


class LocalTask(StationTable, table=True):
    __tablename__ = "task"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    wave: str | None = Field(default=None, max_length=80)
    kind: str = Field(max_length=20)
    zone: str | None = Field(default=None, max_length=40)
    status: str = Field(max_length=20)
    cart: str | None = Field(default=None, max_length=40)
    slots: int = 1
    distance_m: float = 0.0
    user_id: int | None = Field(default=None, index=True)
    station_id: int | None = None
    assigned_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # False once the server unassigned it: kept for its history, no longer offered.
    held: bool = True
    updated_at: datetime = _ts()


class LocalTaskLine(StationTable, table=True):
    __tablename__ = "task_line"
    __table_args__ = (
        sa.CheckConstraint(
            _one_of("status", ("open", "picked", "short", "cancelled")), name="status"
        ),
        sa.CheckConstraint(
            "picked >= 0 AND shorted >= 0 AND picked + shorted <= quantity", name="done_range"
        ),
        sa.Index("ix_task_line_task_stop", "task_id", "stop_no"),
    )

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    task_id: int = Field(foreign_key="task.id", ondelete="CASCADE")
    stop_no: int
    location: str = Field(max_length=40)
    zone: str | None = Field(default=None, max_length=40)
    aisle: int | None = None
    bay: int | None = None
    level: int | None = None
    sku: str = Field(max_length=64, index=True)
    description: str = Field(default="", max_length=200)
    lot_tracked: bool = False
    expiry_tracked: bool = False
    lot_substitution: bool = False
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    quantity: int
    picked: int = 0
    shorted: int = 0
    slot: int = 1
    order_reference: str = Field(max_length=64, index=True)
    status: str = Field(default="open", max_length=10)


class LocalTaskContainer(StationTable, table=True):
    __tablename__ = "task_container"
    __table_args__ = (sa.CheckConstraint(_one_of("status", ("open", "closed")), name="status"),)

    task_id: int = Field(foreign_key="task.id", primary_key=True, ondelete="CASCADE")
    slot: int = Field(primary_key=True)
    order_reference: str = Field(max_length=64)
    tote: str | None = Field(default=None, max_length=40)
    status: str = Field(default="open", max_length=10)
    destination: str = Field(default="", max_length=60)
    # Pick-and-pass: the tote the order's zone before sent on to this slot, and that zone.
    arriving_tote: str | None = Field(default=None, max_length=40)
    arriving_from: str | None = Field(default=None, max_length=40)


class CachedContainer(StationTable, table=True):
    """The server's registry of carts and totes as the feed last told it, with this
    station's own changes on top: cart set-up decides from it, offline too."""

    __tablename__ = "container"
    __table_args__ = (
        sa.CheckConstraint(_one_of("kind", ("tote", "cart")), name="kind"),
        sa.CheckConstraint(
            _one_of("state", ("free", "in_task", "travelling", "at_packing")), name="state"
        ),
    )

    kind: str = Field(primary_key=True, max_length=4)
    code: str = Field(primary_key=True, max_length=40)
    state: str = Field(default="free", max_length=12)
    task_id: int | None = None
    slot: int | None = None
    order_reference: str = Field(default="", max_length=64)
    destination: str = Field(default="", max_length=40)
    units: int = 0


class CachedProductRow(StationTable, table=True):
    __tablename__ = "product"

    sku: str = Field(primary_key=True, max_length=64)
    description: str = Field(default="", max_length=200)
    lot_tracked: bool = False
    expiry_tracked: bool = False
    lot_substitution: bool = False
    updated_at: datetime = _ts()


class CachedBarcode(StationTable, table=True):
    """A unit of measure of a cached product, found by the barcode a picker scans."""

    __tablename__ = "barcode"

    barcode: str = Field(primary_key=True, max_length=64)
    sku: str = Field(foreign_key="product.sku", index=True, ondelete="CASCADE")
    uom: str = Field(max_length=8)
    units: int = 1
    barcode_kind: str = Field(default="internal", max_length=10)
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    weight_g: int = 0


class CachedLocationRow(StationTable, table=True):
    __tablename__ = "location"

    code: str = Field(primary_key=True, max_length=40)
    zone: str | None = Field(default=None, max_length=40)
    aisle: int | None = None
    bay: int | None = None
    level: int | None = None
    kind: str = Field(default="pick_face", max_length=20)
    active: bool = True


class StationExceptionRow(StationTable, table=True):
    """A rejected event for a person to resolve; one per event."""

    __tablename__ = "station_exception"
    __table_args__ = (sa.Index("ix_station_exception_resolved", "resolved", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="rejected_event", max_length=30)
    reason: str = Field(max_length=300)
    event_seq: int | None = Field(default=None, foreign_key="outbox.seq", unique=True)
    event_id: str | None = Field(default=None, max_length=36)
    event_type: str = Field(default="", max_length=40)
    payload: dict[str, Any] = _json()
    user_id: int | None = None
    created_at: datetime = _ts()
    resolved: bool = False
    resolved_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    resolved_by: int | None = None
    resolution: str = Field(default="", max_length=300)


class NoticeRow(StationTable, table=True):
    """What the picker is told at the next scan; `key` makes a replayed change tell once."""

    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    task_id: int | None = Field(default=None, index=True)
    line_id: int | None = None
    order_reference: str = Field(default="", max_length=64)
    message: str = Field(max_length=400)
    created_at: datetime = _ts()
    seen: bool = False


class CachedInboundNotice(StationTable, table=True):
    """An open inbound notice as the feed last told it; the whole notice in `notice`."""

    __tablename__ = "inbound_notice"
    __table_args__ = (sa.Index("ix_inbound_notice_expected_on", "expected_on", "reference"),)

    reference: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=4)
    supplier_code: str = Field(max_length=40)
    expected_on: date
    status: str = Field(max_length=12)
    notice: dict[str, Any] = _json()
    updated_at: datetime = _ts()


class CachedInboundSscc(StationTable, table=True):
    """A pallet or case of an open notice, so that its scan finds the notice offline."""

    __tablename__ = "inbound_sscc"

    sscc: str = Field(primary_key=True, max_length=18)
    reference: str = Field(
        foreign_key="inbound_notice.reference", index=True, max_length=64, ondelete="CASCADE"
    )
    parent_sscc: str | None = Field(default=None, max_length=18)
