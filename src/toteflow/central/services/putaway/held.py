"""Held stock: a supervisor releases a plate to put-away, or rejects it (written off)."""

from __future__ import annotations

from toteflow.central.ports.putaway import HeldRow, PlateOrigin
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.putaway.common import existing_plate, move_stock, plate_view
from toteflow.contracts import putaway as pa
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Refused
from toteflow.domain.plates import PlateStatus
from toteflow.domain.roles import Permission
from toteflow.domain.words import plural


def release_in(uow: UnitOfWork, actor: Actor, code: str, body: pa.ReleaseRequest) -> pa.Plate:
    """A held plate may be put away; it stays where it is until then (not allocatable)."""
    actor.require(Permission.ADJUST_STOCK)
    plate = existing_plate(uow, code, lock=True)
    if plate.status != PlateStatus.HELD:
        raise Refused(f"plate {code} is {plate.status}, not held: nothing to release")
    uow.putaway.set_plate(
        plate.id, status=PlateStatus.RECEIVED, expect=(PlateStatus.HELD,), hold_reason=""
    )
    detail = {"held_for": plate.hold_reason, "note": body.note, "location": plate.location}
    uow.audit.record(actor, "plate.released", "plate", code, detail)
    return plate_view(existing_plate(uow, code))


def reject_in(uow: UnitOfWork, actor: Actor, code: str, body: pa.RejectRequest) -> pa.Plate:
    """A held plate's units leave the books (scrapped or back to the vendor), audited."""
    actor.require(Permission.ADJUST_STOCK)
    plate = existing_plate(uow, code, lock=True)
    if plate.status != PlateStatus.HELD:
        raise Refused(
            f"plate {code} is {plate.status}: only held stock is rejected; "
            "adjust stock that is already put away"
        )
    if plate.remaining:
        move_stock(
            uow,
            plate,
            plate.location,
            -plate.remaining,
            note=f"rejected ({body.disposition})",
            kind="rejected",
        )
    uow.putaway.release(plate.id)
    uow.putaway.set_plate(
        plate.id,
        status=PlateStatus.REJECTED,
        expect=(PlateStatus.HELD,),
        hold_reason=body.reason,
        write_off=True,
    )
    detail = {
        "reason": body.reason,
        "disposition": body.disposition,
        "sku": plate.sku,
        "lot": plate.lot,
        "quantity": plate.remaining,
        "location": plate.location,
        "words": f"{plural(plate.remaining, 'unit')} of {plate.sku} written off",
    }
    uow.audit.record(actor, "plate.rejected", "plate", code, detail)
    return plate_view(existing_plate(uow, code))


def held_page_in(uow: UnitOfWork, actor: Actor, offset: int, limit: int) -> Page[pa.HeldPlate]:
    """Held plates with units on them, oldest first, each with why it is held."""
    actor.require(Permission.ADJUST_STOCK)
    rows, total = uow.held.held_plates(offset, limit)
    origins = uow.held.origins(rows)
    items = [held_view(row, origins.get(row.code)) for row in rows]
    return Page(items=items, total=total, offset=offset, limit=limit)


def held_view(row: HeldRow, origin: PlateOrigin | None) -> pa.HeldPlate:
    damage = origin.damage if origin is not None and row.kind == "quarantine" else {}
    held_as: pa.HeldAs
    if origin is not None and origin.not_on_notice:
        held_as, why = "not_on_notice", f"not on notice {origin.notice or '(no notice)'}"
    elif row.kind == "quarantine":
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(damage.items()))
        held_as, why = "damaged", f"damaged ({reasons})" if reasons else "damaged"
    elif row.kind == "quality":
        held_as, why = "quality", "quality hold (inspection)"
    else:
        held_as, why = "held", row.hold_reason or "held"
    return pa.HeldPlate(
        code=row.code,
        sku=row.sku,
        lot=row.lot,
        expiry=row.expiry,
        quantity=row.remaining,
        location=row.location,
        held_as=held_as,
        why=why,
        damage=damage,
        notice=origin.notice if origin is not None else None,
        received_at=row.received_at,
    )
