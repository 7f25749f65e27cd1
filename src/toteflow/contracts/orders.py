"""Wire models for orders and their lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from toteflow.contracts.common import Code, Model, ShortText
from toteflow.domain.orders import OrderStatus

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Optional120 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]


class Address(Model):
    name: ShortText
    line1: ShortText
    line2: Optional120 = ""
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""
    postal_code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)
    ]
    country: Country


class OrderLineIn(Model):
    sku: Code
    quantity: int = Field(ge=1, le=100_000)


class OrderLine(OrderLineIn):
    line_no: int
    allocated: int
    picked: int


def _distinct_skus(lines: list[OrderLineIn]) -> list[OrderLineIn]:
    skus = [line.sku for line in lines]
    if len(set(skus)) != len(skus):
        raise ValueError("each SKU may appear on one line only: add the quantities together")
    return lines


class OrderCreate(Model):
    reference: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_./]{0,63}$")]
    customer_name: ShortText
    ship_to: Address
    carrier: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{1,40}$")]
    service: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{1,40}$")]
    priority: int = Field(5, ge=1, le=9)
    ship_by: date
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)

    _lines = field_validator("lines")(_distinct_skus)


class OrderBatch(Model):
    orders: list[OrderCreate] = Field(min_length=1, max_length=1000)


class OrderBatchResult(Model):
    created: list[str]
    already_present: list[str]


class Order(Model):
    id: int
    reference: str
    customer_name: str
    ship_to: Address
    carrier: str
    service: str
    priority: int
    ship_by: date
    status: OrderStatus
    held_from: OrderStatus | None
    cancel_reason: str
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLine]


class LinesReplace(Model):
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)

    _lines = field_validator("lines")(_distinct_skus)


class Reason(Model):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class OrderFilter(Model):
    status: OrderStatus | None = None
    carrier: str | None = None
    ship_by_before: date | None = None
    priority: int | None = Field(None, ge=1, le=9)
    reference_prefix: str | None = None
