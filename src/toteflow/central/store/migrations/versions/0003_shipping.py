"""shipping: sscc counter and blocks, shipments, boxes, manifests, webhook deliveries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:28:47.469973
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sscc_counter",
        sa.Column("company_prefix", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("extension_digit", sa.Integer(), nullable=False),
        sa.Column("next_serial", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("next_serial >= 0", name=op.f("ck_sscc_counter_serial_not_negative")),
        sa.PrimaryKeyConstraint("company_prefix", "extension_digit", name=op.f("pk_sscc_counter")),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered')", name=op.f("ck_webhook_delivery_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_delivery_due", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "manifest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("boxes", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["app_user.id"], name=op.f("fk_manifest_closed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifest")),
    )
    with op.batch_alter_table("manifest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manifest_carrier"), ["carrier"], unique=False)

    op.create_table(
        "sscc_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("company_prefix", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("extension_digit", sa.Integer(), nullable=False),
        sa.Column("first_serial", sa.BigInteger(), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_to", sa.Integer(), nullable=True),
        sa.CheckConstraint("first_serial <= last_serial", name=op.f("ck_sscc_block_range")),
        sa.ForeignKeyConstraint(
            ["issued_to"], ["app_user.id"], name=op.f("fk_sscc_block_issued_to_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_sscc_block_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sscc_block")),
    )
    with op.batch_alter_table("sscc_block", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sscc_block_station_id"), ["station_id"], unique=False)

    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("boxes", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column("cost_cents", sa.Integer(), nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("manifest_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("packed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'packed', 'shipped')", name=op.f("ck_shipment_status")
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"], ["manifest.id"], name=op.f("fk_shipment_manifest_id_manifest")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipment_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_shipment_station_id_station")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_shipment_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment")),
        sa.UniqueConstraint("key", name=op.f("uq_shipment_key")),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_manifest_id"), ["manifest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipment_order_id"), ["order_id"], unique=False)
        batch_op.create_index("ix_shipment_status_carrier", ["status", "carrier"], unique=False)

    op.create_table(
        "shipment_box",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("box_no", sa.Integer(), nullable=False),
        sa.Column("box_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("tracking", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column("expected_weight_g", sa.Integer(), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("contents", sa.JSON(), nullable=False),
        sa.Column("label_prints", sa.Integer(), nullable=False),
        sa.Column("label_printer", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("label_printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("weight_g >= 0", name=op.f("ck_shipment_box_weight_not_negative")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_shipment_box_shipment_id_shipment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_box")),
        sa.UniqueConstraint("shipment_id", "box_no", name="uq_shipment_box_shipment_box_no"),
        sa.UniqueConstraint("sscc", name=op.f("uq_shipment_box_sscc")),
    )
    with op.batch_alter_table("shipment_box", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_box_shipment_id"), ["shipment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shipment_box_tracking"), ["tracking"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shipment_box", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_box_tracking"))
        batch_op.drop_index(batch_op.f("ix_shipment_box_shipment_id"))

    op.drop_table("shipment_box")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index("ix_shipment_status_carrier")
        batch_op.drop_index(batch_op.f("ix_shipment_order_id"))
        batch_op.drop_index(batch_op.f("ix_shipment_manifest_id"))

    op.drop_table("shipment")
    with op.batch_alter_table("sscc_block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sscc_block_station_id"))

    op.drop_table("sscc_block")
    with op.batch_alter_table("manifest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifest_carrier"))

    op.drop_table("manifest")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_due")

    op.drop_table("webhook_delivery")
    op.drop_table("sscc_counter")
