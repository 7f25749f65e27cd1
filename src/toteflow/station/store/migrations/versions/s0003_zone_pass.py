"""zone pick-and-pass: the tote arriving from the order's zone before; longer destinations

Revision ID: s0003
Revises: s0002
Create Date: 2026-12-04 18:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "s0003"
down_revision: str | None = "s0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
