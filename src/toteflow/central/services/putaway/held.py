"""Held stock: a supervisor releases a plate to put-away, or rejects it (written off)."""

from __future__ import annotations

from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.putaway.common import existing_plate, move_stock, plate_view
from toteflow.contracts import putaway as pa
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
            uow, plate, plate.location, -plate.remaining, note=f"rejected ({body.disposition})"
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
