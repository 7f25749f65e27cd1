"""The port through which a station fetches count tasks and a supervisor decides variances."""

from __future__ import annotations

from typing import Protocol

from toteflow.contracts import counts as cc
from toteflow.contracts.catalogue import Product


class CountServer(Protocol):
    """The server's cycle-count API on behalf of a logged-in person.

    Refusals raise domain.errors (NotFound, Refused, Forbidden, ...) with the server's
    sentence; a server that cannot be reached raises services.login.ServerUnreachable.
    """

    async def open_counts(self, session_token: str) -> list[cc.CountTask]:
        """The counts this person may do; blind, no quantity in them."""
        ...

    async def products(self, session_token: str, offset: int, limit: int) -> list[Product]:
        """A page of the catalogue: what a counter may find on a shelf, kept for offline."""
        ...

    async def awaiting(self, session_token: str, limit: int) -> list[cc.CountView]:
        """Counts waiting for a supervisor's approval, with their book and variances."""
        ...

    async def decide(
        self, session_token: str, count_id: int, body: cc.CountDecision
    ) -> cc.CountView: ...
