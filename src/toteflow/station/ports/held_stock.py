"""The port through which a supervisor lists held plates and releases or rejects them."""

from __future__ import annotations

from typing import Protocol

from toteflow.contracts import putaway as pa


class HeldServer(Protocol):
    """The server's held-stock API on behalf of a logged-in supervisor.

    Refusals raise domain.errors (NotFound, Refused, Forbidden, ...) with the server's
    sentence; a server that cannot be reached raises services.login.ServerUnreachable.
    """

    async def held_plates(self, session_token: str, limit: int) -> list[pa.HeldPlate]:
        """Held plates, oldest first."""
        ...

    async def release_plate(self, session_token: str, plate: str, note: str) -> pa.Plate: ...
    async def reject_plate(
        self, session_token: str, plate: str, body: pa.RejectRequest
    ) -> pa.Plate: ...
