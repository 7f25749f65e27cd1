"""task lines and shipments count the units picked or packed on a typed-in SKU (keyed)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keyed", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("keyed_units", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_column("keyed_units")
    with op.batch_alter_table("task_line", schema=None) as batch_op:
        batch_op.drop_column("keyed")
