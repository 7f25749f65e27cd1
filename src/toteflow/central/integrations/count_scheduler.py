"""The background job that opens the cycle counts due by velocity class, every so often."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from toteflow.central.integrations.periodic import PeriodicJob
from toteflow.central.services.counts import CountService
from toteflow.domain.actor import SYSTEM


class CountScheduler(PeriodicJob):
    """Runs `CountService.schedule` every `every_seconds`.

    Several server processes may each run one: a location has one live count at most (a
    partial unique index, inserts that skip a clash), so two runs at once open each count once.
    """

    def __init__(
        self,
        service: CountService,
        every_seconds: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__("counts", every_seconds, self._schedule)
        self.service = service
        self.clock = clock

    def run_once(self) -> int:
        """Open the counts due now; how many were opened."""
        opened = super().run_once()
        assert isinstance(opened, int)
        return opened

    def _schedule(self) -> int:
        return len(self.service.schedule(SYSTEM, self.clock()).created)
