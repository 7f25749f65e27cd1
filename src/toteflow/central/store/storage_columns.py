"""A location's storage attributes for put-away, as columns the location table inherits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

MIXING_RULES = ("empty_only", "same_sku", "same_lot", "mixed")
VELOCITIES = ("A", "B", "C")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def server_default(value: str) -> dict[str, Any]:
    return {"server_default": value}


def storage_checks() -> tuple[sa.CheckConstraint, ...]:
    """The location table's checks on its storage attributes (new objects for each table)."""
    return (
        sa.CheckConstraint(_one_of("mixing", MIXING_RULES), name="mixing"),
        sa.CheckConstraint(
            f"velocity_zone IS NULL OR {_one_of('velocity_zone', VELOCITIES)}",
            name="velocity_zone",
        ),
        sa.CheckConstraint(
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0 AND max_weight_g > 0",
            name="storage_size",
        ),
        sa.CheckConstraint("max_quantity IS NULL OR max_quantity > 0", name="max_quantity"),
    )


class StorageColumns(SQLModel):
    """Columns of `location` (not a table itself); defaults fit a pallet location."""

    # Storage attributes for put-away (domain/putaway_rules.py); the defaults fit a pallet.
    # Server defaults too: rows written by raw INSERT or COPY (imports) get them as well.
    storage_class: str = Field(
        default="ambient", max_length=20, sa_column_kwargs=server_default("ambient")
    )
    length_mm: int = Field(default=1200, sa_column_kwargs=server_default("1200"))
    width_mm: int = Field(default=1000, sa_column_kwargs=server_default("1000"))
    height_mm: int = Field(default=1500, sa_column_kwargs=server_default("1500"))
    max_weight_g: int = Field(default=1_000_000, sa_column_kwargs=server_default("1000000"))
    upright_allowed: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    mixing: str = Field(
        default="same_sku", max_length=12, sa_column_kwargs=server_default("same_sku")
    )
    velocity_zone: str | None = Field(default=None, max_length=1)
    # A pick face assigned to one product, and the most units of it the face holds.
    home_product_id: int | None = Field(default=None, foreign_key="product.id")
    max_quantity: int | None = None
