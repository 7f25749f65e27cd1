"""Wire models for license plates and directed put-away: suggest, confirm, held stock."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from toteflow.contracts.common import Code, Day, Model, Moment, Optional200, Quantity, Text200
from toteflow.domain.plates import PLATE_PATTERN

PlateCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=PLATE_PATTERN, max_length=40)
]
PlateStatus = Literal["received", "putting_away", "stored", "held", "rejected"]
ElsewhereReason = Literal[
    "suggested_full",
    "suggested_blocked",
    "suggested_damaged",
    "cannot_reach",
    "supervisor_directed",
]
Rule = Literal["pick_face", "same_lot", "nearest_empty", "velocity"]


class Plate(Model):
    """A license plate: where it is, what is on it, and its dock-to-stock stamps."""

    code: str
    status: PlateStatus
    location: str
    sku: str
    lot: str
    expiry: Day | None
    quantity: int
    remaining: int
    hold_reason: str
    received_at: Moment
    put_away_at: Moment | None


class SuggestRequest(Model):
    plate: PlateCode


class SuggestedLeg(Model):
    location: str
    quantity: int
    rule: Rule
    reason: str


class CrossDockLeg(Model):
    order: str
    order_line_id: int
    quantity: int
    location: str | None = Field(description="the packing location to take the units to")
    reason: str


class Suggestion(Model):
    """Where a plate goes: cross-dock first, then up to four locations, each reserved."""

    plate: str
    sku: str
    quantity: int
    cross_dock: list[CrossDockLeg]
    legs: list[SuggestedLeg]
    unplaced: int
    why_not: str | None
    words: str
    expires_at: Moment | None


class ConfirmRequest(Model):
    plate: PlateCode
    location: Code
    quantity: Quantity | None = Field(
        None, description="units moved; default: what was suggested there, else all left"
    )
    reason: ElsewhereReason | None = Field(
        None, description="why the units went elsewhere than suggested"
    )


class Confirmed(Model):
    plate: Plate
    location: str
    quantity: int
    elsewhere: bool
    cross_dock_order: str | None
    words: str
    # Why fewer units than brought went to the cross-dock's order (cancelled, filled
    # meanwhile): those stay on the plate for a normal put-away.
    fallback: str | None = None


class ReleaseRequest(Model):
    note: Optional200 = ""


class RejectRequest(Model):
    reason: Text200
    disposition: Literal["scrap", "return_to_vendor"]


HeldAs = Literal["damaged", "quality", "not_on_notice", "held"]


class HeldPlate(Model):
    """A held plate for a supervisor to release or reject: what, where, and why held."""

    code: str
    sku: str
    lot: str
    expiry: Day | None
    quantity: int = Field(description="units on the plate now")
    location: str
    held_as: HeldAs = Field(
        description="damaged (quarantine), quality (inspection), not_on_notice, or held"
    )
    why: str = Field(description="why held, in words (the damage reasons when damaged)")
    damage: dict[str, int] = Field(description="damaged units by reason, from the receipt")
    notice: str | None = Field(description="the notice it was received on, if any")
    received_at: Moment


class PlateTime(Model):
    plate: str
    received_at: Moment
    put_away_at: Moment | None
    seconds: float | None


class DockToStockSummary(Model):
    plates: int
    waiting: int
    median_s: float | None
    p90_s: float | None
    max_s: float | None


class DockToStock(Model):
    plates: list[PlateTime]
    summary: DockToStockSummary


LabelFormat = Literal["zpl", "png"]
