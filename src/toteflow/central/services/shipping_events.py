"""Pack-station events on the server: checked at the edge, planned in memory, written set-based."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.contracts import sync
from toteflow.contracts.common import Code, Count, Flag, Int, Quantity, Text40
from toteflow.domain.shipping_batch import (
    CloseShipment,
    LabelPrinted,
    PackCarton,
    PackShort,
    ShippingCommand,
)
from toteflow.domain.tasks import FloorRefusal

_KEY = Field(min_length=1, max_length=36)


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Override(_Payload):
    """Why a packer accepted a weight outside tolerance, and who approved it."""

    reason: str = Field(pattern=r"^[a-z_]{1,40}$")
    approved_by: int | None = Field(None, ge=1, le=2**31 - 1)
    approver: str = Field("", max_length=120)


class _Carton(_Payload):
    shipment: str = _KEY
    order: Code
    box_no: Int = Field(ge=1, le=999)
    box_code: Text40
    sscc: str = Field(pattern=r"^[0-9]{18}$")
    tracking: Text40
    carrier: Text40
    service: Text40
    weight_g: Int = Field(ge=0, le=2_000_000)
    expected_weight_g: Int = Field(0, ge=0, le=2_000_000)
    length_mm: Int = Field(0, ge=0, le=10_000)
    width_mm: Int = Field(0, ge=0, le=10_000)
    height_mm: Int = Field(0, ge=0, le=10_000)
    contents: dict[Code, Count] = Field(min_length=1, max_length=500)
    weight_override: _Override | None = None


class _Label(_Payload):
    sscc: str = Field(pattern=r"^[0-9]{18}$")
    printer: str = Field("", max_length=60)


class _Close(_Payload):
    shipment: str = _KEY
    order: Code
    boxes: Int = Field(ge=1, le=999)
    carrier: Text40
    service: Text40
    cost_cents: Int | None = Field(None, ge=0, le=2_147_483_647)
    partial: Flag = False
    overridden: Flag = False
    keyed: dict[Code, Count] = Field(default_factory=dict, max_length=500)


class _Short(_Payload):
    order: Code
    sku: Code
    missing: Quantity
    reason: str = Field("not_found", pattern=r"^[a-z_]{1,40}$")


def _carton(p: dict[str, Any]) -> ShippingCommand:
    b = _Carton.model_validate(p)
    if any(q < 1 for q in b.contents.values()):
        raise FloorRefusal("carton.packed event is malformed: contents: quantities must be >= 1")
    return PackCarton(
        shipment_key=b.shipment,
        order=b.order,
        box_no=b.box_no,
        box_code=b.box_code,
        sscc=b.sscc,
        tracking=b.tracking,
        carrier=b.carrier,
        service=b.service,
        weight_g=b.weight_g,
        expected_weight_g=b.expected_weight_g,
        length_mm=b.length_mm,
        width_mm=b.width_mm,
        height_mm=b.height_mm,
        contents=dict(b.contents),
    )


def _label(p: dict[str, Any]) -> ShippingCommand:
    b = _Label.model_validate(p)
    return LabelPrinted(b.sscc, b.printer)


def _close(p: dict[str, Any]) -> ShippingCommand:
    b = _Close.model_validate(p)
    if any(q < 0 for q in b.keyed.values()):
        raise FloorRefusal("shipment.closed event is malformed: keyed: units must be >= 0")
    return CloseShipment(
        b.shipment,
        b.order,
        b.boxes,
        b.carrier,
        b.service,
        b.cost_cents,
        b.partial,
        b.overridden,
        sum(b.keyed.values()),
    )


def _short(p: dict[str, Any]) -> ShippingCommand:
    b = _Short.model_validate(p)
    return PackShort(b.order, b.sku, b.missing, b.reason)


PARSERS: dict[str, Callable[[dict[str, Any]], ShippingCommand]] = {
    "carton.packed": _carton,
    "label.printed": _label,
    "shipment.closed": _close,
    "pack.shorted": _short,
}


def handles(event_type: str) -> bool:
    return event_type in PARSERS


def command(event: sync.Event) -> ShippingCommand:
    try:
        return PARSERS[event.type](event.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise FloorRefusal(f"{event.type} event is malformed: {field}: {first['msg']}") from None


def apply(
    uow: UnitOfWork, station_id: int, events: list[sync.Event]
) -> tuple[list[EventOutcome], list[dict[str, Any]]]:
    """Plan and write the pack events of one push; their outcomes and floor exceptions."""
    if not events:
        return [], []
    planned: list[ShippingCommand | FloorRefusal] = []
    for event in events:
        try:
            planned.append(command(event))
        except FloorRefusal as refusal:
            planned.append(refusal)
    orders: set[str] = set()
    keys: set[str] = set()
    ssccs: set[str] = set()
    users: dict[str, int | None] = {}
    for event, c in zip(events, planned, strict=True):
        if isinstance(c, PackCarton):
            orders.add(c.order)
            keys.add(c.shipment_key)
            ssccs.add(c.sscc)
            users.setdefault(c.shipment_key, event.user_id)
        elif isinstance(c, CloseShipment):
            orders.add(c.order)
            keys.add(c.shipment_key)
        elif isinstance(c, LabelPrinted):
            ssccs.add(c.sscc)
        elif isinstance(c, PackShort):
            orders.add(c.order)
    batch = uow.shipments.load_batch(orders, keys, ssccs, station_id)
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    for event, c in zip(events, planned, strict=True):
        try:
            if isinstance(c, FloorRefusal):
                raise c
            result = batch.apply(c)
        except FloorRefusal as refusal:
            reason = str(refusal)
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(_exception("rejected_event", reason, station_id, event, None))
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        outcomes.append(EventOutcome(event, "applied", "", result))
        if isinstance(c, PackShort):
            order_id = batch.orders[c.order].id
            text = (
                f"{c.missing} x {c.sku} missing at packing for order {c.order} "
                f"({c.reason.replace('_', ' ')})"
            )
            exceptions.append(
                _exception(
                    "pack_short",
                    text,
                    station_id,
                    event,
                    order_id,
                    {"sku": c.sku, "missing": c.missing, "reason": c.reason},
                )
            )
        audit_event(
            uow,
            station_id,
            event,
            event.type,
            {
                "seq": event.seq,
                "payload": event.payload,
                "station_time": event.station_time.isoformat(),
            },
        )
        if isinstance(c, PackCarton):
            _audit_override(uow, station_id, event, c)
    uow.shipments.write_batch(batch, station_id, users)
    return outcomes, exceptions


def _exception(
    kind: str,
    reason: str,
    station_id: int,
    event: sync.Event,
    order_id: int | None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {**event_exception(kind, reason, station_id, event, detail=detail), "order_id": order_id}


def _audit_override(uow: UnitOfWork, station_id: int, event: sync.Event, c: PackCarton) -> None:
    """A weight accepted outside tolerance gets its own audit row, easy to find and count."""
    override = _Carton.model_validate(event.payload).weight_override
    if override is None:
        return
    audit_event(
        uow,
        station_id,
        event,
        "carton.weight_overridden",
        {
            "order": c.order,
            "sscc": c.sscc,
            "weight_g": c.weight_g,
            "expected_weight_g": c.expected_weight_g,
            "reason": override.reason,
            "approved_by": override.approved_by,
            "approver": override.approver,
        },
    )
