"""What station screens need of the app, as a Protocol, so that screens never import the app."""

from __future__ import annotations

from typing import Any, Protocol

from textual.message_pump import MessagePump
from textual.screen import Screen

from toteflow.domain.scale import ScaleReading
from toteflow.station.ports.store import SyncStatus
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.picker import Outcome, PickWalk
from toteflow.station.tui.input_holds import InputHold


class StationHost(Protocol):
    """The parts of `StationApp` that screens use (the app is built over its screens)."""

    services: StationServices
    demo: bool
    task_label: str
    scale_reading: ScaleReading | None
    sync_status: SyncStatus | None

    async def sign_in(self, person: Person) -> bool: ...

    def open_walk(self, walk: PickWalk) -> None: ...

    def follow_walk(self, current: Screen[None], walk: PickWalk, outcome: Outcome) -> bool: ...

    # The app's one ordered input queue (scan_input.ScanInputApp).
    def active_screen(self) -> Screen[Any] | None: ...

    def hold_input(self, node: MessagePump, *, scan: bool = False) -> InputHold: ...
