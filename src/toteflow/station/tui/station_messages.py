"""Messages the station app posts to itself from other threads: sync status, scale readings."""

from __future__ import annotations

from textual.message import Message

from toteflow.domain.scale import ScaleReading
from toteflow.station.ports.store import SyncStatus


class SyncStatusChanged(Message, bubble=False):
    """The sync worker's thread reports a new status (post_message is thread-safe)."""

    def __init__(self, status: SyncStatus) -> None:
        super().__init__()
        self.status = status


class ScaleChanged(Message, bubble=False):
    """The scale's thread reports a new reading (a weight, moving, offline...)."""

    def __init__(self, reading: ScaleReading) -> None:
        super().__init__()
        self.reading = reading
