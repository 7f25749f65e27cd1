"""pack station: what item scans carried (keyed units, lots, serials) per order

Revision ID: s0005
Revises: s0004
Create Date: 2026-12-04 18:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0005"
down_revision: str | None = "s0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pack_order") as batch:
        batch.add_column(sa.Column("marks", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("pack_order") as batch:
        batch.drop_column("marks")
