"""The base of the screens of a pick walk: scans go to the walk, outcomes to the screen."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.binding import Binding, BindingType

from toteflow.station.ports.store import Notice, SyncStatus
from toteflow.station.services.picker import Outcome, PickWalk
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback


class WalkScreen(StationScreen[None]):
    """Turns each scan into a walk step and shows what it did; subclasses draw the walk."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f7", "pause", "Pause")]

    def __init__(self, walk: PickWalk, outcome: Outcome | None = None) -> None:
        super().__init__()
        self.walk = walk
        self.first_outcome = outcome
        self._cursor: int | None = None
        # True while a scan is worked off the event loop: nothing else may touch the walk.
        self._busy = False
        self._refresh_due = False

    def on_mount(self) -> None:
        self.render_walk()
        if self.first_outcome is not None:
            self.show(self.first_outcome)
        elif last := self.walk.resumed_words():
            self.query_one(ScanFeedback).idle(f"{last}. {self.walk.prompt()}")
        status = self.station.sync_status
        self._cursor = status.cursor if status is not None else None
        self.watch(self.app, "sync_status", self._sync_changed, init=False)

    def render_walk(self) -> None:
        """Draw the walk's current state (subclasses)."""
        raise NotImplementedError

    def expected_scan(self) -> str | None:
        # The walk is being changed on the worker thread: ask again once the scan is done.
        return None if self._busy else self.walk.expected_scan()

    def show(self, outcome: Outcome) -> None:
        self.signal(outcome.ok, outcome.headline, outcome.detail)

    async def on_scan_received(self, message: ScanReceived) -> None:
        """Work one scan; the App holds the next one until this handler has returned.

        A scan may commit to the station store (synchronous=FULL: an fsync). It runs on a
        worker thread so the event loop keeps drawing and taking input; the outcome, and so
        the next stop, is shown only after the commit returned. Scans arriving meanwhile
        wait in the App's queue and are worked afterwards against the updated walk, by this
        screen or by the screen the walk moved to.
        """
        await self._step(message.raw)

    async def _step(self, raw: str) -> None:
        result = self.services.read_scan(raw)
        self._busy = True
        try:
            outcome = await asyncio.to_thread(self.walk.scan, result)
        finally:
            self._busy = False
        if self._refresh_due:
            self._refresh_due = False
            self.walk.refresh()
        self.after(outcome)

    def after(self, outcome: Outcome) -> None:
        """Show what a scan or key did; move on to another screen when the walk needs one."""
        if outcome.notices:
            self.show(outcome)
            from toteflow.station.tui.screens.notice import NoticeScreen

            notice = NoticeScreen(outcome.notices, self.walk.hand_words())
            self.app.push_screen(notice, self._notices_read)
            return
        self.station.task_label = walk_label(self.walk)
        if outcome.ok and self.station.follow_walk(self, self.walk, outcome):
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
        if self._busy:
            # Re-read once the scan on the worker thread is done, never under it.
            self._refresh_due = True
            return
        self.walk.refresh()
        self.render_walk()

    def action_pause(self) -> None:
        outcome = self.walk.pause()
        if not outcome.ok:
            self.show(outcome)
            return
        from toteflow.station.tui.screens.paused import PausedScreen

        self.app.push_screen(PausedScreen(self.walk), self._resumed)

    def _resumed(self, logged_out: bool | None) -> None:
        if logged_out:
            return
        self.after(self.walk.resume())


def walk_label(walk: PickWalk) -> str:
    task = walk.task
    if walk.kind == "cart":
        return f"task {task.id} · cart {walk.cart or task.cart or '?'}"
    if walk.kind == "zone":
        return f"task {task.id} · zone {task.zone or '?'}"
    return f"task {task.id} · {task.kind}"
