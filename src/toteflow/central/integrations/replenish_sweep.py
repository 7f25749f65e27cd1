"""The server's periodic sweep for pick faces below minimum that no pick fired for."""

from __future__ import annotations

import logging
import threading

from toteflow.central.services.replenishment import ReplenishmentService
from toteflow.domain.actor import SYSTEM

log = logging.getLogger(__name__)


class SweepWorker:
    """Runs `ReplenishmentService.sweep` every `minutes` until stopped.

    Several server processes may each run one: the unique index on open replenishments
    makes a face get one, whichever process sweeps it first.
    """

    def __init__(self, service: ReplenishmentService, minutes: float) -> None:
        self.service = service
        self.seconds = minutes * 60
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="toteflow-replenish", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        # The first sweep waits a round: a server starting up has its hands full.
        while not self._stop.wait(self.seconds):
            try:
                made = self.service.sweep(SYSTEM)
            except Exception:
                # A database hiccup must not end the thread: log it and try again next round.
                log.exception("replenishment sweep failed")
                continue
            if made.created:
                log.info("replenishment sweep made %d", len(made.created))
