"""Cycle counts on the server: schedules and triggers, blind counting, variances, approval."""

from toteflow.central.services.counts.common import CountPolicy
from toteflow.central.services.counts.service import CountService

__all__ = ["CountPolicy", "CountService"]
