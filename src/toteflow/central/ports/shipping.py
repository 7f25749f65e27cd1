"""The ports shipping needs on the server: its repositories, label rendering, webhook sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from toteflow.contracts import shipping as sh
from toteflow.contracts.common import Page
from toteflow.contracts.orders import Address
from toteflow.domain.labels import PackingSlip, ShippingLabel
from toteflow.domain.shipping_batch import ShippingBatch


@dataclass(frozen=True)
class DueDelivery:
    id: int
    url: str
    event: str
    body: str
    attempts: int  # including the one now claimed


@dataclass(frozen=True)
class LabelSource:
    """What the server knows to draw a recorded box's label again."""

    shipment: sh.Shipment
    box: sh.ShipmentBox
    ship_to: Address
    order_reference: str


class SsccRepo(Protocol):
    """The SSCC serials handed to stations in blocks."""

    def reserve(
        self,
        company_prefix: str,
        extension_digit: int,
        count: int,
        station_id: int,
        user_id: int | None,
    ) -> sh.SsccBlock:
        """The next `count` serials, moved past with one conditional update; never reissued."""
        ...


class ShipmentRepo(Protocol):
    """Shipments and their boxes: what packing reads and the pack events write."""

    def pack_order(self, key: str) -> sh.PackOrder | None:
        """The order by reference, or the order whose picked tote carries this code."""
        ...

    def load_batch(
        self, orders: set[str], shipment_keys: set[str], ssccs: set[str], station_id: int
    ) -> ShippingBatch:
        """What a batch of pack events touches; the orders locked for this transaction."""
        ...

    def write_batch(
        self, batch: ShippingBatch, station_id: int, users: dict[str, int | None]
    ) -> None: ...
    def find(self, filters: sh.ShipmentFilter, offset: int, limit: int) -> Page[sh.Shipment]: ...
    def get(self, shipment_id: int) -> sh.Shipment | None: ...
    def label_source(self, sscc: str) -> LabelSource | None: ...


class ManifestRepo(Protocol):
    """Carrier manifests: closing one ships what it lists."""

    def ship(
        self, carrier: str, ship_date: date, user_id: int | None, now: datetime
    ) -> tuple[sh.Manifest, list[sh.Shipment]]:
        """Ship every packed shipment of `carrier` not yet on a manifest; their orders too."""
        ...

    def find(self, offset: int, limit: int) -> Page[sh.Manifest]: ...


class WebhookRepo(Protocol):
    """The webhook deliveries waiting to be sent, and those sent."""

    def enqueue(self, rows: list[dict[str, Any]]) -> None: ...
    def claim_deliveries(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[DueDelivery]:
        """Due deliveries, each pushed to `lease_until` so no other sender takes it meanwhile."""
        ...

    def delivery_succeeded(self, delivery_id: int, status: int, now: datetime) -> None: ...
    def delivery_failed(
        self, delivery_id: int, status: int | None, error: str, next_attempt_at: datetime
    ) -> None: ...
    def deliveries(
        self, status: str | None, offset: int, limit: int
    ) -> Page[sh.WebhookDelivery]: ...
    def retry_delivery(self, delivery_id: int, now: datetime) -> sh.WebhookDelivery | None: ...


class LabelRenderer(Protocol):
    def label(self, label: ShippingLabel, fmt: str) -> bytes: ...
    def slip(self, slip: PackingSlip, fmt: str) -> bytes: ...


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST and return the HTTP status; raise OSError-like WebhookFailed when unreachable."""
        ...


class WebhookFailed(Exception):
    """The receiver could not be reached or did not answer in time."""
