"""What the server's answers tell the receiver: its own plates, and how far its tallies count."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from toteflow.contracts.receipts import ReceiptResult
from toteflow.station.ports.receiving import ServerPlate
from toteflow.station.ports.store import OutboxEvent, StationUnitOfWork

# The receipts whose answers name plates (docs/receiving.md).
PLATED = frozenset({"receipt.case_received", "receipt.pallet_received", "receipt.not_on_notice"})


def keep_server_plates(
    uow: StationUnitOfWork, event: OutboxEvent, status: str, result: dict[str, Any]
) -> list[ServerPlate]:
    """The plates of the server's own that an applied receipt put units on (a portion held
    for inspection or damaged, goods of another SKU or lot), kept in the caller's
    transaction: the put-away finds them when scanned, the receiving screen says where the
    units went. The station's own plate (its code or the pallet's SSCC) is left out."""
    if event.type not in PLATED:
        return []
    # A duplicate carries the first answer's outcome with the first answer's result.
    outcome = result.get("outcome") if status == "duplicate" else status
    if outcome != "applied":
        return []
    try:
        answer = ReceiptResult.model_validate({k: v for k, v in result.items() if k != "outcome"})
    except ValidationError:
        return []  # a newer server's answer this station cannot read: its plates stay there
    own = {event.payload.get("plate"), event.payload.get("sscc")}
    kept = []
    for plate in answer.plates:
        if plate.code in own:
            continue
        sku = plate.sku or event.payload.get("sku")
        server = ServerPlate(
            code=plate.code,
            notice=answer.notice,
            sku=sku if isinstance(sku, str) and sku else None,
            lot=plate.lot,
            expiry=plate.expiry,
            quantity=plate.quantity,
            location=plate.location,
            status=plate.status,
            event_id=str(event.id),
        )
        uow.receiving.keep_server_plate(server)
        kept.append(server)
    return kept


def counted_through(uow: StationUnitOfWork, seq: int) -> None:
    """The server's tallies this station holds count every event up to `seq`: called at the
    end of a pull that reached the end of the feed (the feed is in commit order, and each
    push's `notice.updated` commits with its events), and lowered when events go again."""
    uow.receiving.set_counted_seq(seq)
