"""Messages the station app posts to itself from other threads: sync status changes."""

from __future__ import annotations

from typing import Protocol

from textual.message import Message


class SyncStatusLike(Protocol):
    """The sync worker's status (adapters.sync.worker.SyncStatus has this shape).

    Typed by shape, so the screens need no import from the adapters.
    """

    @property
    def state(self) -> str: ...

    @property
    def waiting(self) -> int: ...

    @property
    def exceptions_open(self) -> int: ...

    @property
    def cursor(self) -> int: ...

    @property
    def last_error(self) -> str: ...


class SyncStatusChanged(Message, bubble=False):
    """The sync worker's thread reports a new status (post_message is thread-safe)."""

    def __init__(self, status: SyncStatusLike) -> None:
        super().__init__()
        self.status = status
