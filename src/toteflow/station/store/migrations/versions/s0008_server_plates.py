"""server plates: the plates of the server's own that this station's receipts put units on

Revision ID: s0008
Revises: s0007
Create Date: 2026-12-07 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "s0008"
down_revision: str | None = "s0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_plate",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("notice", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("lot", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_server_plate")),
    )
    with op.batch_alter_table("server_plate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_server_plate_notice"), ["notice"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("server_plate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_server_plate_notice"))

    op.drop_table("server_plate")
