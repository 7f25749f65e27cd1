"""Replenishing pick faces: limits, triggers, the sweep and the replenishers' station events."""

from toteflow.central.services.replenishment.service import ReplenishmentService
from toteflow.central.services.replenishment.triggers import ReplenPolicy

__all__ = ["ReplenPolicy", "ReplenishmentService"]
