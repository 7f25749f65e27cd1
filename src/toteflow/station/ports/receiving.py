"""What the receiver's use cases need: the station's receipts, plate serials and the policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from toteflow.contracts.catalogue import Location, Product
from toteflow.contracts.notices import ReceivingPolicy
from toteflow.station.ports.putaway import PlateMoves


@dataclass
class LineTally:
    """A receipt line's own tallies at this station (the notice says what was expected)."""

    received: int = 0
    damaged: int = 0
    closed: bool = False
    short_reason: str | None = None


@dataclass
class Receipt:
    """A receipt being worked: the notice (None: blind), the dock, each line's tallies."""

    id: int
    notice: str | None
    dock: str
    user_id: int | None
    status: str
    lines: dict[int, LineTally] = field(default_factory=dict)
    plate: str | None = None


@dataclass(frozen=True)
class ReceivedCaseRecord:
    case_id: str
    line_no: int | None
    sku: str | None
    lot: str
    expiry: date | None
    quantity: int
    damaged: int
    plate: str
    event_id: str


@dataclass(frozen=True)
class Uncounted:
    """Units this station received on a line that the server's tallies (in the notice as
    the feed last brought it) do not count yet: its events are waiting, or were answered
    after the last pull that reached the end of the feed."""

    received: int = 0
    damaged: int = 0


@dataclass(frozen=True)
class ServerPlate:
    """A plate of the server's own (`LP` + 8 digits) that a receipt of this station's put
    units on (quality hold, quarantine, other goods), as the push's answer named it."""

    code: str
    notice: str | None
    sku: str | None
    lot: str
    expiry: date | None
    quantity: int
    location: str
    status: str
    event_id: str

    @property
    def held(self) -> bool:
        return self.status == "held"


class ReceivingRepo(PlateMoves, Protocol):
    """The station's receipts, in the unit of work's transaction."""

    def open_receipt(self, notice: str | None, dock: str, user_id: int | None) -> Receipt: ...
    def receipt(self, receipt_id: int) -> Receipt | None: ...
    def open_for(self, notice: str | None, dock: str) -> Receipt | None:
        """The receipt of this notice (a blind one: at this dock) still open here."""
        ...

    def save(self, receipt: Receipt) -> None:
        """The receipt's tallies, plate and status as they are now."""
        ...

    def add_case(self, receipt_id: int, case: ReceivedCaseRecord) -> None: ...
    def has_case(self, notice: str | None, case_id: str) -> bool:
        """Whether a case id was received on this notice (any receipt of it) here."""
        ...

    def cases(self, receipt_id: int) -> list[ReceivedCaseRecord]: ...
    def goods_on(self, plate: str) -> tuple[str | None, str, date | None] | None:
        """The SKU, lot and expiry of the first case on a plate (None: nothing on it yet)."""
        ...

    def lot_expiries(self, sku: str) -> dict[str, date | None]:
        """The expiry date each lot of `sku` was received with at this station."""
        ...

    def take_plate_serial(self) -> int:
        """The next internal plate serial (1, 2, 3, ...), kept in the store."""
        ...

    def policy(self) -> ReceivingPolicy | None: ...
    def keep_policy(self, policy: ReceivingPolicy) -> None: ...

    # -- the whole notice: the server's tallies and this station's own on top -----------

    def uncounted(self, notice: str, after_seq: int) -> dict[int, Uncounted]:
        """By line: this station's cases of `notice` whose events are waiting, or were
        answered (not refused) with a sequence number above `after_seq`."""
        ...

    def counted_seq(self) -> int:
        """The events up to here are in the server's tallies this station holds."""
        ...

    def set_counted_seq(self, seq: int) -> None: ...

    # -- plates of the server's own ------------------------------------------------------

    def keep_server_plate(self, plate: ServerPlate) -> None: ...
    def server_plate(self, code: str) -> ServerPlate | None: ...
    def server_plates(self, notice: str | None) -> list[ServerPlate]:
        """The server's plates of a notice's receipts here (None: blind ones), newest first."""
        ...


class ReceivingServer(Protocol):
    """What a receiver's station asks the server while it answers; its copies serve offline."""

    async def policy(self) -> ReceivingPolicy:
        """The site's receiving settings (station token: read before anyone logs in)."""
        ...

    async def products(self, skus: list[str], session_token: str) -> list[Product]:
        """The products of the notices (their GTINs and tracking); unknown SKUs left out."""
        ...

    async def docks(self, session_token: str) -> list[Location]: ...
