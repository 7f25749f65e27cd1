"""ScanInputApp: reads wedge keys at the App level and routes every scan to the active screen."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from textual import events
from textual.app import App, ReturnType, ScreenStackError
from textual.screen import Screen
from textual.widgets import Input, TextArea

from toteflow.station.tui.scan_messages import (
    SERIAL_SOURCE_PREFIX,
    ScannerStatus,
    ScanReceived,
    SerialScan,
)
from toteflow.station.tui.widgets.scan_capture import WedgeAssembler, WedgeSettings
from toteflow.station.tui.widgets.scan_feedback import BAD_BELLS, BellPlayer

# Widgets that take typed text for themselves (a PIN, a quantity): while one has focus,
# unframed keys are theirs, not a scan's.
TEXT_ENTRY_WIDGETS: tuple[type, ...] = (Input, TextArea)


class ScanRecordLike(Protocol):
    """A reader thread's complete scan (adapters.scanner.events.ScanRecord has this shape)."""

    @property
    def raw(self) -> str: ...

    @property
    def device(self) -> str: ...


@runtime_checkable
class ScannerConnectionLike(Protocol):
    """A reader thread's connect/disconnect report (shaped like ScannerConnection)."""

    @property
    def device(self) -> str: ...

    @property
    def connected(self) -> bool: ...

    @property
    def detail(self) -> str: ...


ScannerEventSink = Callable[[ScanRecordLike | ScannerConnectionLike], None]


def scanner_events_to(app: App[Any]) -> ScannerEventSink:
    """The callback to give a scanner reader: each event it reports becomes a Message on `app`.

    It runs on the reader's thread; App.post_message is thread-safe, and that is all it
    does. Typed by shape, so the TUI needs no import from the adapters.
    """

    def post(event: ScanRecordLike | ScannerConnectionLike) -> None:
        if isinstance(event, ScannerConnectionLike):
            retrying = bool(getattr(event, "retrying", True))
            app.post_message(
                ScannerStatus(event.device, event.connected, event.detail, retrying=retrying)
            )
        else:
            app.post_message(SerialScan(event.raw, event.device))

    return post


def screen_accepts_scans(screen: object) -> bool:
    """Whether a screen declared `ACCEPTS_SCANS = True` (and so handles ScanReceived)."""
    return bool(getattr(screen, "ACCEPTS_SCANS", False))


class ScanInputApp(App[ReturnType]):
    """An App whose screens receive scans as ScanReceived messages, from any scanner.

    Keys are read here, in the App's own message loop, before Textual forwards them to the
    focused widget: each key is settled (scan text, scan end, or an ordinary key) before the
    next one is looked at, so a burst of scans in one terminal read comes out whole and in
    order (Textual's Input cannot promise this: Textualize/textual#6605). Keys that end a
    scan are consumed here, so a focused Button never sees a scanner's Enter.

    Screens opt in with `ACCEPTS_SCANS = True` and an `on_scan_received` handler. Serial
    scanner threads post `SerialScan` / `ScannerStatus` to the App (post_message is
    thread-safe); they reach the screen the same way.

    Bindings on scan screens must use keys that are not scan text (function keys, Escape,
    ctrl+letter): printable keys are read as scan characters there.
    """

    def __init__(self, *, wedge: WedgeSettings | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.wedge: WedgeAssembler[events.Key] = WedgeAssembler(
            wedge or WedgeSettings(), self.deliver_scan
        )
        self._app_bells: BellPlayer | None = None
        self._shown_pending = ""
        self._pending_listeners: list[Callable[[str], None]] = []
        # Scans for a screen that works them off the event loop (see next_queued_scan).
        self._queued: deque[tuple[str, str]] = deque()

    def active_screen(self) -> Screen[Any] | None:
        """The screen scans go to, or None before the first screen or after the last."""
        try:
            return self.screen
        except ScreenStackError:
            return None

    def scan_capture_active(self) -> bool:
        """Whether unframed keys make scans now: a scan screen, no text field focused."""
        screen = self.active_screen()
        if screen is None or not screen_accepts_scans(screen):
            return False
        return not isinstance(screen.focused, TEXT_ENTRY_WIDGETS)

    async def on_event(self, event: events.Event) -> None:
        # Only raw input from the driver is read here; events that bubbled back up from a
        # widget were already offered to the wedge.
        if isinstance(event, events.Key) and not event.is_forwarded:
            passthrough = self.wedge.feed_key(
                event.key, event.character, event, self.scan_capture_active()
            )
            self._sync_pending()
            for key_event in passthrough:
                await super().on_event(key_event)
            return
        if (
            isinstance(event, events.Paste)
            and not event.is_forwarded
            and self.wedge.feed_paste(event.text, self.scan_capture_active())
        ):
            self._sync_pending()
            return
        await super().on_event(event)

    @property
    def scan_pending(self) -> str:
        """Characters typed toward the next unframed scan (ScanPrompt shows them)."""
        return self.wedge.pending

    def add_pending_listener(self, listener: Callable[[str], None]) -> None:
        """Call `listener(text)` whenever the typed-toward-a-scan text changes."""
        self._pending_listeners.append(listener)
        listener(self.wedge.pending)

    def remove_pending_listener(self, listener: Callable[[str], None]) -> None:
        if listener in self._pending_listeners:
            self._pending_listeners.remove(listener)

    def _sync_pending(self) -> None:
        # Plain callbacks, not a reactive: this runs on every key of a burst, and Textual's
        # reactive machinery (and an App-level repaint) would cost more than the key itself.
        pending = self.wedge.pending
        if pending != self._shown_pending:
            self._shown_pending = pending
            for listener in self._pending_listeners:
                listener(pending)

    def next_queued_scan(self) -> tuple[str, str] | None:
        """The oldest queued scan (raw, source), taken off the queue; None when there is none.

        Screens with `QUEUES_SCANS = True` work their scans off the event loop: the App keeps
        those scans here, in arrival order, and posts the screen a ScanReceived for each as
        a nudge; the screen works what is queued, one at a time. A message still in a
        screen's own queue would be lost if an earlier scan moved the walk to another screen.
        """
        return self._queued.popleft() if self._queued else None

    def requeue_scans(self) -> None:
        """Hand what is still queued to the screen that is active now, in order."""
        queued, self._queued = self._queued, deque()
        while queued:
            self.deliver_scan(*queued.popleft())

    def deliver_scan(self, raw: str, source: str) -> None:
        """Hand one scan to the active screen, or signal that none is expected here."""
        screen = self.active_screen()
        if screen is not None and screen_accepts_scans(screen):
            if getattr(screen, "QUEUES_SCANS", False):
                self._queued.append((raw, source))
            elif self._queued:
                # Left by a screen that went away between its nudges: they come first.
                self.requeue_scans()
            screen.post_message(ScanReceived(raw, source))
        else:
            self.scan_not_expected(raw, source)

    def scan_not_expected(self, raw: str, source: str) -> None:
        """A scan arrived where no screen takes one: never silent, never acted on."""
        if self._app_bells is None:
            self._app_bells = BellPlayer(self)
        self._app_bells.play(BAD_BELLS)
        self.notify("No scan expected on this screen.", severity="error", title="Scan ignored")

    def _on_serial_scan(self, message: SerialScan) -> None:
        self.deliver_scan(message.raw, SERIAL_SOURCE_PREFIX + message.device)

    def _on_scanner_status(self, message: ScannerStatus) -> None:
        # The toast is for every screen; the forwarded copy lets a screen show it in place.
        if message.connected:
            self.notify(message.sentence, title="Scanner")
        else:
            self.notify(message.sentence, title="Scanner", severity="error", timeout=30)
        screen = self.active_screen()
        if screen is not None:
            screen.post_message(
                ScannerStatus(message.device, message.connected, message.detail, message.retrying)
            )
