"""Wire models for receiving: the station's receipt events and the ERP's receipt confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from toteflow.contracts.common import Code, Day, Id, Int, Model, Optional40, Quantity, Text200
from toteflow.contracts.notices import Sscc, Supplier
from toteflow.contracts.orders import Reference
from toteflow.contracts.putaway import PlateCode
from toteflow.domain.receipt_lines import DamageReason, ShortReason

# Damage reasons one case may carry: one entry per reason is plenty.
MAX_DAMAGE_ENTRIES = len(DamageReason)
RECEIPT_WEBHOOK_EVENT = "notice.received"


class Damage(Model):
    reason: DamageReason
    quantity: Quantity


class CaseReceived(Model):
    """One case received against a notice line (or blind: `notice` None, where allowed)."""

    notice: Reference | None
    # None: the server finds the line by SKU (and lot).
    line_no: Int | None = Field(default=None, ge=1, le=9999)
    case_id: Code
    sscc: Sscc | None = None
    sku: Code
    lot: Optional40 = ""
    expiry: Day | None = None
    quantity: Quantity
    damaged: list[Damage] = Field(default_factory=list, max_length=MAX_DAMAGE_ENTRIES)
    # The user id of the supervisor who approved a quantity beyond the tolerance.
    supervisor_id: Id | None = None
    # The plate the station labelled for the sound units; None: the server gives an LP code.
    plate: PlateCode | None = None
    # None: the notice's dock, else the first dock location.
    dock: Code | None = None


class PalletReceived(Model):
    """A whole pallet of an ASN by its SSCC, received as the notice lists it."""

    notice: Reference
    sscc: Sscc
    dock: Code | None = None
    supervisor_id: Id | None = None


class NotOnNotice(Model):
    """Units the notice does not list: held for a supervisor to decide."""

    notice: Reference | None
    scanned: Code
    sku: Code | None = None
    lot: Optional40 = ""
    expiry: Day | None = None
    quantity: Quantity
    plate: PlateCode | None = None
    dock: Code | None = None


class LineClosed(Model):
    notice: Reference
    line_no: Int = Field(ge=1, le=9999)
    # "" or None: no reason (a line closed complete needs none).
    reason: ShortReason | Literal[""] | None = None


class Finished(Model):
    # None: a blind receipt finished; there is no notice to confirm.
    notice: Reference | None


class CloseNotice(Model):
    """A supervisor closes a notice from the office: what is received is what came."""

    reason: Text200 | None = None


class ReceivedPlate(Model):
    """A plate a receipt put units on: the station's own code or one of the server's (`LP`
    and 8 digits), where it is, how many units it holds now, its status, and its goods."""

    code: str
    location: str
    quantity: int
    status: str
    sku: str = ""
    lot: str = ""
    expiry: Day | None = None


class LineTally(Model):
    line_no: int
    sku: str
    expected: int
    received: int
    accepted: int
    damaged: int
    held: int
    over: int
    short: int
    status: Literal["open", "closed"]
    short_reason: str


class ReceiptResult(Model):
    """What one receipt did: in words, the line's tallies after it, the plates written."""

    notice: str | None
    words: str
    line: LineTally | None = None
    plates: list[ReceivedPlate] = Field(default_factory=list)


class ConfirmedLot(Model):
    lot: str
    expiry: Day | None
    received: int
    accepted: int
    damaged: int
    held: int
    damage: dict[str, int]


class ConfirmedLine(Model):
    line_no: int
    sku: str
    uom: str
    expected: int  # base units
    received: int
    accepted: int
    damaged: int
    held: int
    over: int
    short: int
    status: Literal["open", "closed"]
    short_reason: str
    damage: dict[str, int]
    lots: list[ConfirmedLot]


class ConfirmedExtra(Model):
    """Units received that the notice did not list, held at quarantine."""

    scanned: str
    sku: str | None
    lot: str
    expiry: Day | None
    quantity: int
    plates: list[str]


class ReceiptConfirmation(Model):
    """What the ERP is told when a notice is received: per line and lot, with reasons."""

    event: Literal["notice.received"] = "notice.received"
    # The same for every delivery of this confirmation: an ERP that sees it twice keeps one.
    idempotency_key: str
    notice: str
    kind: str
    supplier: Supplier
    status: str
    received_at: datetime
    closed_by: Literal["station", "supervisor"]
    reason: str
    lines: list[ConfirmedLine]
    not_on_notice: list[ConfirmedExtra]
