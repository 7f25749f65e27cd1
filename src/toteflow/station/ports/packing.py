"""The ports the pack station's use cases need: its local store, printers, the server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from toteflow.contracts.shipping import (
    PackOrder,
    SsccBlock,
    WeightApproval,
    WeightApprovalRequest,
)
from toteflow.domain.labels import PackingSlip, ShippingLabel


@dataclass(frozen=True)
class PackState:
    """An order at this station with the packer's progress on it."""

    reference: str
    order: PackOrder
    shipment_key: str
    status: str  # open or closed
    user_id: int | None
    verified: dict[str, int]
    shorted: dict[str, int]
    # Per SKU: {"keyed": units typed in, "lots": {lot: units}, "serials": [serial, ...]}.
    marks: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CartonRecord:
    sscc: str
    reference: str
    box_no: int
    box_code: str
    box_name: str
    tracking: str
    carrier: str
    service: str
    weight_g: int
    expected_weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    contents: dict[str, int]


@dataclass(frozen=True)
class PrintJob:
    id: int
    kind: str  # label or slip
    reference: str
    sscc: str
    title: str
    content: dict[str, Any]
    printer: str
    status: str  # queued or printed
    attempts: int
    last_error: str
    created_at: datetime
    printed_at: datetime | None = field(default=None)


class PackingRepo(Protocol):
    def get(self, reference: str) -> PackState | None: ...
    def upsert_order(
        self, order: PackOrder, shipment_key: str, user_id: int | None, at: datetime
    ) -> None:
        """Store the server's view; an order already open here keeps its progress."""
        ...

    def set_progress(
        self,
        reference: str,
        verified: dict[str, int],
        shorted: dict[str, int],
        at: datetime,
        marks: dict[str, Any] | None = None,
    ) -> None: ...
    def set_status(self, reference: str, status: str, at: datetime) -> None: ...
    def cartons(self, reference: str) -> list[CartonRecord]: ...
    def add_carton(self, carton: CartonRecord) -> None: ...
    def take_sscc(self) -> tuple[str, int, int] | None:
        """(company prefix, extension digit, serial) from the oldest block with serials left."""
        ...

    def sscc_left(self) -> int: ...
    def add_sscc_block(self, block: SsccBlock) -> None: ...
    def add_print_job(
        self,
        kind: str,
        reference: str,
        sscc: str,
        title: str,
        content: dict[str, Any],
        printer: str,
        at: datetime,
    ) -> int: ...
    def print_job(self, job_id: int) -> PrintJob | None: ...
    def jobs(self, *, queued_only: bool = True, reference: str | None = None) -> list[PrintJob]: ...
    def job_printed(self, job_id: int, printer: str, at: datetime) -> None: ...
    def job_failed(self, job_id: int, printer: str, error: str) -> None: ...
    def picked_totes(self, limit: int) -> list[tuple[str, str]]:
        """(tote, order reference) picked at this station for packing, not yet packed here."""
        ...


class PrinterDown(Exception):
    """The printer did not take the job; str() says which printer and why."""


class Printer(Protocol):
    """A printer adapter (devices.printer): raises PrinterDown when the job did not go."""

    @property
    def name(self) -> str: ...
    @property
    def format(self) -> str: ...
    def send(self, data: bytes, title: str) -> None: ...


class PackServer(Protocol):
    """What a pack station asks the server for on behalf of a logged-in packer."""

    async def pack_order(self, key: str, session_token: str) -> PackOrder: ...
    async def reserve_sscc(self, count: int, session_token: str) -> SsccBlock: ...
    async def approve_weight(
        self, request: WeightApprovalRequest, session_token: str
    ) -> WeightApproval:
        """A supervisor's badge approves a weight; Refused (with why) if it cannot."""
        ...


class LabelRenderer(Protocol):
    """Turns a label or packing slip into bytes for a printer (shared.labels renders them)."""

    def label(self, label: ShippingLabel, fmt: str) -> bytes: ...
    def slip(self, slip: PackingSlip, fmt: str) -> bytes: ...
