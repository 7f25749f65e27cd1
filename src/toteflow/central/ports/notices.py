"""The port inbound notices need: purchase orders and ASNs, their lines and SSCCs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from toteflow.contracts import notices as n
from toteflow.contracts.common import Page

# (SKU, unit of measure) -> base units in one of them.
UnitSizes = Mapping[tuple[str, str], int]


class NoticeRepo(Protocol):
    def units_of(self, skus: Sequence[str]) -> dict[str, dict[str, int]]:
        """The units of measure of each known SKU with their base units; unknown SKUs left out."""
        ...

    def location_kinds(self, codes: Sequence[str]) -> dict[str, str]:
        """The kind of each known location code (dock, pick_face, ...)."""
        ...

    def existing_references(self, references: Sequence[str]) -> set[str]: ...
    def taken_ssccs(self, ssccs: Sequence[str]) -> dict[str, str]:
        """SSCC -> the reference of the notice already carrying it."""
        ...

    def add_many(self, notices: Sequence[n.NoticeCreate], units: UnitSizes) -> None:
        """Write these notices (their references new, their SKUs and units known)."""
        ...

    def get(self, reference: str, *, lock: bool = False) -> n.Notice | None: ...
    def by_sscc(self, sscc: str) -> n.Notice | None: ...
    def find(self, filters: n.NoticeFilter, offset: int, limit: int) -> Page[n.Notice]: ...
    def set_status(self, notice_id: int, status: n.NoticeStatus, *, reason: str = "") -> None: ...
