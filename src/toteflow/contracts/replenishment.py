"""Wire models for replenishment: pick faces' min/max, replenishments, the sweep's result."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from toteflow.contracts.common import Count, Model, Moment, Quantity

ReplenStatus = Literal["open", "taken", "done", "cancelled"]
Trigger = Literal["pick", "wave", "schedule", "request"]


class FaceLimitIn(Model):
    """A pick face's minimum and maximum of one SKU, in base units."""

    minimum: Count = Field(description="below this the face is replenished")
    maximum: Quantity = Field(description="a replenishment brings the face up to this")


class FaceLimit(Model):
    location: str
    sku: str
    minimum: int
    maximum: int
    updated_at: Moment


class Replenishment(Model):
    """Units to bring from a source (reserve, or another face) to a pick face."""

    id: int
    status: ReplenStatus
    trigger: Trigger
    location: str = Field(description="the pick face to fill")
    sku: str
    description: str
    source: str = Field(description="the location to take the units from")
    source_kind: str
    plate: str | None = Field(description="a whole plate to bring, when it is one")
    lot: str
    quantity: int
    moved: int
    wave_id: int | None
    before_task_id: int | None = Field(description="a wave's first task picking at the face")
    created_at: Moment
    barcodes: dict[str, int] = Field(
        default_factory=dict, description="the product's barcodes and the units each counts"
    )


class SweepResult(Model):
    """What a sweep for faces below minimum found and made."""

    checked: int
    below_minimum: int
    created: list[int]
    without_source: list[str] = Field(description="faces below minimum with nowhere to fill from")
