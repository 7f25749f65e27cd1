"""The port receiving needs: notices locked for a receipt, line tallies, cases, confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class NoticeHead:
    id: int
    reference: str
    kind: str
    status: str
    supplier_code: str
    supplier_name: str
    dock: str | None = None  # the location code the delivery is expected at


@dataclass(frozen=True)
class LineRow:
    id: int
    line_no: int
    sku: str
    product_id: int
    uom: str
    lot: str
    expiry: date | None
    expected: int  # base units
    received: int
    accepted: int
    damaged: int
    held: int
    status: str
    short_reason: str


@dataclass(frozen=True)
class CaseRow:
    """A case received, as the confirmation adds it up."""

    line_id: int | None
    kind: str
    case_id: str
    sku: str | None
    scanned: str
    lot: str
    expiry: date | None
    quantity: int
    accepted: int
    damaged: int
    held: int
    damage: dict[str, int]
    plates: list[str]
    station_id: int | None


@dataclass(frozen=True)
class PalletContent:
    """One SKU (lot, expiry) on an SSCC of a notice, or on a case standing on it."""

    sscc: str
    sku: str
    quantity: int
    lot: str
    expiry: date | None


class ReceiptRepo(Protocol):
    def lock_notices(self, references: Sequence[str]) -> dict[str, NoticeHead]:
        """The named notices, each row locked until commit, taken in reference order."""
        ...

    def lines(self, notice_id: int) -> list[LineRow]:
        """The notice's lines (read under the notice's lock), by line number."""
        ...

    def taken_case(self, notice_id: int | None, case_id: str) -> CaseRow | None:
        """The case already received with this id on the notice (or blind), if any."""
        ...

    def add_case(self, row: dict[str, Any]) -> None:
        """Insert one receipt_case row; Conflict when its case id is taken on the notice."""
        ...

    def add_to_line(
        self, line_id: int, *, accepted: int, damaged: int, held: int, expect_received: int
    ) -> bool:
        """Add to an open line's tallies if it still has `expect_received`; False if not."""
        ...

    def add_to_plate(self, plate_id: int, units: int, status: str) -> bool:
        """More units onto a plate not yet put away (still in `status`); False if it moved."""
        ...

    def close_line(self, line_id: int, reason: str) -> bool:
        """Close an open line with its short reason ("" for none); False if not open."""
        ...

    def lot_expiries(self, product_id: int, lot: str) -> set[date | None]:
        """The expiry dates a lot of a product was received with before, on any notice."""
        ...

    def cases(self, notice_id: int) -> list[CaseRow]: ...
    def pallet(self, notice_id: int, sscc: str) -> list[PalletContent] | None:
        """What an SSCC of the notice holds, with the cases on it; None if not on it."""
        ...

    def first_location(self, kind: str) -> str | None:
        """The first active location of this kind, by code (where held units go)."""
        ...

    def add_confirmation(self, notice_id: int, body: str, at: datetime) -> None: ...
    def confirmation(self, reference: str) -> str | None: ...
