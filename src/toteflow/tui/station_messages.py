"""Messages the station app posts to itself from other threads: sync status changes."""

from __future__ import annotations

from textual.message import Message

from toteflow.services.station_ports import SyncStatus


class SyncStatusChanged(Message, bubble=False):
    """The sync worker's thread reports a new status (post_message is thread-safe)."""

    def __init__(self, status: SyncStatus) -> None:
        super().__init__()
        self.status = status
