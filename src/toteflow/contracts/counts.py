"""Wire models for cycle counts: the blind count task, what was counted, the supervisor view."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from toteflow.contracts.common import (
    MAX_QUANTITY,
    Code,
    Count,
    Day,
    Int,
    Model,
    Moment,
    Optional40,
    Optional200,
)

CountReason = Literal["schedule", "empty", "short", "putaway_conflict", "request", "recount"]
CountStatus = Literal["open", "awaiting_approval", "closed", "cancelled"]


class CountTask(Model):
    """A count as a counter gets it: where to count and why. Blind by construction: there is
    no book or expected quantity here, so none can reach a station."""

    id: int
    location: str
    zone: str | None
    reason: CountReason
    recount: bool
    created_at: Moment


class CountedItem(Model):
    """What the counter found of one SKU (and lot, expiry) at the location."""

    sku: Code
    lot: Optional40 = ""
    expiry: Day | None = None
    quantity: Count = Field(le=MAX_QUANTITY)


class CountFinish(Model):
    """A count finished through the API (a station sends the same as a count.finished event)."""

    items: list[CountedItem] = Field(max_length=500)


class CountRequest(Model):
    """A supervisor's request: count one location, every location of an aisle, or every
    location holding a SKU."""

    location: Code | None = None
    aisle: Int | None = Field(None, ge=1, le=999)
    sku: Code | None = None

    @model_validator(mode="after")
    def _one(self) -> CountRequest:
        named = [v for v in (self.location, self.aisle, self.sku) if v is not None]
        if len(named) != 1:
            raise ValueError("name exactly one of location, aisle or sku")
        return self


class CountsCreated(Model):
    created: list[CountTask]
    # Locations that already had a live count: that count covers the request.
    already_open: int


class CountLineView(Model):
    sku: str
    lot: str
    expiry: Day | None
    counted: int
    book: int
    variance: int


class CountView(Model):
    """A count as a supervisor sees it, the book and variances with it."""

    id: int
    location: str
    zone: str | None
    status: CountStatus
    reason: CountReason
    outcome: str
    recount_of: int | None
    counter_id: int | None
    counted_at: Moment | None
    variance_units: int
    lines: list[CountLineView]
    note: str


class CountDecision(Model):
    approve: bool
    note: Optional200 = ""


class Accuracy(Model):
    """Locations counted (a count's final result) and how many of them without variance."""

    zone: str | None
    velocity: str
    counted: int
    accurate: int
    accuracy_pct: float


class AccuracyReport(Model):
    rows: list[Accuracy]
    counted: int
    accurate: int
