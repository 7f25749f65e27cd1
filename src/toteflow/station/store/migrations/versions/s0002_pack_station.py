"""pack station: orders being packed, cartons, SSCC pool, print queue

Revision ID: s0002
Revises: s0001
Create Date: 2026-11-22 03:33:30.998344
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "s0002"
down_revision: str | None = "s0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pack_order",
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("order", sa.JSON(), nullable=False),
        sa.Column("shipment_key", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("verified", sa.JSON(), nullable=False),
        sa.Column("shorted", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_pack_order_status")),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_pack_order")),
        sa.UniqueConstraint("shipment_key", name=op.f("uq_pack_order_shipment_key")),
    )
    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("printer", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('label', 'slip')", name=op.f("ck_print_job_kind")),
        sa.CheckConstraint("status IN ('queued', 'printed')", name=op.f("ck_print_job_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_job")),
    )
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_job_reference"), ["reference"], unique=False)
        batch_op.create_index("ix_print_job_status_id", ["status", "id"], unique=False)

    op.create_table(
        "sscc_pool",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_prefix", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("extension_digit", sa.Integer(), nullable=False),
        sa.Column("next_serial", sa.BigInteger(), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("next_serial <= last_serial + 1", name=op.f("ck_sscc_pool_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sscc_pool")),
    )
    op.create_table(
        "pack_carton",
        sa.Column("sscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("box_no", sa.Integer(), nullable=False),
        sa.Column("box_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("box_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("tracking", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column("expected_weight_g", sa.Integer(), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("contents", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reference"],
            ["pack_order.reference"],
            name=op.f("fk_pack_carton_reference_pack_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sscc", name=op.f("pk_pack_carton")),
        sa.UniqueConstraint("reference", "box_no", name="uq_pack_carton_reference_box_no"),
    )
    with op.batch_alter_table("pack_carton", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pack_carton_reference"), ["reference"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pack_carton", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_carton_reference"))

    op.drop_table("pack_carton")
    op.drop_table("sscc_pool")
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.drop_index("ix_print_job_status_id")
        batch_op.drop_index(batch_op.f("ix_print_job_reference"))

    op.drop_table("print_job")
    op.drop_table("pack_order")
