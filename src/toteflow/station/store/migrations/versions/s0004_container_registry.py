"""container registry: the carts and totes the server knows, and where each is

Revision ID: s0004
Revises: s0003
Create Date: 2026-12-04 18:30:00.000000

Filled from the change feed (`containers.updated`); a station upgraded from s0002 gets the
whole registry from the change the server's migration 0005 wrote.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "s0004"
down_revision: str | None = "s0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "container",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.Column("order_reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("destination", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('tote', 'cart')", name=op.f("ck_container_kind")),
        sa.CheckConstraint(
            "state IN ('free', 'in_task', 'travelling', 'at_packing')",
            name=op.f("ck_container_state"),
        ),
        sa.PrimaryKeyConstraint("kind", "code", name=op.f("pk_container")),
    )


def downgrade() -> None:
    op.drop_table("container")
