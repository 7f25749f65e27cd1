"""A case or a whole pallet received on a notice's lines: checked again, counted once, on plates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from toteflow.central.ports.receipts import LineRow, NoticeHead
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.receiving.common import (
    Portion,
    Receiver,
    case_row,
    check_lot_expiry,
    dock_of,
    open_notice,
    started,
    state_of,
    supervisor,
    tally,
    to_plates,
)
from toteflow.central.services.receiving.policy import line_rules
from toteflow.central.services.receiving.unlisted import receive_blind
from toteflow.contracts import receipts as r
from toteflow.domain.errors import Conflict, NotFound, Refused
from toteflow.domain.receipt_lines import CaseOutcome, Decision, ReceivedCase, apply_case
from toteflow.domain.words import plural


def receive_case(
    uow: UnitOfWork, who: Receiver, body: r.CaseReceived, at: datetime
) -> r.ReceiptResult:
    """One case on its notice line, in the caller's unit of work. Raises ServiceError."""
    if body.notice is None:
        return receive_blind(uow, who, body, at)
    head = open_notice(uow, body.notice)
    _not_taken(uow, head, body.case_id)
    line = find_line(uow.receipts.lines(head.id), head, body.line_no, body.sku, body.lot)
    check_lot_expiry(uow, line.product_id, line.sku, body.lot, body.expiry)
    approved = supervisor(uow, body.supervisor_id)
    damaged = tuple((d.reason, d.quantity) for d in body.damaged)
    case = ReceivedCase(body.case_id, body.quantity, damaged, _badge(approved))
    outcome = _applied(who, line, case, head)
    plates = to_plates(
        uow,
        who,
        line.sku,
        body.lot,
        body.expiry,
        dock_of(uow, body.dock, head),
        body.plate or body.sscc,
        _portions(outcome, head.reference),
        at,
    )
    damage: dict[str, int] = {}
    for reason, units in damaged:
        damage[reason.value] = damage.get(reason.value, 0) + units
    _count(uow, line, outcome)
    uow.receipts.add_case(
        case_row(
            who,
            head,
            kind="case",
            case_id=body.case_id,
            line_id=line.id,
            product_id=line.product_id,
            lot=body.lot,
            expiry=body.expiry,
            quantity=body.quantity,
            accepted=outcome.to_stock,
            damaged=outcome.to_quarantine,
            held=outcome.to_quality_hold,
            damage=damage,
            plates=plates,
            supervisor_id=approved,
            at=at,
        )
    )
    started(uow, head)
    result = r.ReceiptResult(
        notice=head.reference,
        words=f"line {line.line_no}: {outcome.words}",
        line=tally(line, outcome.state),
        plates=plates,
    )
    _audit(uow, who, head, "receipt.case_received", body.case_id, result)
    return result


def receive_pallet(
    uow: UnitOfWork, who: Receiver, body: r.PalletReceived, at: datetime
) -> r.ReceiptResult:
    """Every content of an SSCC of the notice (and of the cases on it), as the notice lists it."""
    head = open_notice(uow, body.notice)
    contents = uow.receipts.pallet(head.id, body.sscc)
    if contents is None:
        raise NotFound(f"SSCC {body.sscc} is not on notice {head.reference}")
    if not contents:
        raise Refused(
            f"notice {head.reference} lists nothing on SSCC {body.sscc}: receive its cases one "
            "by one"
        )
    for sscc in sorted({body.sscc, *(c.sscc for c in contents)}):
        _not_taken(uow, head, sscc)
    approved = supervisor(uow, body.supervisor_id)
    lines = {line.id: line for line in uow.receipts.lines(head.id)}
    plates: list[r.ReceivedPlate] = []
    words: list[str] = []
    seen: dict[str, int] = {}
    for content in contents:
        line = find_line(list(lines.values()), head, None, content.sku, content.lot)
        check_lot_expiry(uow, line.product_id, line.sku, content.lot, content.expiry)
        # Each content is a row of its own: the first of an SSCC takes the SSCC as its id.
        k = seen.get(content.sscc, 0)
        seen[content.sscc] = k + 1
        case_id = content.sscc if k == 0 else f"{content.sscc}#{k}"
        case = ReceivedCase(case_id, content.quantity, (), _badge(approved))
        outcome = _applied(who, line, case, head)
        made = to_plates(
            uow,
            who,
            line.sku,
            content.lot,
            content.expiry,
            dock_of(uow, body.dock, head),
            body.sscc,
            _portions(outcome, head.reference),
            at,
        )
        plates += made
        _count(uow, line, outcome)
        lines[line.id] = _moved(line, outcome)
        uow.receipts.add_case(
            case_row(
                who,
                head,
                kind="pallet",
                case_id=case_id,
                line_id=line.id,
                product_id=line.product_id,
                lot=content.lot,
                expiry=content.expiry,
                quantity=content.quantity,
                accepted=outcome.to_stock,
                held=outcome.to_quality_hold,
                plates=made,
                supervisor_id=approved,
                at=at,
            )
        )
        words.append(f"line {line.line_no}: {outcome.words}")
    started(uow, head)
    result = r.ReceiptResult(
        notice=head.reference,
        words=f"pallet {body.sscc}: " + "; ".join(words),
        plates=plates,
    )
    _audit(uow, who, head, "receipt.pallet_received", body.sscc, result)
    return result


def find_line(
    lines: Sequence[LineRow], head: NoticeHead, line_no: int | None, sku: str, lot: str
) -> LineRow:
    """The line named, or the first open line of the SKU (of that lot, if lines name lots)."""
    if line_no is not None:
        for line in lines:
            if line.line_no == line_no:
                if line.sku != sku:
                    raise Refused(
                        f"line {line_no} of notice {head.reference} is {line.sku}, not {sku}"
                    )
                if line.lot and lot != line.lot:
                    raise Refused(
                        f"line {line_no} of notice {head.reference} expects lot {line.lot}, "
                        f"not {lot or 'none'}"
                    )
                return line
        raise NotFound(f"notice {head.reference} has no line {line_no}")
    of_sku = [line for line in lines if line.sku == sku]
    if not of_sku:
        raise Refused(
            f"{sku} is not on notice {head.reference}: receive it as not on the notice "
            "(held for a supervisor)"
        )
    fitting = [line for line in of_sku if not line.lot or line.lot == lot]
    if not fitting:
        raise Refused(
            f"notice {head.reference} expects {sku} in lot "
            f"{', '.join(sorted({x.lot for x in of_sku}))}, not {lot or 'none'}"
        )
    return next((line for line in fitting if line.status == "open"), fitting[0])


def _not_taken(uow: UnitOfWork, head: NoticeHead, case_id: str) -> None:
    taken = uow.receipts.taken_case(head.id, case_id)
    if taken is not None:
        where = f" at station {taken.station_id}" if taken.station_id is not None else ""
        raise Conflict(
            f"case {case_id} was already received on notice {head.reference}{where}: "
            "it is counted once"
        )


def _badge(approved: int | None) -> str | None:
    return None if approved is None else str(approved)


def _applied(who: Receiver, line: LineRow, case: ReceivedCase, head: NoticeHead) -> CaseOutcome:
    # The tolerance is the one this server knows for the line, whatever the station thought.
    rules = line_rules(who.settings.policy, head.supplier_code, line.sku)
    outcome = apply_case(state_of(line), case, rules)
    if outcome.duplicate:
        raise Conflict(f"case {case.case_id} was already counted on line {line.line_no}")
    if outcome.decision is not Decision.ACCEPT:
        raise Refused(f"line {line.line_no} ({line.sku}): {outcome.words}")
    return outcome


def _portions(outcome: CaseOutcome, reference: str) -> list[Portion]:
    return [
        Portion(outcome.to_stock, "dock"),
        Portion(
            outcome.to_quality_hold, "quality", f"quality hold (inspection), notice {reference}"
        ),
        Portion(
            outcome.to_quarantine,
            "quarantine",
            f"damaged on receipt, notice {reference}",
            damaged=True,
        ),
    ]


def _count(uow: UnitOfWork, line: LineRow, outcome: CaseOutcome) -> None:
    if not uow.receipts.add_to_line(
        line.id,
        accepted=outcome.to_stock,
        damaged=outcome.to_quarantine,
        held=outcome.to_quality_hold,
        expect_received=line.received,
    ):
        raise Conflict(f"line {line.line_no} changed meanwhile: send the case again")


def _moved(line: LineRow, outcome: CaseOutcome) -> LineRow:
    s = outcome.state
    return replace(line, received=s.received, accepted=s.accepted, damaged=s.damaged, held=s.held)


def _audit(
    uow: UnitOfWork,
    who: Receiver,
    head: NoticeHead,
    action: str,
    case: str,
    result: r.ReceiptResult,
) -> None:
    detail = {"case": case, **result.model_dump(mode="json")}
    detail["units"] = plural(sum(p.quantity for p in result.plates), "unit")
    uow.audit.record(who.actor, action, "notice", head.reference, detail, event_id=who.event_id)
