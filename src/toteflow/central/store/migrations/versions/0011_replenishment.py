"""replenishment: pick faces' min/max per SKU, replenishments (one open per face and SKU);
the replenisher role

Revision ID: 0011_replenishment
Revises: 0010
Create Date: 2026-12-07 23:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011_replenishment"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("picker", "packer", "supervisor", "admin", "receiver", "replenisher")
_OPEN = "status IN ('open', 'taken')"


def _roles(roles: tuple[str, ...]) -> str:
    return f"role IN ({', '.join(repr(role) for role in roles)})"


def upgrade() -> None:
    op.create_table(
        "face_limit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("maximum", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("maximum > 0", name=op.f("ck_face_limit_maximum_positive")),
        sa.CheckConstraint("minimum >= 0", name=op.f("ck_face_limit_minimum_not_negative")),
        sa.CheckConstraint("minimum <= maximum", name=op.f("ck_face_limit_minimum_within_maximum")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_face_limit_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_face_limit_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_limit")),
        sa.UniqueConstraint("location_id", "product_id", name=op.f("uq_face_limit_location_id")),
    )
    with op.batch_alter_table("face_limit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_face_limit_product_id"), ["product_id"], unique=False)

    op.create_table(
        "replenishment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("source_stock_id", sa.Integer(), nullable=False),
        sa.Column("plate_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("before_task_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("moved >= 0", name=op.f("ck_replenishment_moved_not_negative")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_replenishment_quantity_positive")),
        sa.CheckConstraint(
            "status IN ('open', 'taken', 'done', 'cancelled')",
            name=op.f("ck_replenishment_status"),
        ),
        sa.CheckConstraint(
            "trigger IN ('pick', 'wave', 'schedule', 'request')",
            name=op.f("ck_replenishment_trigger"),
        ),
        sa.ForeignKeyConstraint(
            ["before_task_id"], ["task.id"], name=op.f("fk_replenishment_before_task_id_task")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_replenishment_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["plate_id"], ["plate.id"], name=op.f("fk_replenishment_plate_id_plate")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_replenishment_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["source_stock_id"],
            ["stock.id"],
            name=op.f("fk_replenishment_source_stock_id_stock"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_replenishment_station_id_station")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_replenishment_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_replenishment_wave_id_wave")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replenishment")),
    )
    with op.batch_alter_table("replenishment", schema=None) as batch_op:
        batch_op.create_index("ix_replenishment_status", ["status", "priority", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_replenishment_source_stock_id"), ["source_stock_id"], unique=False
        )
        batch_op.create_index(
            "uq_replenishment_open",
            ["location_id", "product_id"],
            unique=True,
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )
    # Alembic does not compare CHECK constraints: the new role is written out by hand.
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_app_user_role"), type_="check")
        batch_op.create_check_constraint("role", _roles(ROLES))


def downgrade() -> None:
    # Replenishers cannot be kept under the old roles: they lose their access, keep their rows.
    op.execute("UPDATE app_user SET role = 'picker', active = false WHERE role = 'replenisher'")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_app_user_role"), type_="check")
        batch_op.create_check_constraint("role", _roles(ROLES[:-1]))
    with op.batch_alter_table("replenishment", schema=None) as batch_op:
        batch_op.drop_index("uq_replenishment_open")
        batch_op.drop_index(batch_op.f("ix_replenishment_source_stock_id"))
        batch_op.drop_index("ix_replenishment_status")
    op.drop_table("replenishment")
    with op.batch_alter_table("face_limit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_face_limit_product_id"))
    op.drop_table("face_limit")
