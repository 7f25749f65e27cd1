"""order lines: drop the order_id index that uq_order_line_order_line_no already serves

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:10:00.000000

Every lookup of an order's lines (and the foreign key's checks) uses the unique index on
(order_id, line_no); the second index only cost each imported line another write.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_line_order_id"))


def downgrade() -> None:
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_line_order_id"), ["order_id"], unique=False)
