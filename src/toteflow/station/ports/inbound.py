"""The station's copy of the inbound notices still to come in, as the change feed brings them."""

from __future__ import annotations

from typing import Protocol

from toteflow.contracts.notices import Notice


class InboundCache(Protocol):
    """Open notices (expected or being received) with their lines and SSCCs, kept offline."""

    def keep(self, notice: Notice) -> None:
        """The server's word on this notice: kept while open, dropped once closed."""
        ...

    def get(self, reference: str) -> Notice | None: ...
    def by_sscc(self, sscc: str) -> Notice | None:
        """The open notice a pallet or case arrives on."""
        ...

    def open_notices(self) -> list[Notice]:
        """Every notice kept, by expected date."""
        ...
