"""replenishment: open replenishments from the feed, with this station's steps

Revision ID: s0009_replenishment
Revises: s0008
Create Date: 2026-12-07 23:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "s0009_replenishment"
down_revision: str | None = "s0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replenishment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("plate", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("lot", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("before_task_id", sa.Integer(), nullable=True),
        sa.Column("barcodes", sa.JSON(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "step IN ('', 'taken', 'placed', 'short')", name=op.f("ck_replenishment_step")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replenishment")),
    )
    with op.batch_alter_table("replenishment", schema=None) as batch_op:
        batch_op.create_index("ix_replenishment_status", ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("replenishment", schema=None) as batch_op:
        batch_op.drop_index("ix_replenishment_status")
    op.drop_table("replenishment")
