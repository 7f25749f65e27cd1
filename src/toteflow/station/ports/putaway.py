"""What the put-away walk needs: the server's suggestion for a plate, and the station's moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class PutawayLeg:
    """One location of a suggestion: how many units go there and why (in words)."""

    location: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class PutawayPlan:
    """Where a plate goes: its legs in order (the first is walked to first) and the words."""

    plate: str
    sku: str
    quantity: int
    legs: list[PutawayLeg] = field(default_factory=list)
    words: str = ""
    offline: bool = False


class PutawayServer(Protocol):
    """The server's put-away suggestion (it reserves the space for a while)."""

    async def suggest(self, plate: str, session_token: str) -> PutawayPlan: ...


@dataclass(frozen=True)
class PlateOnHand:
    """What this station received onto a plate (for a suggestion made offline)."""

    plate: str
    sku: str
    lot: str
    quantity: int


class PlateMoves(Protocol):
    """The station's own record of plates received and put away, in the unit of work."""

    def on_plate(self, plate: str) -> list[PlateOnHand]: ...
    def add_move(
        self,
        plate: str,
        location: str,
        sku: str | None,
        quantity: int | None,
        reason: str | None,
        event_id: str,
    ) -> None: ...
    def moved(self, plate: str) -> bool: ...
    def waiting(self) -> list[str]:
        """Plates received here (and the server's named to this station, not held) with goods
        on them and not put away from here yet, oldest first."""
        ...

    def contents(self) -> dict[str, list[tuple[str, int]]]:
        """SKUs and units this station put on each location."""
        ...
