"""Directed put-away on the server: plates from the dock to their locations."""

from toteflow.central.services.putaway.common import PutawayPolicy
from toteflow.central.services.putaway.receiving import Receipt, receive_to_plate
from toteflow.central.services.putaway.service import PlateLabels, PutawayService

__all__ = ["PlateLabels", "PutawayPolicy", "PutawayService", "Receipt", "receive_to_plate"]
