"""Receiving online (cases, pallets, held units, lines, finish) and receipt confirmations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from toteflow.central.api.deps import ServicesDep, requires
from toteflow.contracts import receipts as r
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(prefix="/receipts", tags=["receiving"])
notices = APIRouter(prefix="/notices", tags=["receiving"])
Receiver = Annotated[Actor, Depends(requires(Permission.PUT_AWAY))]
Reader = Annotated[Actor, Depends(requires(Permission.READ_NOTICES))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_NOTICES))]


@router.post("/cases")
def receive_case(services: ServicesDep, actor: Receiver, body: r.CaseReceived) -> r.ReceiptResult:
    """One case on its notice line, as the pushed receipt.case_received event is applied."""
    return services.receiving.receive_case(actor, body)


@router.post("/pallets")
def receive_pallet(
    services: ServicesDep, actor: Receiver, body: r.PalletReceived
) -> r.ReceiptResult:
    return services.receiving.receive_pallet(actor, body)


@router.post("/not-on-notice")
def not_on_notice(services: ServicesDep, actor: Receiver, body: r.NotOnNotice) -> r.ReceiptResult:
    return services.receiving.not_on_notice(actor, body)


@router.post("/lines/close")
def close_line(services: ServicesDep, actor: Receiver, body: r.LineClosed) -> r.ReceiptResult:
    return services.receiving.close_line(actor, body)


@router.post("/finish")
def finish(services: ServicesDep, actor: Receiver, body: r.Finished) -> r.ReceiptConfirmation:
    return services.receiving.finish(actor, body.notice)


@notices.post("/{reference}/close")
def close_notice(
    services: ServicesDep, actor: Manager, reference: str, body: r.CloseNotice
) -> r.ReceiptConfirmation:
    """A supervisor closes the notice as received; its confirmation goes to the ERP."""
    return services.receiving.close(actor, reference, body)


@notices.get("/{reference}/receipt")
def receipt(services: ServicesDep, actor: Reader, reference: str) -> r.ReceiptConfirmation:
    """The receipt confirmation of a received notice (what the ERP was sent)."""
    return services.receiving.confirmation(actor, reference)


@notices.get(
    "/{reference}/receipt.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def receipt_csv(services: ServicesDep, actor: Reader, reference: str) -> Response:
    """The receipt confirmation as CSV: one row per line and lot, then units not on it."""
    return Response(
        services.receiving.confirmation_csv(actor, reference),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="receipt.csv"'},
    )
