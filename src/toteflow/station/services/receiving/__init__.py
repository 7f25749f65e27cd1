"""The receiver's use cases: receipts against the cached notices, plates and their labels."""

from toteflow.station.services.receiving.desk import ReceivingDesk
from toteflow.station.services.receiving.home import HOME_PROMPT
from toteflow.station.services.receiving.lookups import ReceivingLookups
from toteflow.station.services.receiving.plates import PlateLabels
from toteflow.station.services.receiving.records import ReceivingRecords, plate_code
from toteflow.station.services.receiving.views import LineRow, ReceiveOutcome

__all__ = [
    "HOME_PROMPT",
    "LineRow",
    "PlateLabels",
    "ReceiveOutcome",
    "ReceivingDesk",
    "ReceivingLookups",
    "ReceivingRecords",
    "plate_code",
]
