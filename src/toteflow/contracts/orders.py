"""Wire models for orders and their lines."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from toteflow.contracts.common import (
    AddressLine,
    CarrierCode,
    Code,
    Day,
    Int,
    Model,
    Optional80,
    OptionalAddressLine,
    Quantity,
    ShortText,
    Text20,
    Text80,
    Text200,
    duplicates,
)
from toteflow.domain.orders import OrderStatus

Country = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{2}$")]
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_./]{0,63}$")
]


class Address(Model):
    name: ShortText
    line1: AddressLine
    line2: OptionalAddressLine = ""
    city: Text80
    region: Optional80 = ""
    postal_code: Text20
    country: Country


class OrderLineIn(Model):
    sku: Code
    quantity: Quantity


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
    reference: Reference
    customer_name: ShortText
    ship_to: Address
    carrier: CarrierCode
    service: CarrierCode
    priority: Int = Field(5, ge=1, le=9)
    ship_by: Day
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)

    _lines = field_validator("lines")(_distinct_skus)


class OrderBatch(Model):
    orders: list[OrderCreate] = Field(min_length=1, max_length=1000)

    @field_validator("orders")
    @classmethod
    def _distinct_references(cls, orders: list[OrderCreate]) -> list[OrderCreate]:
        # Two copies of one reference cannot both be created: say so rather than keep one.
        twice = duplicates(order.reference for order in orders)
        if twice:
            raise ValueError(
                f"each reference may appear once in a batch; sent more than once: "
                f"{', '.join(twice[:20])}{' ...' if len(twice) > 20 else ''}"
            )
        return orders


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
    ship_by: Day
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
    reason: Text200


class OrderFilter(Model):
    status: OrderStatus | None = None
    carrier: str | None = None
    ship_by_before: Day | None = None
    priority: Int | None = Field(None, ge=1, le=9)
    reference_prefix: str | None = None
