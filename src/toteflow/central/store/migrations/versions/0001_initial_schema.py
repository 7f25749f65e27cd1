"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:36:16.033357
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("badge", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('picker', 'packer', 'supervisor', 'admin')", name=op.f("ck_app_user_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("badge", name=op.f("uq_app_user_badge")),
    )
    op.create_table(
        "cart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("max_volume_l", sa.Float(), nullable=False),
        sa.Column("max_weight_kg", sa.Float(), nullable=False),
        sa.CheckConstraint("slots > 0", name=op.f("ck_cart_slots_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart")),
        sa.UniqueConstraint("code", name=op.f("uq_cart_code")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("customer_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("ship_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("ship_line1", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("ship_line2", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("ship_city", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("ship_region", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("ship_postal_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("ship_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("carrier", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("ship_by", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("held_from", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'allocated', 'released', 'picking', 'picked', 'packed', 'shipped', 'on_hold', 'cancelled')",
            name=op.f("ck_orders_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("reference", name=op.f("uq_orders_reference")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_status_ship_by", ["status", "ship_by"], unique=False)

    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("lot_tracked", sa.Boolean(), nullable=False),
        sa.Column("expiry_tracked", sa.Boolean(), nullable=False),
        sa.Column("serial_tracked", sa.Boolean(), nullable=False),
        sa.Column("lot_substitution", sa.Boolean(), nullable=False),
        sa.Column("upright", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_sku")),
    )
    op.create_table(
        "station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station")),
        sa.UniqueConstraint("name", name=op.f("uq_station_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_station_token_hash")),
    )
    op.create_table(
        "tote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("volume_l", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tote")),
        sa.UniqueConstraint("code", name=op.f("uq_tote_code")),
    )
    op.create_table(
        "zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("first_aisle", sa.Integer(), nullable=False),
        sa.Column("last_aisle", sa.Integer(), nullable=False),
        sa.CheckConstraint("first_aisle <= last_aisle", name=op.f("ck_zone_aisle_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone")),
        sa.UniqueConstraint("name", name=op.f("uq_zone_name")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_audit_log_station_id_station")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_audit_log_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_log_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("aisle", sa.Integer(), nullable=True),
        sa.Column("bay", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('pick_face', 'reserve', 'staging', 'pack', 'dock')",
            name=op.f("ck_location_kind"),
        ),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"], name=op.f("fk_location_zone_id_zone")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
        sa.UniqueConstraint("code", name=op.f("uq_location_code")),
    )
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_location_zone_id"), ["zone_id"], unique=False)

    op.create_table(
        "order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("picked", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "allocated >= 0 AND allocated <= quantity", name=op.f("ck_order_line_allocated_range")
        ),
        sa.CheckConstraint(
            "picked >= 0 AND picked <= quantity", name=op.f("ck_order_line_picked_range")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_line_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_line_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_order_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line")),
        sa.UniqueConstraint("order_id", "line_no", name="uq_order_line_order_line_no"),
    )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_line_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_line_product_id"), ["product_id"], unique=False)

    op.create_table(
        "product_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("uom", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("barcode", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("barcode_kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "barcode_kind IN ('gtin8', 'gtin12', 'gtin13', 'gtin14', 'internal')",
            name=op.f("ck_product_unit_barcode_kind"),
        ),
        sa.CheckConstraint("units > 0", name=op.f("ck_product_unit_units_positive")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_product_unit_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_unit")),
        sa.UniqueConstraint("barcode", name=op.f("uq_product_unit_barcode")),
        sa.UniqueConstraint("product_id", "uom", name="uq_product_unit_product_uom"),
    )
    with op.batch_alter_table("product_unit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_unit_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_user_session_station_id_station")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_session_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_session_station_id"), ["station_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_stock_quantity_not_negative")),
        sa.CheckConstraint("reserved <= quantity", name=op.f("ck_stock_reserved_within_quantity")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_reserved_not_negative")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_stock_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_stock_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock")),
    )
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_product_id"), ["product_id"], unique=False)

    # One row per location, product, lot and expiry; autogenerate cannot see expression indexes.
    op.create_index(
        "uq_stock_position",
        "stock",
        ["location_id", "product_id", "lot", sa.text("coalesce(expiry, '0001-01-01')")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_stock_position", table_name="stock")
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_product_id"))
        batch_op.drop_index(batch_op.f("ix_stock_location_id"))

    op.drop_table("stock")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_session_station_id"))

    op.drop_table("user_session")
    with op.batch_alter_table("product_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_unit_product_id"))

    op.drop_table("product_unit")
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_line_product_id"))
        batch_op.drop_index(batch_op.f("ix_order_line_order_id"))

    op.drop_table("order_line")
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_zone_id"))

    op.drop_table("location")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
    op.drop_table("zone")
    op.drop_table("tote")
    op.drop_table("station")
    op.drop_table("product")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status_ship_by")

    op.drop_table("orders")
    op.drop_table("cart")
    op.drop_table("app_user")
