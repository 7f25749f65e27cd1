"""Received units onto a license plate at a dock (or held) location, never allocatable there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from toteflow.central.ports.putaway import NewPlate, PlateRow
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.putaway.common import HOLDING, RECEIVING, move_stock
from toteflow.domain.actor import Actor
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.plates import PlateStatus, plate_code_problem
from toteflow.domain.roles import Permission
from toteflow.domain.words import plural

MAX_PLATE_UNITS = 1_000_000


@dataclass(frozen=True)
class Receipt:
    """Units of one SKU and lot received onto one plate.

    `plate` is the pallet's SSCC or a pre-printed LP code; None gives the plate an internal
    LP code (print its label with GET /plates/{code}/label). `hold` puts it on hold (damage,
    quality check) with that reason; a plate received at a quarantine or quality location
    is held whatever `hold` says.
    """

    sku: str
    quantity: int
    location: str
    plate: str | None = None
    lot: str = ""
    expiry: date | None = None
    hold: str | None = None
    event_id: str | None = None


def receive_to_plate(uow: UnitOfWork, actor: Actor, receipt: Receipt, at: datetime) -> PlateRow:
    """Put received units on a plate, in the caller's unit of work (not committed here).

    The units become stock at the receiving location, which allocation never draws on
    (docks, quarantine and quality locations are not pickable), until the plate is put away.
    Raises NotFound / Refused / Conflict (a plate code already received) before writing.
    """
    actor.require(Permission.PUT_AWAY)
    if not 1 <= receipt.quantity <= MAX_PLATE_UNITS:
        raise Refused(f"quantity must be 1 to {MAX_PLATE_UNITS:,}, got {receipt.quantity}")
    if receipt.plate is not None and (problem := plate_code_problem(receipt.plate)):
        raise Refused(problem)
    where = uow.putaway.location(receipt.location, contents=False)
    if where is None:
        raise NotFound(f"no location {receipt.location}")
    if where.kind not in RECEIVING:
        raise Refused(
            f"{receipt.location} is a {where.kind} location: receive onto a dock, quarantine "
            "or quality location, so that the units are not allocated before put-away"
        )
    facts = uow.putaway.product_facts(receipt.sku)
    if facts is None:
        raise NotFound(f"no product with SKU {receipt.sku}")
    lot_tracked, expiry_tracked = uow.catalogue.tracking_of([receipt.sku]).get(
        receipt.sku, (False, False)
    )
    if lot_tracked and not receipt.lot:
        raise Refused(f"{receipt.sku} is lot-tracked: give the lot of the units received")
    if expiry_tracked and receipt.expiry is None:
        raise Refused(f"{receipt.sku} is expiry-tracked: give the expiry date")
    held = receipt.hold is not None or where.kind in HOLDING
    reason = (receipt.hold or f"held at {where.kind} location {where.code}") if held else ""
    row = uow.putaway.add_plate(
        NewPlate(
            code=receipt.plate,
            location_id=where.id,
            product_id=facts.id,
            lot=receipt.lot,
            expiry=receipt.expiry,
            quantity=receipt.quantity,
            status=PlateStatus.HELD if held else PlateStatus.RECEIVED,
            hold_reason=reason[:200],
            received_at=at,
        )
    )
    move_stock(uow, row, where.code, receipt.quantity, note=f"received on plate {row.code}")
    uow.audit.record(
        actor,
        "plate.received",
        "plate",
        row.code,
        {
            "sku": receipt.sku,
            "lot": receipt.lot,
            "expiry": receipt.expiry.isoformat() if receipt.expiry else None,
            "quantity": receipt.quantity,
            "location": where.code,
            "held": held,
            "hold_reason": reason,
            "words": f"{plural(receipt.quantity, 'unit')} of {receipt.sku} on {row.code}",
        },
        event_id=receipt.event_id,
    )
    return row
