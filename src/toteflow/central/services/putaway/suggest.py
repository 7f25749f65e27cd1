"""Where a plate goes: the domain's suggestion over locked candidate rows, its space reserved."""

from __future__ import annotations

from datetime import datetime, timedelta

from toteflow.central.ports.putaway import Claim, PlateRow
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.putaway.common import (
    PutawayPolicy,
    domain_location,
    domain_plate,
    existing_plate,
    facts_of,
)
from toteflow.contracts import putaway as pa
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Refused
from toteflow.domain.plates import OPEN_STATUSES, PlateStatus
from toteflow.domain.putaway import reservations_for, suggest
from toteflow.domain.roles import Permission
from toteflow.domain.words import plural


def check_open(plate: PlateRow) -> None:
    """Refused unless the plate may be put away now."""
    if plate.status == PlateStatus.HELD:
        raise Refused(
            f"plate {plate.code} is held ({plate.hold_reason or 'no reason given'}): "
            "a supervisor must release it before it is put away"
        )
    if plate.status not in OPEN_STATUSES or plate.remaining == 0:
        raise Refused(f"plate {plate.code} is {plate.status}: nothing left on it to put away")


def suggest_in(
    uow: UnitOfWork, actor: Actor, code: str, policy: PutawayPolicy, at: datetime
) -> pa.Suggestion:
    """The suggestion for plate `code`, its space reserved until `at` + the policy's minutes.

    The candidate locations' rows are locked first (PostgreSQL; SQLite's BEGIN IMMEDIATE
    makes this the only writer), so the contents and reservations read next are the latest,
    and a second receiver's suggestion waits until this one's reservations are committed.
    """
    actor.require(Permission.PUT_AWAY)
    plate = existing_plate(uow, code, lock=True)
    check_open(plate)
    facts = facts_of(uow, plate)
    origin = uow.putaway.location(plate.location, contents=False)
    assert origin is not None
    # Asking again replaces what this plate reserved before.
    uow.putaway.release(plate.id)
    stored = uow.putaway.candidates(facts.storage_class, plate.product_id, lock=True)
    locations = [domain_location(s, (origin.x, origin.y)) for s in stored]
    ids = {s.code: s.id for s in stored}
    pack = uow.putaway.packing_location()
    backorders = uow.putaway.backorders(plate.product_id, at, except_plate=plate.id) if pack else []
    target = domain_plate(plate, facts)
    plan = suggest(
        target,
        locations,
        at=at,
        reservations=uow.putaway.live_reservations(at),
        rules=policy.rules,
        backorders=backorders,
    )
    expires_at = at + timedelta(minutes=policy.reservation_minutes)
    claims = [
        Claim(ids[r.location], r.quantity, r.volume_mm3, r.weight_g)
        for r in reservations_for(plan, target, expires_at=expires_at)
    ]
    cross = []
    if pack is not None and plan.cross_dock:
        pack_row = uow.putaway.location(pack, contents=False)
        assert pack_row is not None
        for leg in plan.cross_dock:
            claims.append(
                Claim(
                    pack_row.id,
                    leg.quantity,
                    target.volume(leg.quantity),
                    target.weight(leg.quantity),
                    order_line_id=leg.order_line_id,
                )
            )
            cross.append(
                pa.CrossDockLeg(
                    order=leg.order,
                    order_line_id=leg.order_line_id,
                    quantity=leg.quantity,
                    location=pack,
                    reason=(
                        f"cross-dock to packing for order {leg.order}: "
                        f"{plural(leg.quantity, 'unit')} to {pack}"
                    ),
                )
            )
    uow.putaway.reserve(plate.id, claims, expires_at)
    if claims and plate.status == PlateStatus.RECEIVED:
        uow.putaway.set_plate(
            plate.id, status=PlateStatus.PUTTING_AWAY, expect=(PlateStatus.RECEIVED,)
        )
    # The plan's own words name the cross-dock without its packing location: ours do.
    parts = [c.reason for c in cross]
    parts += [
        f"{plural(leg.quantity, 'unit')} to {leg.location}: {leg.reason}" for leg in plan.legs
    ]
    if plan.unplaced and plan.why_not:
        parts.append(plan.why_not)
    words = "; ".join(parts)
    uow.audit.record(
        actor,
        "putaway.suggested",
        "plate",
        plate.code,
        {
            "legs": [[leg.location, leg.quantity, leg.rule.value] for leg in plan.legs],
            "cross_dock": [[c.order, c.quantity] for c in cross],
            "unplaced": plan.unplaced,
            "expires_at": expires_at.isoformat(),
        },
    )
    return pa.Suggestion(
        plate=plate.code,
        sku=plate.sku,
        quantity=plate.remaining,
        cross_dock=cross,
        legs=[
            pa.SuggestedLeg(
                location=leg.location, quantity=leg.quantity, rule=leg.rule.value, reason=leg.reason
            )
            for leg in plan.legs
        ],
        unplaced=plan.unplaced,
        why_not=plan.why_not,
        words=words or "nothing to put away",
        expires_at=expires_at if claims else None,
    )
