"""Wire models for carts and totes, each with its own barcode, and where each is in its life."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from toteflow.contracts.common import Int, Model, Number
from toteflow.domain.containers import (
    MAX_RANGE,
    ContainerState,
    Holding,
    LabelRangeError,
    expand_range,
)

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9\-]{0,39}$"
_CODE = re.compile(CODE_PATTERN)
ContainerCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=CODE_PATTERN)]
# "T000001-T000200": first and last label, both ends alike but for their number. The pattern
# says in the schema what it can (one label, or two joined by "-"); the rest is expand_range's.
_LABEL = r"[A-Za-z0-9][A-Za-z0-9\-]{0,39}"
LabelRange = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=81, pattern=rf"^\s*{_LABEL}(-{_LABEL})?\s*$"
    ),
]
StateName = Literal["free", "in_task", "travelling", "at_packing"]
KindName = Literal["tote", "cart"]


def _labels(text: str) -> list[str]:
    try:
        labels = expand_range(text)
    except LabelRangeError as exc:
        raise ValueError(str(exc)) from None
    bad = next((label for label in labels if not _CODE.match(label)), None)
    if bad is not None:
        raise ValueError(f"{bad!r} is not a label: letters, digits and '-', at most 40")
    return labels


class CartCreate(Model):
    code: ContainerCode
    slots: Int = Field(8, ge=1, le=64)
    max_volume_l: Number = Field(400.0, gt=0, le=10_000)
    max_weight_kg: Number = Field(150.0, gt=0, le=2_000)


class Cart(CartCreate):
    id: int
    state: StateName = "free"
    task_id: int | None = None


class ToteCreate(Model):
    code: ContainerCode
    volume_l: Number = Field(50.0, gt=0, le=2_000)


class Tote(ToteCreate):
    id: int
    state: StateName = "free"
    task_id: int | None = None
    slot: int | None = None
    order_reference: str = ""
    destination: str = ""
    units: int = 0
    # Where a closed tote is going ("pack", "zone B", "consolidation"), else None.
    travelling_to: str | None = None
    # The state in words: "free", "in slot 2 of task 7", "waiting at packing".
    description: str = "free"


class CartRangeCreate(Model):
    """Carts with the labels of a range ("C0001-C0012"), all alike."""

    labels: LabelRange
    slots: int = Field(8, ge=1, le=64)
    max_volume_l: float = Field(400.0, gt=0, le=10_000)
    max_weight_kg: float = Field(150.0, gt=0, le=2_000)

    @field_validator("labels")
    @classmethod
    def _range(cls, value: str) -> str:
        _labels(value)
        return value

    def expand(self) -> list[CartCreate]:
        spec = self.model_dump(exclude={"labels"})
        return [CartCreate(code=code, **spec) for code in _labels(self.labels)]


class ToteRangeCreate(Model):
    """Totes with the labels of a range ("T000001-T000200"), all alike."""

    labels: LabelRange
    volume_l: float = Field(50.0, gt=0, le=2_000)

    @field_validator("labels")
    @classmethod
    def _range(cls, value: str) -> str:
        _labels(value)
        return value

    def expand(self) -> list[ToteCreate]:
        return [ToteCreate(code=code, volume_l=self.volume_l) for code in _labels(self.labels)]


class ContainersCreate(Model):
    """Carts and totes registered together, one by one or by ranges of labels; codes
    already known are left as they are."""

    carts: list[CartCreate] = Field(default_factory=list, max_length=1000)
    totes: list[ToteCreate] = Field(default_factory=list, max_length=10_000)
    cart_ranges: list[CartRangeCreate] = Field(default_factory=list, max_length=100)
    tote_ranges: list[ToteRangeCreate] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _not_too_many(self) -> ContainersCreate:
        total = len(self.carts) + len(self.totes)
        ranges: list[CartRangeCreate | ToteRangeCreate] = [*self.cart_ranges, *self.tote_ranges]
        total += sum(len(_labels(r.labels)) for r in ranges)
        if total > MAX_RANGE * 2:
            raise ValueError(f"{total} containers in one request; at most {MAX_RANGE * 2}")
        return self

    def all_carts(self) -> list[CartCreate]:
        return self.carts + [cart for r in self.cart_ranges for cart in r.expand()]

    def all_totes(self) -> list[ToteCreate]:
        return self.totes + [tote for r in self.tote_ranges for tote in r.expand()]


class ContainersCreated(Model):
    carts_added: int
    totes_added: int


class ContainerRecord(Model):
    """A cart or tote in the change feed (`containers.updated`): the station's registry."""

    kind: KindName
    code: str
    state: StateName = "free"
    task_id: int | None = None
    slot: int | None = None
    order_reference: str = ""
    destination: str = ""
    units: int = 0

    def holding(self) -> Holding:
        return Holding(
            ContainerState(self.state),
            task_id=self.task_id,
            slot=self.slot,
            order_reference=self.order_reference,
            destination=self.destination,
            units=self.units,
        )

    @classmethod
    def of(cls, kind: KindName, code: str, holding: Holding) -> ContainerRecord:
        return cls(
            kind=kind,
            code=code,
            state=holding.state.value,
            task_id=holding.task_id,
            slot=holding.slot,
            order_reference=holding.order_reference,
            destination=holding.destination,
            units=holding.units,
        )


class ToteEmptied(Model):
    """A supervisor's (or a packer's) word that a tote is empty and can be used again."""

    reason: str = Field("emptied at packing", min_length=1, max_length=200)
