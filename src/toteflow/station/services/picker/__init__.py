"""The picker at a station: the desk (held tasks, asking for work) and the guided pick walk.

`PickWalk` (walk.py) is what the walk screens hold; it delegates to parts, one module each:
the walk's state (state.py), the scan rules applied (scans.py), carts and totes (totes.py),
undo (undo.py), shorts, skips and the finish (finish.py), what the screens show (views.py)
and the demo scanner (demo.py).
"""

from toteflow.domain.zone_pass import destination_words
from toteflow.station.services.picker.demo import demo_item_label
from toteflow.station.services.picker.desk import PickerDesk
from toteflow.station.services.picker.finish import SHORT_REASONS, Completion
from toteflow.station.services.picker.outcome import Outcome
from toteflow.station.services.picker.state import (
    DEFAULT_DESTINATION,
    ClosedTote,
    Phase,
    SlotView,
    WalkState,
)
from toteflow.station.services.picker.views import Progress, StopAhead, StopView
from toteflow.station.services.picker.walk import PickWalk

__all__ = [
    "DEFAULT_DESTINATION",
    "SHORT_REASONS",
    "ClosedTote",
    "Completion",
    "Outcome",
    "Phase",
    "PickWalk",
    "PickerDesk",
    "Progress",
    "SlotView",
    "StopAhead",
    "StopView",
    "WalkState",
    "demo_item_label",
    "destination_words",
]
