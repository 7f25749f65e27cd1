"""tasks, sync and change feed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:01:15.975925
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_clock")),
    )
    op.create_table(
        "applied_event",
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("station_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('applied', 'rejected')", name=op.f("ck_applied_event_status")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_applied_event_station_id_station")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_applied_event")),
        sa.UniqueConstraint("station_id", "seq", name="uq_applied_event_station_seq"),
    )
    op.create_table(
        "change",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_change_station_id_station")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_station_seq", ["station_id", "seq"], unique=False)

    op.create_table(
        "wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("strategy", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'released', 'on_hold', 'cancelled', 'done')",
            name=op.f("ck_wave_status"),
        ),
        sa.CheckConstraint(
            "strategy IN ('discrete', 'cart', 'zone')", name=op.f("ck_wave_strategy")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_wave_created_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave")),
        sa.UniqueConstraint("name", name=op.f("uq_wave_name")),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("zone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cart_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('discrete', 'cart', 'zone')", name=op.f("ck_task_kind")),
        sa.CheckConstraint(
            "status IN ('ready', 'assigned', 'in_progress', 'paused', 'done', 'cancelled')",
            name=op.f("ck_task_status"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_task_station_id_station")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_task_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], name=op.f("fk_task_wave_id_wave")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_status_priority", ["status", "priority", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "task_container",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("tote_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("destination", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_task_container_status")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_task_container_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_container_task_id_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_container")),
        sa.UniqueConstraint("task_id", "slot", name="uq_task_container_task_slot"),
    )
    with op.batch_alter_table("task_container", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_container_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_container_task_id"), ["task_id"], unique=False)

    op.create_table(
        "task_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("stop_no", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("stock_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("picked", sa.Integer(), nullable=False),
        sa.Column("shorted", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'picked', 'short', 'cancelled')", name=op.f("ck_task_line_status")
        ),
        sa.CheckConstraint(
            "picked >= 0 AND shorted >= 0 AND picked + shorted <= quantity",
            name=op.f("ck_task_line_done_range"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_task_line_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_task_line_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_line.id"], name=op.f("fk_task_line_order_line_id_order_line")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_task_line_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["stock_id"], ["stock.id"], name=op.f("fk_task_line_stock_id_stock")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_task_line_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_line")),
    )
    with op.batch_alter_table("task_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_line_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_task_line_stock_id"), ["stock_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_line_task_id"), ["task_id"], unique=False)

    op.create_table(
        "floor_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("task_line_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'resolved')", name=op.f("ck_floor_exception_status")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_floor_exception_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["app_user.id"], name=op.f("fk_floor_exception_resolved_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_floor_exception_station_id_station")
        ),
        sa.ForeignKeyConstraint(
            ["task_line_id"],
            ["task_line.id"],
            name=op.f("fk_floor_exception_task_line_id_task_line"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_floor_exception_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floor_exception")),
    )
    with op.batch_alter_table("floor_exception", schema=None) as batch_op:
        batch_op.create_index("ix_floor_exception_status", ["status", "id"], unique=False)

    # The feed clock is one row; the change feed numbers itself from it.
    feed_clock = sa.table(
        "feed_clock", sa.column("id", sa.Integer), sa.column("value", sa.BigInteger)
    )
    op.bulk_insert(feed_clock, [{"id": 1, "value": 0}])
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seq", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.drop_column("last_seq")

    with op.batch_alter_table("floor_exception", schema=None) as batch_op:
        batch_op.drop_index("ix_floor_exception_status")

    op.drop_table("floor_exception")
    with op.batch_alter_table("task_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_line_task_id"))
        batch_op.drop_index(batch_op.f("ix_task_line_stock_id"))
        batch_op.drop_index(batch_op.f("ix_task_line_order_line_id"))

    op.drop_table("task_line")
    with op.batch_alter_table("task_container", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_container_task_id"))
        batch_op.drop_index(batch_op.f("ix_task_container_order_id"))

    op.drop_table("task_container")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_wave_id"))
        batch_op.drop_index(batch_op.f("ix_task_user_id"))
        batch_op.drop_index("ix_task_status_priority")

    op.drop_table("task")
    op.drop_table("wave")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_station_seq")

    op.drop_table("change")
    op.drop_table("applied_event")
    op.drop_table("feed_clock")
