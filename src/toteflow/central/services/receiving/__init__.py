"""Receiving against inbound notices on the server: cases, pallets, held units, confirmations."""

from toteflow.central.services.receiving.policy import ReceiptSettings
from toteflow.central.services.receiving.service import ReceivingService

__all__ = ["ReceiptSettings", "ReceivingService"]
