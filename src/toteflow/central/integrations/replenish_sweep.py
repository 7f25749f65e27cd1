"""The server's periodic sweep for pick faces below minimum that no pick fired for."""

from __future__ import annotations

import logging

from toteflow.central.integrations.periodic import PeriodicJob
from toteflow.central.services.replenishment import ReplenishmentService
from toteflow.domain.actor import SYSTEM

log = logging.getLogger(__name__)


class SweepWorker(PeriodicJob):
    """Runs `ReplenishmentService.sweep` every `minutes` until stopped.

    Several server processes may each run one: the unique index on open replenishments
    makes a face get one, whichever process sweeps it first.
    """

    def __init__(self, service: ReplenishmentService, minutes: float) -> None:
        super().__init__("replenish", minutes * 60, self._sweep)
        self.service = service

    def _sweep(self) -> int:
        made = self.service.sweep(SYSTEM)
        if made.created:
            log.info("replenishment sweep made %d", len(made.created))
        return len(made.created)
