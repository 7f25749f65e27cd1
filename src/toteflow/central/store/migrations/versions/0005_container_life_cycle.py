"""container life cycle: each cart's and tote's state, task, slot, order and destination

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:20:00.000000

Totes already in use are brought into the registry as they are (in a task's slot, or
travelling with an order not yet packed), so that live work is not refused after the
upgrade; then one change per 500 containers tells the stations the whole registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 500


def upgrade() -> None:
    with op.batch_alter_table("cart", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "state",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="free",
            )
        )
        batch_op.add_column(sa.Column("task_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("state_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_cart_task_id_task"), "task", ["task_id"], ["id"])
        batch_op.create_check_constraint(
            batch_op.f("ck_cart_state"), "state IN ('free', 'in_task')"
        )
    with op.batch_alter_table("tote", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "state",
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default="free",
            )
        )
        batch_op.add_column(sa.Column("task_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("slot", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("order_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "destination",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("units", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("state_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_tote_task_id_task"), "task", ["task_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_tote_order_id_orders"), "orders", ["order_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_tote_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tote_order_id"), ["order_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_tote_state"),
            "state IN ('free', 'in_task', 'travelling', 'at_packing')",
        )
        batch_op.create_check_constraint(batch_op.f("ck_tote_units_not_negative"), "units >= 0")
    # The models carry Python defaults; the server defaults were only for the rows there.
    with op.batch_alter_table("cart", schema=None) as batch_op:
        batch_op.alter_column("state", server_default=None)
    with op.batch_alter_table("tote", schema=None) as batch_op:
        batch_op.alter_column("state", server_default=None)
        batch_op.alter_column("destination", server_default=None)
        batch_op.alter_column("units", server_default=None)
    _backfill(op.get_bind())


def _backfill(bind: sa.Connection) -> None:
    now = datetime.now(UTC)
    tote = sa.table(
        "tote",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("volume_l", sa.Float),
        sa.column("state", sa.String),
        sa.column("task_id", sa.Integer),
        sa.column("slot", sa.Integer),
        sa.column("order_id", sa.Integer),
        sa.column("destination", sa.String),
        sa.column("units", sa.Integer),
        sa.column("state_at", sa.DateTime(timezone=True)),
    )
    cart = sa.table(
        "cart",
        sa.column("code", sa.String),
        sa.column("state", sa.String),
        sa.column("task_id", sa.Integer),
    )
    # The newest container row of each tote in live work: an open slot of a task not yet
    # finished, or a closed one whose order is not packed yet.
    in_use = sa.text(
        "SELECT tc.tote_code, tc.task_id, tc.slot, tc.order_id, tc.status, tc.destination, "
        "(SELECT COALESCE(SUM(tl.picked), 0) FROM task_line tl "
        " WHERE tl.task_id = tc.task_id AND tl.slot = tc.slot) AS units "
        "FROM task_container tc JOIN task ON task.id = tc.task_id "
        "JOIN orders o ON o.id = tc.order_id "
        "WHERE tc.tote_code IS NOT NULL AND ("
        " (tc.status = 'open' AND task.status NOT IN ('done', 'cancelled'))"
        " OR (tc.status = 'closed' AND o.status IN ('picking', 'picked'))) "
        "ORDER BY tc.id"
    )
    rows = {row.tote_code: row for row in bind.execute(in_use)}
    known = {code for (code,) in bind.execute(sa.select(tote.c.code))}
    missing = [
        {"code": code, "volume_l": 50.0, "state": "free", "destination": "", "units": 0}
        for code in rows
        if code not in known
    ]
    if missing:
        bind.execute(sa.insert(tote), missing)
    for code, row in rows.items():
        bind.execute(
            sa.update(tote)
            .where(tote.c.code == code)
            .values(
                state="in_task" if row.status == "open" else "travelling",
                task_id=row.task_id,
                slot=row.slot,
                order_id=row.order_id,
                destination="" if row.status == "open" else (row.destination or "pack"),
                units=int(row.units or 0),
                state_at=now,
            )
        )
    live_carts = sa.text(
        "SELECT cart_code, id FROM task WHERE cart_code IS NOT NULL "
        "AND status IN ('in_progress', 'paused') ORDER BY id"
    )
    for cart_code, task_id in bind.execute(live_carts):
        bind.execute(
            sa.update(cart).where(cart.c.code == cart_code).values(state="in_task", task_id=task_id)
        )
    _announce(bind, now)


def _announce(bind: sa.Connection, now: datetime) -> None:
    """The registry as it now stands, into the change feed: stations learn it at their next pull."""
    records = [
        {"kind": "cart", "code": row.code, "state": row.state, "task_id": row.task_id}
        for row in bind.execute(sa.text("SELECT code, state, task_id FROM cart ORDER BY code"))
    ]
    records += [
        {
            "kind": "tote",
            "code": row.code,
            "state": row.state,
            "task_id": row.task_id,
            "slot": row.slot,
            "order_reference": row.reference or "",
            "destination": row.destination,
            "units": row.units,
        }
        for row in bind.execute(
            sa.text(
                "SELECT t.code, t.state, t.task_id, t.slot, o.reference, t.destination, t.units "
                "FROM tote t LEFT JOIN orders o ON o.id = t.order_id ORDER BY t.code"
            )
        )
    ]
    if not records:
        return
    clock = sa.table("feed_clock", sa.column("id", sa.Integer), sa.column("value", sa.BigInteger))
    change = sa.table(
        "change",
        sa.column("seq", sa.BigInteger),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("kind", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.String),
        sa.column("station_id", sa.Integer),
        sa.column("payload", sa.JSON),
    )
    for start in range(0, len(records), CHUNK):
        seq = bind.execute(
            sa.update(clock)
            .where(clock.c.id == 1)
            .values(value=clock.c.value + 1)
            .returning(clock.c.value)
        ).scalar_one_or_none()
        if seq is None:  # no feed counter yet: nobody has pulled, the server makes it later
            return
        bind.execute(
            sa.insert(change).values(
                seq=seq,
                at=now,
                kind="containers.updated",
                entity="container",
                entity_id="",
                station_id=None,
                payload={"containers": records[start : start + CHUNK]},
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tote", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tote_units_not_negative"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_tote_state"), type_="check")
        batch_op.drop_index(batch_op.f("ix_tote_order_id"))
        batch_op.drop_index(batch_op.f("ix_tote_task_id"))
        batch_op.drop_constraint(batch_op.f("fk_tote_order_id_orders"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_tote_task_id_task"), type_="foreignkey")
        for column in ("state_at", "units", "destination", "order_id", "slot", "task_id", "state"):
            batch_op.drop_column(column)
    with op.batch_alter_table("cart", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_cart_state"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_cart_task_id_task"), type_="foreignkey")
        for column in ("state_at", "task_id", "state"):
            batch_op.drop_column(column)
