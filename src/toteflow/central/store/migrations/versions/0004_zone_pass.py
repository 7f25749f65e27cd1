"""zone pick-and-pass: a zone task waits for the order's zone before it; every tote of an order

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 17:56:43.786405
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_tote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("tote_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("zone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("destination", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("taken_by_task_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_tote_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_task_id"], ["task.id"], name=op.f("fk_order_tote_taken_by_task_id_task")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_order_tote_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_tote")),
    )
    with op.batch_alter_table("order_tote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_tote_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_tote_tote_code"), ["tote_code"], unique=False)

    # Not in batch mode: SQLite would copy the task table, which the task lines reference
    # (with foreign keys on, dropping the old copy fails); so a plain column, no constraint.
    op.add_column("task", sa.Column("after_task_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_task_after_task_id"), "task", ["after_task_id"], unique=False)

    # No table references task_container: SQLite may copy it to widen the destination.
    with op.batch_alter_table("task_container", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("arriving_tote", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column("arriving_from", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.alter_column(
            "destination",
            existing_type=sa.VARCHAR(length=40),
            type_=sqlmodel.sql.sqltypes.AutoString(length=60),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("task_container", schema=None) as batch_op:
        batch_op.alter_column(
            "destination",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=60),
            type_=sa.VARCHAR(length=40),
            existing_nullable=False,
        )
        batch_op.drop_column("arriving_from")
        batch_op.drop_column("arriving_tote")

    op.drop_index(op.f("ix_task_after_task_id"), table_name="task")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("after_task_id")

    with op.batch_alter_table("order_tote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_tote_tote_code"))
        batch_op.drop_index(batch_op.f("ix_order_tote_order_id"))

    op.drop_table("order_tote")
