"""The background job that opens the cycle counts due by velocity class, every so often."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from toteflow.central.services.counts import CountService
from toteflow.domain.actor import SYSTEM

log = logging.getLogger(__name__)


class CountScheduler:
    """Runs `CountService.schedule` every `every_seconds` (the first run after one interval).

    Several server processes may each run one: a location has one live count at most (a
    partial unique index, inserts that skip a clash), so two runs at once open each count once.
    """

    def __init__(
        self,
        service: CountService,
        every_seconds: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.service = service
        self.every_seconds = every_seconds
        self.clock = clock
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="toteflow-counts", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run_once(self) -> int:
        """Open the counts due now; how many were opened."""
        self.runs += 1
        return len(self.service.schedule(SYSTEM, self.clock()).created)

    def _run(self) -> None:
        while not self._stop.wait(self.every_seconds):
            try:
                self.run_once()
            except Exception:
                # A database hiccup must not end the thread: log it and try again next round.
                log.exception("cycle-count scheduling round failed")
