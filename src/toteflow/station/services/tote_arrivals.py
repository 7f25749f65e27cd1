"""A closed tote reaching a pack station, and a tote emptied there: told to the registry.

For the pack desk to call when it opens a tote (`arrived`) and when the tote is empty
(`emptied`); each commits its cached state and its outbox event together, and refuses what
the station's copy of the registry says cannot be (a tote still in a task's slot).
"""

from __future__ import annotations

from toteflow.domain import containers
from toteflow.station.services.events import FloorActions, record


class ToteArrivals:
    def __init__(self, floor: FloorActions) -> None:
        self.floor = floor

    def arrived(self, user_id: int | None, tote: str) -> None:
        """The tote is open at this pack station (from travelling to packing)."""
        self._record(user_id, tote, "tote.arrived", containers.arrive_at_packing)

    def emptied(self, user_id: int | None, tote: str) -> None:
        """The tote is empty and free for any order again."""
        self._record(user_id, tote, "tote.emptied", containers.empty_tote)

    def _record(
        self,
        user_id: int | None,
        tote: str,
        type: str,
        change: containers.HoldingChange,
    ) -> None:
        floor = self.floor
        with floor.uow() as uow:
            current = uow.containers.get("tote", tote)
            if current is not None:
                new = change(tote, current)
                uow.containers.set("tote", tote, new)
            record(uow, user_id, type, {"tote": tote}, now=floor.clock)
            uow.commit()
        if floor.on_recorded is not None:
            floor.on_recorded()
