"""Units no notice line lists: held for a supervisor; and blind receipts, where the site allows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.receiving.common import (
    Portion,
    Receiver,
    case_row,
    check_lot_expiry,
    dock_of,
    open_notice,
    started,
    to_plates,
)
from toteflow.central.services.receiving.policy import held_location, line_rules
from toteflow.contracts import receipts as r
from toteflow.domain.errors import Conflict, NotFound, Refused
from toteflow.domain.receipt_lines import not_on_notice
from toteflow.domain.words import plural


def receive_unlisted(
    uow: UnitOfWork, who: Receiver, body: r.NotOnNotice, at: datetime
) -> tuple[r.ReceiptResult, dict[str, Any]]:
    """Units on a held plate at the quarantine location; the result and the floor exception
    (its reason and detail) a supervisor resolves."""
    head = None
    if body.notice is None:
        _blind_allowed(who)
    else:
        head = open_notice(uow, body.notice)
    where = held_location(uow, who.settings, "quarantine")
    reference = body.notice or "(no notice)"
    held = not_on_notice(reference, body.sku or body.scanned, body.quantity, where)
    plates: list[r.ReceivedPlate] = []
    product_id = None
    if body.sku is not None:
        facts = uow.putaway.product_facts(body.sku)
        # A SKU this server does not know cannot be on a plate: the units are set aside at
        # the quarantine location all the same, and the exception says so.
        if facts is not None:
            product_id = facts.id
            check_lot_expiry(uow, facts.id, body.sku, body.lot, body.expiry)
            hold = f"not on notice {reference}: for a supervisor to decide"
            plates = to_plates(
                uow,
                who,
                body.sku,
                body.lot,
                body.expiry,
                where,
                body.plate,
                [Portion(body.quantity, "quarantine", hold)],
                at,
            )
    case_id = who.event_id or f"{body.scanned}@{at.isoformat()}"
    uow.receipts.add_case(
        case_row(
            who,
            head,
            kind="not_on_notice",
            case_id=case_id[:64],
            line_id=None,
            product_id=product_id,
            lot=body.lot,
            expiry=body.expiry,
            quantity=body.quantity,
            held=body.quantity,
            plates=plates,
            scanned=body.scanned,
            at=at,
        )
    )
    if head is not None:
        started(uow, head)
    result = r.ReceiptResult(notice=body.notice, words=held.exception, plates=plates)
    uow.audit.record(
        who.actor,
        "receipt.not_on_notice",
        "notice",
        reference,
        {"scanned": body.scanned, **result.model_dump(mode="json")},
        event_id=who.event_id,
    )
    detail = {
        "notice": body.notice,
        "scanned": body.scanned,
        "sku": body.sku,
        "lot": body.lot,
        "quantity": body.quantity,
        "location": where,
        "plates": [p.code for p in plates],
    }
    return result, {"reason": held.exception, "detail": detail}


def receive_blind(
    uow: UnitOfWork, who: Receiver, body: r.CaseReceived, at: datetime
) -> r.ReceiptResult:
    """A case received with no notice: onto a plate at the dock, where the site allows it."""
    _blind_allowed(who)
    if uow.receipts.taken_case(None, body.case_id) is not None:
        raise Conflict(f"case {body.case_id} was already received (blind): it is counted once")
    facts = uow.putaway.product_facts(body.sku)
    if facts is None:
        raise NotFound(f"no product with SKU {body.sku}")
    check_lot_expiry(uow, facts.id, body.sku, body.lot, body.expiry)
    damaged = sum(d.quantity for d in body.damaged)
    if damaged > body.quantity:
        raise Refused(
            f"{plural(damaged, 'damaged unit')} in a case of {body.quantity}: count again"
        )
    sound = body.quantity - damaged
    held = sound if line_rules(who.settings.policy, "", body.sku).inspect else 0
    portions = [
        Portion(sound - held, "dock"),
        Portion(held, "quality", "quality hold (inspection), blind receipt"),
        Portion(damaged, "quarantine", "damaged on receipt, blind receipt", damaged=True),
    ]
    plates = to_plates(
        uow,
        who,
        body.sku,
        body.lot,
        body.expiry,
        dock_of(uow, body.dock, None),
        body.plate or body.sscc,
        portions,
        at,
    )
    damage: dict[str, int] = {}
    for d in body.damaged:
        damage[d.reason.value] = damage.get(d.reason.value, 0) + d.quantity
    uow.receipts.add_case(
        case_row(
            who,
            None,
            kind="blind",
            case_id=body.case_id,
            line_id=None,
            product_id=facts.id,
            lot=body.lot,
            expiry=body.expiry,
            quantity=body.quantity,
            accepted=sound - held,
            damaged=damaged,
            held=held,
            damage=damage,
            plates=plates,
            at=at,
        )
    )
    words = f"blind receipt: {plural(body.quantity, 'unit')} of {body.sku}"
    result = r.ReceiptResult(notice=None, words=words, plates=plates)
    uow.audit.record(
        who.actor,
        "receipt.blind",
        "product",
        body.sku,
        {"case": body.case_id, **result.model_dump(mode="json")},
        event_id=who.event_id,
    )
    return result


def _blind_allowed(who: Receiver) -> None:
    if not who.settings.policy.blind_receipts:
        raise Refused(
            "this site does not receive without a notice ([receiving] blind_receipts = false): "
            "find the notice, or hold the goods for a supervisor"
        )
