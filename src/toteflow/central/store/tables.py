"""The central database's tables (SQLModel); invariants are CHECK constraints, not hopes."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from toteflow.central.store.storage_columns import (
    VELOCITIES,
    StorageColumns,
    server_default,
    storage_checks,
)

# Constraint names are fixed so that migrations name the same objects on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LOCATION_KINDS = ("pick_face", "reserve", "staging", "pack", "dock", "quarantine", "quality")
ORDER_STATUSES = (
    "received",
    "allocated",
    "released",
    "picking",
    "picked",
    "packed",
    "shipped",
    "on_hold",
    "cancelled",
)
ROLES = ("picker", "packer", "supervisor", "admin", "receiver", "replenisher", "counter")
WAVE_STATUSES = ("planned", "released", "on_hold", "cancelled", "done")
TASK_KINDS = ("discrete", "cart", "zone")
TASK_STATUSES = ("ready", "assigned", "in_progress", "paused", "done", "cancelled")
LINE_STATUSES = ("open", "picked", "short", "cancelled")
EVENT_STATUSES = ("applied", "rejected")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), **kw)


class Zone(SQLModel, table=True):
    __tablename__ = "zone"
    __table_args__ = (sa.CheckConstraint("first_aisle <= last_aisle", name="aisle_range"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    first_aisle: int
    last_aisle: int


class Location(StorageColumns, table=True):
    __tablename__ = "location"
    __table_args__ = (
        sa.CheckConstraint(_one_of("kind", LOCATION_KINDS), name="kind"),
        *storage_checks(),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    zone_id: int | None = Field(default=None, foreign_key="zone.id", index=True)
    aisle: int | None = None
    bay: int | None = None
    level: int | None = None
    kind: str = Field(default="pick_face", max_length=20)
    x: float = 0.0
    y: float = 0.0
    active: bool = True


CART_STATES = ("free", "in_task")
TOTE_STATES = ("free", "in_task", "travelling", "at_packing")


class Cart(SQLModel, table=True):
    """A registered cart; `state` is where it is in its life (domain/containers.py)."""

    __tablename__ = "cart"
    __table_args__ = (
        sa.CheckConstraint("slots > 0", name="slots_positive"),
        sa.CheckConstraint(_one_of("state", CART_STATES), name="state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    slots: int = 8
    max_volume_l: float = 400.0
    max_weight_kg: float = 150.0
    state: str = Field(default="free", max_length=12)
    task_id: int | None = Field(default=None, foreign_key="task.id")
    state_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Tote(SQLModel, table=True):
    """A registered tote; `state` is where it is in its life, with the order it holds."""

    __tablename__ = "tote"
    __table_args__ = (
        sa.CheckConstraint(_one_of("state", TOTE_STATES), name="state"),
        sa.CheckConstraint("units >= 0", name="units_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    volume_l: float = 50.0
    state: str = Field(default="free", max_length=12)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    slot: int | None = None
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    destination: str = Field(default="", max_length=40)
    units: int = 0
    state_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Product(SQLModel, table=True):
    __tablename__ = "product"
    __table_args__ = (sa.CheckConstraint(_one_of("velocity", VELOCITIES), name="velocity"),)

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(max_length=64, unique=True)
    description: str = Field(max_length=200)
    lot_tracked: bool = False
    expiry_tracked: bool = False
    serial_tracked: bool = False
    # A picker may take another lot than the one reserved (recorded) only where this allows.
    lot_substitution: bool = False
    # Must stay upright in a carton (no rotations other than about the vertical axis).
    upright: bool = False
    created_at: datetime = _ts()
    # For put-away: how fast it moves (A fastest) and where it may be stored.
    velocity: str = Field(default="C", max_length=1, sa_column_kwargs=server_default("C"))
    storage_class: str = Field(
        default="ambient", max_length=20, sa_column_kwargs=server_default("ambient")
    )


class ProductUnit(SQLModel, table=True):
    """A unit of measure or pack size of a product, with its own barcode."""

    __tablename__ = "product_unit"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "uom", name="uq_product_unit_product_uom"),
        sa.CheckConstraint("units > 0", name="units_positive"),
        sa.CheckConstraint(
            _one_of("barcode_kind", ("gtin8", "gtin12", "gtin13", "gtin14", "internal")),
            name="barcode_kind",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    uom: str = Field(max_length=8)  # EA, IP (inner pack), CS (case), PL (pallet)
    units: int = 1  # base units in one of these
    barcode: str = Field(max_length=64, unique=True)
    barcode_kind: str = Field(max_length=10)
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    weight_g: int = 0


class Stock(SQLModel, table=True):
    __tablename__ = "stock"
    __table_args__ = (
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        sa.CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        sa.CheckConstraint("reserved <= quantity", name="reserved_within_quantity"),
        sa.Index(
            "uq_stock_position",
            "location_id",
            "product_id",
            "lot",
            sa.func.coalesce(sa.column("expiry"), sa.literal_column("'0001-01-01'")),
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    received_on: date = Field(default_factory=lambda: utcnow().date())
    quantity: int = 0
    reserved: int = 0
    version: int = 0


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", ORDER_STATUSES), name="status"),
        sa.Index("ix_orders_status_ship_by", "status", "ship_by"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=64, unique=True)
    customer_name: str = Field(max_length=120)
    ship_name: str = Field(max_length=120)
    ship_line1: str = Field(max_length=120)
    ship_line2: str = Field(default="", max_length=120)
    ship_city: str = Field(max_length=80)
    ship_region: str = Field(default="", max_length=80)
    ship_postal_code: str = Field(max_length=20)
    ship_country: str = Field(max_length=2)
    carrier: str = Field(max_length=40)
    service: str = Field(max_length=40)
    priority: int = 5
    ship_by: date
    status: str = Field(default="received", max_length=20)
    held_from: str | None = Field(default=None, max_length=20)
    cancel_reason: str = Field(default="", max_length=200)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    version: int = 0


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "line_no", name="uq_order_line_order_line_no"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("allocated >= 0 AND allocated <= quantity", name="allocated_range"),
        sa.CheckConstraint("picked >= 0 AND picked <= quantity", name="picked_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: uq_order_line_order_line_no leads with order_id and serves.
    order_id: int = Field(foreign_key="orders.id")
    line_no: int
    product_id: int = Field(foreign_key="product.id", index=True)
    quantity: int
    allocated: int = 0
    picked: int = 0


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (sa.CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    badge: str = Field(max_length=40, unique=True)
    pin_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = _ts()


class Station(SQLModel, table=True):
    __tablename__ = "station"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    # SHA-256 of the bearer token: the token is random and long, so a fast hash is enough.
    token_hash: str = Field(max_length=64, unique=True)
    active: bool = True
    created_at: datetime = _ts()
    last_seen_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # The highest event sequence number applied (or rejected) for this station.
    last_seq: int = 0


class UserSession(SQLModel, table=True):
    """A person logged in at one station; its token is only good from that station."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    created_at: datetime = _ts()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    station_id: int | None = Field(default=None, foreign_key="station.id")
    action: str = Field(max_length=60, index=True)
    entity: str = Field(max_length=40)
    entity_id: str = Field(default="", max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    event_id: str | None = Field(default=None, max_length=36)


class Wave(SQLModel, table=True):
    __tablename__ = "wave"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", WAVE_STATUSES), name="status"),
        sa.CheckConstraint(_one_of("strategy", TASK_KINDS), name="strategy"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    status: str = Field(default="planned", max_length=20)
    strategy: str = Field(default="discrete", max_length=20)
    filters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _ts()
    released_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Task(SQLModel, table=True):
    """A unit of picking work handed to one person: a route of stops into totes."""

    __tablename__ = "task"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", TASK_STATUSES), name="status"),
        sa.CheckConstraint(_one_of("kind", TASK_KINDS), name="kind"),
        sa.Index("ix_task_status_priority", "status", "priority", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int | None = Field(default=None, foreign_key="wave.id", index=True)
    kind: str = Field(default="discrete", max_length=20)
    zone: str | None = Field(default=None, max_length=40)
    status: str = Field(default="ready", max_length=20)
    priority: int = 5
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    station_id: int | None = Field(default=None, foreign_key="station.id")
    assigned_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    cart_code: str | None = Field(default=None, max_length=40)
    slots: int = 1
    distance_m: float = 0.0
    created_at: datetime = _ts()
    version: int = 0
    # Pick-and-pass: the order's zone task before this one. This one is handed out only when
    # that one is done (its tote is on the way here) or cancelled. No foreign key: SQLite
    # cannot add one to the task table without copying it.
    after_task_id: int | None = Field(default=None, index=True)


class TaskContainer(SQLModel, table=True):
    """A tote slot of a task: which order goes in it, and the tote scanned for it."""

    __tablename__ = "task_container"
    __table_args__ = (
        sa.UniqueConstraint("task_id", "slot", name="uq_task_container_task_slot"),
        sa.CheckConstraint(_one_of("status", ("open", "closed")), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    slot: int
    order_id: int = Field(foreign_key="orders.id", index=True)
    tote_code: str | None = Field(default=None, max_length=40)
    status: str = Field(default="open", max_length=10)
    # Where the tote goes when closed: "pack", "consolidation" or "zone:<name>" (the order's
    # next zone); planned at release.
    destination: str = Field(default="", max_length=60)
    # Pick-and-pass: the tote the zone before closed towards this slot, and that zone.
    arriving_tote: str | None = Field(default=None, max_length=40)
    arriving_from: str | None = Field(default=None, max_length=40)


class OrderTote(SQLModel, table=True):
    """Every tote an order was picked into, as it was closed: where it went, who took it on.

    A tote closed full mid-walk leaves its slot for a new one, so the task's containers alone
    do not know it; the pack desk waits for every row here whose tote is not taken on.
    """

    __tablename__ = "order_tote"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    tote_code: str = Field(max_length=40, index=True)
    task_id: int = Field(foreign_key="task.id")
    slot: int
    zone: str | None = Field(default=None, max_length=40)
    destination: str = Field(default="", max_length=60)
    # The next zone's task that took the tote on (it is in that task's slot now).
    taken_by_task_id: int | None = Field(default=None, foreign_key="task.id")
    closed_at: datetime = _ts()


class TaskLine(SQLModel, table=True):
    """One stop of a task: take `quantity` from a reserved stock row into a slot."""

    __tablename__ = "task_line"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", LINE_STATUSES), name="status"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "picked >= 0 AND shorted >= 0 AND picked + shorted <= quantity", name="done_range"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    stop_no: int
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    stock_id: int = Field(foreign_key="stock.id", index=True)
    location_id: int = Field(foreign_key="location.id")
    product_id: int = Field(foreign_key="product.id")
    lot: str = Field(default="", max_length=40)
    expiry: date | None = None
    quantity: int
    picked: int = 0
    shorted: int = 0
    # Units picked on a typed-in SKU rather than a scan: they count against accuracy.
    keyed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    slot: int = 1
    status: str = Field(default="open", max_length=10)


class AppliedEvent(SQLModel, table=True):
    """Each station event the server has seen, with the answer it gave: retries get the same."""

    __tablename__ = "applied_event"
    __table_args__ = (
        sa.UniqueConstraint("station_id", "seq", name="uq_applied_event_station_seq"),
        sa.CheckConstraint(_one_of("status", EVENT_STATUSES), name="status"),
    )

    event_id: str = Field(primary_key=True, max_length=36)
    station_id: int = Field(foreign_key="station.id")
    seq: int
    type: str = Field(max_length=40)
    user_id: int | None = None
    status: str = Field(max_length=10)
    reason: str = Field(default="", max_length=300)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    station_time: datetime = Field(sa_type=sa.DateTime(timezone=True))
    applied_at: datetime = _ts()


class FeedClock(SQLModel, table=True):
    """One row whose counter numbers the change feed; its row lock orders the feed by commit."""

    __tablename__ = "feed_clock"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)


class Change(SQLModel, table=True):
    """The change feed stations pull: assignments, cancellations, catalogue updates."""

    __tablename__ = "change"
    __table_args__ = (sa.Index("ix_change_station_seq", "station_id", "seq"),)

    seq: int = Field(primary_key=True, sa_type=sa.BigInteger)
    at: datetime = _ts()
    kind: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=64)
    # None: every station; else only this one (e.g. a task assigned to it).
    station_id: int | None = Field(default=None, foreign_key="station.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FloorException(SQLModel, table=True):
    """Something a person must resolve: a short pick, a rejected event."""

    __tablename__ = "floor_exception"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", ("open", "resolved")), name="status"),
        sa.Index("ix_floor_exception_status", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    status: str = Field(default="open", max_length=10)
    station_id: int | None = Field(default=None, foreign_key="station.id")
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    event_id: str | None = Field(default=None, max_length=36)
    task_line_id: int | None = Field(default=None, foreign_key="task_line.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id")
    reason: str = Field(max_length=300)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts()
    resolved_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    resolved_by: int | None = Field(default=None, foreign_key="app_user.id")
    resolution: str = Field(default="", max_length=300)


def table(model: type[SQLModel]) -> sa.Table:
    """The Core table of a table model, for set-based statements."""
    found: sa.Table = model.__table__  # type: ignore[attr-defined]
    return found


def cols(model: type[SQLModel]) -> Any:
    """The Core columns of a table model (loosely typed: SQLModel's stubs hide __table__)."""
    return table(model).c


def insert_rows(session: Any, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert many rows as one Core executemany (pipelined by psycopg), skipping the ORM."""
    if rows:
        session.execute(sa.insert(table(model)), rows)


def copy_rows(session: Any, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Many rows at once: COPY on PostgreSQL, one executemany elsewhere.

    psycopg spends an executemany's time composing one statement per row in Python: a wave's
    40,000 task lines take some 10 s as INSERTs and well under one by COPY, and a push's 100
    applied events and audit rows go in in under half their INSERT time. COPY fills in no
    Python-side defaults: every row names the same columns, all but those with a server
    default (the id).
    """
    if not rows:
        return
    target = table(model)
    if session.get_bind().dialect.name != "postgresql":
        session.execute(sa.insert(target), rows)
        return
    names = list(rows[0])
    json_at = [i for i, name in enumerate(names) if isinstance(target.c[name].type, sa.JSON)]
    # The session's own connection: the rows are part of this transaction.
    driver = session.connection().connection.driver_connection
    try:
        _copy(driver, target, names, json_at, rows)
    except psycopg.Error as exc:
        # Raised as SQLAlchemy raises a statement's error, so a clash (a reused event id, say)
        # is answered as on SQLite (409), not as an unexpected error (500).
        raise sa.exc.DBAPIError.instance(f"COPY {target.name}", None, exc, psycopg.Error) from exc


def _copy(
    driver: Any, target: sa.Table, names: list[str], json_at: list[int], rows: list[dict[str, Any]]
) -> None:
    # COPY takes JSON as text. One encoding per object: bulk callers repeat one detail dict.
    encoded: dict[int, str] = {}
    with _binary_copy(driver, target, names) as copy:
        for row in rows:
            values = [row[name] for name in names]
            for i in json_at:
                value = values[i]
                if value is not None:
                    text = encoded.get(id(value))
                    if text is None:
                        text = encoded[id(value)] = json.dumps(value)
                    values[i] = text
            copy.write_row(values)


# Column type ids per (table, columns): the same in every schema the migrations made.
_COPY_TYPES: dict[tuple[str, tuple[str, ...]], list[int]] = {}
_TEXT_OID = 25


@contextmanager
def _binary_copy(driver: Any, target: sa.Table, names: Sequence[str]) -> Iterator[Any]:
    """A COPY of these columns in PostgreSQL's binary format, the columns' types named.

    A third of the time of text COPY, on both sides: psycopg writes each value's bytes
    without choosing a dumper per value or formatting numbers and dates as text, and the
    server reads them without parsing. JSON goes as text, which is its binary form.
    """
    key = (target.name, tuple(names))
    types = _COPY_TYPES.get(key)
    if types is None:
        with driver.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid::int FROM pg_attribute "
                "WHERE attrelid = CAST(%s AS regclass) AND attnum > 0",
                (target.name,),
            )
            found = dict(cursor.fetchall())
        json_names = {c.name for c in target.columns if isinstance(c.type, sa.JSON)}
        types = [_TEXT_OID if name in json_names else found[name] for name in names]
        _COPY_TYPES[key] = types
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {target.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        yield copy


def copy_values(
    session: Any, model: type[SQLModel], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """copy_rows() for rows given as tuples in the order of `names`, JSON columns as JSON text.

    The import's 100,000 orders, lines and audit entries: building a dict per row (and a list
    from it) and encoding each order's audit detail through json.dumps cost more client time
    than the server took to store them. JSON text from pydantic's encoder goes in unchanged.
    """
    if not rows:
        return
    target = table(model)
    if session.get_bind().dialect.name != "postgresql":
        json_names = [name for name in names if isinstance(target.c[name].type, sa.JSON)]
        # The text goes in as it is (no second encoding) through a parameter of its own.
        statement = sa.insert(target).values(
            {name: sa.bindparam(f"{name}_text", type_=sa.Text) for name in json_names}
        )
        keys = [f"{name}_text" if name in json_names else name for name in names]
        session.execute(statement, [dict(zip(keys, row, strict=True)) for row in rows])
        return
    driver = session.connection().connection.driver_connection
    try:
        with _binary_copy(driver, target, names) as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(f"COPY {target.name}", None, exc, psycopg.Error) from exc
