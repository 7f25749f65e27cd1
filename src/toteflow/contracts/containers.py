"""Wire models for carts and totes, each with its own barcode."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from toteflow.contracts.common import Int, Model, Number

ContainerCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]{0,39}$")
]


class CartCreate(Model):
    code: ContainerCode
    slots: Int = Field(8, ge=1, le=64)
    max_volume_l: Number = Field(400.0, gt=0, le=10_000)
    max_weight_kg: Number = Field(150.0, gt=0, le=2_000)


class Cart(CartCreate):
    id: int


class ToteCreate(Model):
    code: ContainerCode
    volume_l: Number = Field(50.0, gt=0, le=2_000)


class Tote(ToteCreate):
    id: int


class ContainersCreate(Model):
    """Carts and totes registered together; codes already known are left as they are."""

    carts: list[CartCreate] = Field(default_factory=list, max_length=1000)
    totes: list[ToteCreate] = Field(default_factory=list, max_length=10_000)


class ContainersCreated(Model):
    carts_added: int
    totes_added: int
