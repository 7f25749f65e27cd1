"""put-away: storage attributes of locations and products, license plates, space reservations

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:40:00.000000

Existing locations (and rows written later by raw INSERT or COPY) get the defaults a pallet location has (1200 x 1000 x 1500 mm, 1 t,
one SKU, ambient) and existing products velocity C, so put-away works before anyone sets
them; two new location kinds hold received stock that must not be allocated: quarantine and
quality.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('pick_face', 'reserve', 'staging', 'pack', 'dock')"
NEW_KINDS = "kind IN ('pick_face', 'reserve', 'staging', 'pack', 'dock', 'quarantine', 'quality')"
_TEXT = sqlmodel.sql.sqltypes.AutoString
_LOCATION_DEFAULTS = {
    "storage_class": "ambient",
    "length_mm": "1200",
    "width_mm": "1000",
    "height_mm": "1500",
    "max_weight_g": "1000000",
    "upright_allowed": sa.true(),
    "mixing": "same_sku",
}


def upgrade() -> None:
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_location_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_location_kind"), NEW_KINDS)
        batch_op.add_column(
            sa.Column("storage_class", _TEXT(length=20), nullable=False, server_default="ambient")
        )
        for name, default in (
            ("length_mm", "1200"),
            ("width_mm", "1000"),
            ("height_mm", "1500"),
            ("max_weight_g", "1000000"),
        ):
            batch_op.add_column(
                sa.Column(name, sa.Integer(), nullable=False, server_default=default)
            )
        batch_op.add_column(
            sa.Column("upright_allowed", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("mixing", _TEXT(length=12), nullable=False, server_default="same_sku")
        )
        batch_op.add_column(sa.Column("velocity_zone", _TEXT(length=1), nullable=True))
        batch_op.add_column(sa.Column("home_product_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_quantity", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_location_home_product_id_product"),
            "product",
            ["home_product_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_location_mixing"),
            "mixing IN ('empty_only', 'same_sku', 'same_lot', 'mixed')",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_location_velocity_zone"),
            "velocity_zone IS NULL OR velocity_zone IN ('A', 'B', 'C')",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_location_storage_size"),
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0 AND max_weight_g > 0",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_location_max_quantity"), "max_quantity IS NULL OR max_quantity > 0"
        )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("velocity", _TEXT(length=1), nullable=False, server_default="C")
        )
        batch_op.add_column(
            sa.Column("storage_class", _TEXT(length=20), nullable=False, server_default="ambient")
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_product_velocity"), "velocity IN ('A', 'B', 'C')"
        )
    op.create_table(
        "plate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _TEXT(length=40), nullable=False),
        sa.Column("status", _TEXT(length=14), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot", _TEXT(length=40), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("hold_reason", _TEXT(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("put_away_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'putting_away', 'stored', 'held', 'rejected')",
            name=op.f("ck_plate_status"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_plate_quantity_positive")),
        sa.CheckConstraint(
            "remaining >= 0 AND remaining <= quantity", name=op.f("ck_plate_remaining_range")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_plate_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_plate_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plate")),
        sa.UniqueConstraint("code", name=op.f("uq_plate_code")),
    )
    with op.batch_alter_table("plate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plate_location_id"), ["location_id"], unique=False)
        batch_op.create_index("ix_plate_status", ["status", "id"], unique=False)

    op.create_table(
        "location_reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plate_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("volume_mm3", sa.BigInteger(), nullable=False),
        sa.Column("weight_g", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_location_reservation_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["plate_id"], ["plate.id"], name=op.f("fk_location_reservation_plate_id_plate")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_location_reservation_location_id_location"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_line.id"],
            name=op.f("fk_location_reservation_order_line_id_order_line"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_reservation")),
    )
    with op.batch_alter_table("location_reservation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_location_reservation_plate_id"), ["plate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_location_reservation_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_location_reservation_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("location_reservation")
    op.drop_table("plate")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_product_velocity"), type_="check")
        batch_op.drop_column("storage_class")
        batch_op.drop_column("velocity")
    # Held stock has nowhere to go in the old schema: its locations become docks.
    op.execute("UPDATE location SET kind = 'dock' WHERE kind IN ('quarantine', 'quality')")
    with op.batch_alter_table("location", schema=None) as batch_op:
        for name in ("max_quantity", "storage_size", "velocity_zone", "mixing", "kind"):
            batch_op.drop_constraint(batch_op.f(f"ck_location_{name}"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_location_home_product_id_product"), type_="foreignkey"
        )
        for name in (
            "max_quantity",
            "home_product_id",
            "velocity_zone",
            *_LOCATION_DEFAULTS,
        ):
            batch_op.drop_column(name)
        batch_op.create_check_constraint(batch_op.f("ck_location_kind"), OLD_KINDS)
