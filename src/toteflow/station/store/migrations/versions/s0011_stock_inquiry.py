"""stock inquiry: the station's copy of stock answers (positions, locations, plates)

Revision ID: s0011
Revises: s0009_replenishment
Create Date: 2026-12-07 23:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "s0011"
down_revision: str | None = "s0009_replenishment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "stock_place",
        sa.Column("code", _TEXT(length=64), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_stock_place")),
    )
    op.create_table(
        "stock_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location", _TEXT(length=64), nullable=False),
        sa.Column("location_kind", _TEXT(length=20), nullable=False),
        sa.Column("sku", _TEXT(length=64), nullable=False),
        sa.Column("description", _TEXT(length=200), nullable=False),
        sa.Column("lot", _TEXT(length=40), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("plates", sa.JSON(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_seen")),
    )
    with op.batch_alter_table("stock_seen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_seen_sku"), ["sku"], unique=False)
        batch_op.create_index("ix_stock_seen_position", ["location", "sku", "lot"], unique=True)
    op.create_table(
        "plate_seen",
        sa.Column("code", _TEXT(length=40), nullable=False),
        sa.Column("status", _TEXT(length=20), nullable=False),
        sa.Column("location", _TEXT(length=64), nullable=False),
        sa.Column("sku", _TEXT(length=64), nullable=False),
        sa.Column("lot", _TEXT(length=40), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_plate_seen")),
    )


def downgrade() -> None:
    op.drop_table("plate_seen")
    with op.batch_alter_table("stock_seen", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_seen_position")
        batch_op.drop_index(batch_op.f("ix_stock_seen_sku"))
    op.drop_table("stock_seen")
    op.drop_table("stock_place")
