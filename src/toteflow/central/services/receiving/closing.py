"""A line closed short with its reason; a notice received, its confirmation written for the ERP."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.receiving.common import Receiver, open_notice, state_of, tally
from toteflow.central.services.receiving.confirmation import confirmation_of
from toteflow.contracts import notices as n
from toteflow.contracts import receipts as r
from toteflow.domain.errors import Conflict, NotFound
from toteflow.domain.receipt_lines import close_line as closed_line


def close_line(uow: UnitOfWork, who: Receiver, body: r.LineClosed, at: datetime) -> r.ReceiptResult:
    """Close one line of an open notice; a short one needs a reason (ShortReason)."""
    head = open_notice(uow, body.notice)
    line = next((x for x in uow.receipts.lines(head.id) if x.line_no == body.line_no), None)
    if line is None:
        raise NotFound(f"notice {head.reference} has no line {body.line_no}")
    state = closed_line(state_of(line), body.reason or None)  # raises Refused
    reason = state.short_reason.value if state.short_reason else ""
    if not uow.receipts.close_line(line.id, reason):
        raise Conflict(f"line {line.line_no} changed meanwhile: try again")
    result = r.ReceiptResult(
        notice=head.reference, words=state.words(), line=tally(line, state), plates=[]
    )
    uow.audit.record(
        who.actor,
        "receipt.line_closed",
        "notice",
        head.reference,
        {"line_no": line.line_no, "reason": reason, "short": state.short, "words": state.words()},
        event_id=who.event_id,
    )
    return result


def finish(
    uow: UnitOfWork,
    who: Receiver,
    reference: str,
    at: datetime,
    *,
    by: Literal["station", "supervisor"],
    reason: str = "",
) -> r.ReceiptConfirmation:
    """The notice received: its confirmation stored and queued for the ERP, in this transaction."""
    head = open_notice(uow, reference)
    confirmation = confirmation_of(
        head,
        uow.receipts.lines(head.id),
        uow.receipts.cases(head.id),
        at,
        by=by,
        reason=reason,
    )
    body = json.dumps(confirmation.model_dump(mode="json"), separators=(",", ":"), sort_keys=True)
    uow.receipts.add_confirmation(head.id, body, at)
    if who.settings.webhook_url:
        uow.webhooks.enqueue(
            [
                {
                    "event": r.RECEIPT_WEBHOOK_EVENT,
                    "entity_id": head.reference,
                    "url": who.settings.webhook_url,
                    "body": body,
                }
            ]
        )
    uow.notices.set_status(head.id, n.NoticeStatus.RECEIVED)
    uow.audit.record(
        who.actor,
        "notice.received",
        "notice",
        head.reference,
        {
            "from": head.status,
            "to": "received",
            "by": by,
            "reason": reason,
            **_totals(confirmation),
        },
        event_id=who.event_id,
    )
    return confirmation


def _totals(confirmation: r.ReceiptConfirmation) -> dict[str, int]:
    lines = confirmation.lines
    return {
        "expected": sum(x.expected for x in lines),
        "received": sum(x.received for x in lines),
        "short": sum(x.short for x in lines),
        "over": sum(x.over for x in lines),
        "not_on_notice": sum(x.quantity for x in confirmation.not_on_notice),
    }


def stored_confirmation(uow: UnitOfWork, reference: str) -> r.ReceiptConfirmation:
    body = uow.receipts.confirmation(reference)
    if body is None:
        if uow.notices.get(reference) is None:
            raise NotFound(f"no notice with reference {reference}")
        raise NotFound(f"notice {reference} is not received yet: no receipt confirmation")
    return r.ReceiptConfirmation.model_validate_json(body)
