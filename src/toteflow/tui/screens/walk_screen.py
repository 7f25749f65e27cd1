"""The base of the screens of a pick walk: scans go to the walk, outcomes to the screen."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from toteflow.services.picker import Outcome, PickWalk
from toteflow.services.station_ports import Notice, SyncStatus
from toteflow.tui.scan_messages import ScanReceived
from toteflow.tui.screens.base import StationScreen
from toteflow.tui.walk_flow import follow, walk_label


class WalkScreen(StationScreen[None]):
    """Turns each scan into a walk step and shows what it did; subclasses draw the walk."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f7", "pause", "Pause")]

    def __init__(self, walk: PickWalk, outcome: Outcome | None = None) -> None:
        super().__init__()
        self.walk = walk
        self.first_outcome = outcome
        self._cursor: int | None = None

    def on_mount(self) -> None:
        self.render_walk()
        if self.first_outcome is not None:
            self.show(self.first_outcome)
        status = self.station.sync_status
        self._cursor = status.cursor if status is not None else None
        self.watch(self.station, "sync_status", self._sync_changed, init=False)

    def render_walk(self) -> None:
        """Draw the walk's current state (subclasses)."""
        raise NotImplementedError

    def expected_scan(self) -> str | None:
        return self.walk.expected_scan()

    def show(self, outcome: Outcome) -> None:
        self.signal(outcome.ok, outcome.headline, outcome.detail)

    def on_scan_received(self, message: ScanReceived) -> None:
        outcome = self.walk.scan(self.services.read_scan(message.raw))
        self.after(outcome)

    def after(self, outcome: Outcome) -> None:
        """Show what a scan or key did; move on to another screen when the walk needs one."""
        if outcome.notices:
            self.show(outcome)
            from toteflow.tui.screens.notice import NoticeScreen

            self.app.push_screen(NoticeScreen(outcome.notices), self._notices_read)
            return
        self.station.task_label = walk_label(self.walk)
        if outcome.ok and follow(self.station, self, self.walk, outcome):
            return
        self.render_walk()
        self.show(outcome)

    def _notices_read(self, notices: tuple[Notice, ...] | None) -> None:
        extra = self.walk.acknowledge(notices or ())
        outcome = Outcome(True, "NOTED", extra or "scan again to carry on", advanced=True)
        self.after(outcome)

    def _sync_changed(self, status: SyncStatus | None) -> None:
        # The change feed may have changed the task (a cancelled order, a new stop).
        if status is None or status.cursor == self._cursor:
            return
        self._cursor = status.cursor
        self.walk.refresh()
        self.render_walk()

    def action_pause(self) -> None:
        outcome = self.walk.pause()
        if not outcome.ok:
            self.show(outcome)
            return
        from toteflow.tui.screens.paused import PausedScreen

        self.app.push_screen(PausedScreen(self.walk), self._resumed)

    def _resumed(self, logged_out: bool | None) -> None:
        if logged_out:
            return
        self.after(self.walk.resume())
