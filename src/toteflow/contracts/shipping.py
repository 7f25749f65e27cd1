"""Wire models for packing and shipping: pack orders, SSCC blocks, shipments, webhooks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.common import CarrierCode, Code, Day, Int, Model
from toteflow.contracts.orders import Address
from toteflow.contracts.people import Badge
from toteflow.domain.orders import OrderStatus
from toteflow.domain.roles import Role

ShipmentStatus = Literal["open", "packed", "shipped"]


class SsccBlockRequest(Model):
    count: Int = Field(50, ge=1, le=10_000)


class SsccBlock(Model):
    """Serial references first..last (inclusive) under this prefix, for one station only."""

    company_prefix: str
    extension_digit: int
    first: int
    last: int


class PackLine(Model):
    sku: str
    description: str
    ordered: int
    picked: int
    upright: bool
    units: list[ProductUnit]
    # What the item's label must carry at packing, checked as at picking.
    lot_tracked: bool = False
    expiry_tracked: bool = False
    serial_tracked: bool = False
    lot_substitution: bool = False
    # The lots the units were picked from (the task lines' reserved lots).
    lots: list[str] = Field(default_factory=list)


class OrderTote(Model):
    """One tote of an order and where it is: picking (in a zone), travelling, at packing."""

    tote: str
    state: Literal["picking", "travelling", "at_packing"]
    # The zone picking into it, or where it was sent ("pack", "zone:B", "consolidation").
    place: str


class CrossDockedUnits(Model):
    """Units a receipt brought straight to packing for the order: picked, in no tote."""

    sku: str
    quantity: int
    location: str


class PackOrder(Model):
    """An order as a pack station needs it: what to verify, where it goes, how it should go."""

    reference: str
    status: OrderStatus
    customer_name: str
    ship_to: Address
    carrier: str
    service: str
    ship_by: date
    priority: int
    totes: list[str]
    lines: list[PackLine]
    # Every tote of the order with where it is, and the work not yet begun ("zone C",
    # "task 12"): the pack desk waits until every tote is at packing and nothing is to come.
    tote_trail: list[OrderTote] = Field(default_factory=list)
    to_pick: list[str] = Field(default_factory=list)
    # Cross-docked units waiting at a packing location (counted in the lines' picked).
    cross_docked: list[CrossDockedUnits] = Field(default_factory=list)


class WeightApprovalRequest(Model):
    """A packer asks a supervisor's badge to approve a weight far outside tolerance."""

    badge: Badge
    order: Code
    weight_g: Int = Field(ge=0, le=2_000_000)
    expected_weight_g: Int = Field(ge=0, le=2_000_000)
    reason: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]


class WeightApproval(Model):
    """The supervisor whose badge approved it (the approval is audited on the server)."""

    user_id: int
    name: str
    role: Role


class ShipmentBox(Model):
    box_no: int
    box_code: str
    sscc: str
    tracking: str
    weight_g: int
    expected_weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    contents: dict[str, int]
    label_prints: int
    label_printed_at: datetime | None


class Shipment(Model):
    id: int
    key: str
    order_reference: str
    status: ShipmentStatus
    carrier: str
    service: str
    weight_g: int
    cost_cents: int | None
    partial: bool
    overridden: bool
    # Units the packer keyed in (the SKU typed, not scanned): they count against accuracy.
    keyed_units: int = 0
    manifest_id: int | None
    station_id: int | None
    user_id: int | None
    created_at: datetime
    packed_at: datetime | None
    shipped_at: datetime | None
    boxes: list[ShipmentBox]


class ShipmentFilter(Model):
    status: ShipmentStatus | None = None
    carrier: str | None = None
    order_reference: str | None = None
    shipped_on: date | None = None


class ManifestCreate(Model):
    carrier: CarrierCode
    # The pick-up day; empty: today (server time, UTC).
    ship_date: Day | None = None


class Manifest(Model):
    id: int
    carrier: str
    ship_date: date
    closed_at: datetime
    closed_by: int | None
    shipments: int
    boxes: int
    weight_g: int


class WebhookDelivery(Model):
    id: int
    event: str
    entity_id: str
    url: str
    status: Literal["pending", "delivered"]
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
