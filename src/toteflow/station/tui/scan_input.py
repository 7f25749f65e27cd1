"""ScanInputApp: one ordered queue of scans and keys, each worked by the screen then active."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from textual import events
from textual.app import App, ReturnType, ScreenStackError
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, TextArea

from toteflow.station.tui.input_holds import MAX_LAPS, InputHold, InputSettled, path_busy
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

QueuedScan = tuple[str, str]
"""A complete scan waiting for its turn: (raw, source)."""
WaitingInput = events.Key | events.Paste | QueuedScan

# How often holds whose owner went away are looked for (a dialog closed by its own key).
_HOLD_CHECK_S = 0.05


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
    """An App whose input (keys, pastes, scans from any scanner) is one ordered queue.

    Keys are read here, in the App's own message loop, before Textual forwards them to the
    focused widget: each key is settled (scan text, scan end, or an ordinary key) before the
    next one is looked at, so a burst of scans in one terminal read comes out whole and in
    order (Textual's Input cannot promise this: Textualize/textual#6605). Keys that end a
    scan are consumed here, so a focused Button never sees a scanner's Enter.

    One rule for every screen: while a scan is being worked, or a key forwarded to a widget
    is on its way (bindings, an Input's Submitted, a dialog closing), the next input waits
    (InputHold). It is then worked by the screen that is active in its turn, once any new
    screen is up. So a badge then a PIN typed in one burst goes badge to the log-in, PIN to
    the PIN field; Tab then text in a dialog lands in the field Tab moved to.

    Screens opt in with `ACCEPTS_SCANS = True` and an `on_scan_received` handler; one that
    works a scan on a worker calls `message.keep()` and releases when the outcome is shown.
    Serial scanner threads post `SerialScan` / `ScannerStatus` to the App (post_message is
    thread-safe); they join the same queue.

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
        self._holds: list[InputHold] = []
        # Raw input that arrived while something was held, in arrival order; and what the
        # input already taken still has to hand on (a second scan from one key, keys after
        # a forwarded one), which comes before it.
        self._waiting: deque[WaitingInput] = deque()
        self._next_up: deque[WaitingInput] = deque()
        self._release_due = False
        self._hold_timer: Timer | None = None
        self.scans_worked = 0
        """How many scans reached a screen (tests wait on it)."""

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

    # -- the queue ------------------------------------------------------------------------

    @property
    def input_waiting(self) -> bool:
        """Whether input is held back now (something is being worked, or waits its turn)."""
        return bool(self._holds or self._waiting or self._next_up)

    def hold_input(self, node: MessagePump, *, scan: bool = False) -> InputHold:
        """Keep the next scans and keys waiting until the hold is released.

        For work that goes on after a handler returns (a worker asking the server, then a
        new screen): take the hold before starting it, release it in its `finally`.
        """
        hold = InputHold(node, self.active_screen(), scan, self._hold_released)
        self._holds.append(hold)
        if self._hold_timer is None:
            self._hold_timer = self.set_interval(_HOLD_CHECK_S, self._drop_lapsed_holds)
        else:
            self._hold_timer.resume()
        return hold

    def _hold_released(self, hold: InputHold) -> None:
        if hold in self._holds:
            self._holds.remove(hold)
        if self._holds:
            return
        if self._hold_timer is not None:
            self._hold_timer.pause()
        if not (self._waiting or self._next_up) or self._release_due:
            return
        self._release_due = True
        if self.active_screen() is not hold.screen:
            # A new screen: what waited goes to it once it is mounted and shown.
            self.call_after_refresh(self.call_later, self._work_waiting)
        else:
            self.call_later(self._work_waiting)

    def _drop_lapsed_holds(self) -> None:
        now = time.monotonic()
        for hold in [hold for hold in self._holds if hold.lapsed(now)]:
            hold.release()

    async def _work_waiting(self) -> None:
        self._release_due = False
        while not self._holds and (self._next_up or self._waiting):
            item = (self._next_up or self._waiting).popleft()
            await self._take(item)

    async def _take(self, item: WaitingInput) -> None:
        if isinstance(item, events.Key):
            await self._take_key(item)
        elif isinstance(item, events.Paste):
            await self._take_paste(item)
        else:
            self._hand_over(*item)

    async def on_event(self, event: events.Event) -> None:
        # Only raw input from the driver is read here; events that bubbled back up from a
        # widget were already offered to the wedge.
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if self.input_waiting:
                self._waiting.append(event)
            else:
                await self._take(event)
            return
        await super().on_event(event)

    async def _take_key(self, event: events.Key) -> None:
        passthrough = self.wedge.feed_key(
            event.key, event.character, event, self.scan_capture_active()
        )
        self._sync_pending()
        for key_event in passthrough:
            if self._holds:
                self._next_up.append(key_event)
            else:
                await self._forward(key_event)

    async def _take_paste(self, event: events.Paste) -> None:
        if self.wedge.feed_paste(event.text, self.scan_capture_active()):
            self._sync_pending()
        else:
            await self._forward(event)

    async def _forward(self, event: events.Key | events.Paste) -> None:
        """Give an ordinary key (or paste) to Textual; hold what follows until it is done."""
        screen = self.active_screen()
        target: MessagePump | None = (screen.focused or screen) if screen is not None else None
        await super().on_event(event)
        if target is None or not event.is_forwarded:
            return  # a priority binding took it, here and now
        hold = self.hold_input(target)
        target.call_next(self._send_settled, target, hold)

    @staticmethod
    def _send_settled(target: MessagePump, hold: InputHold, lap: int = 1) -> None:
        target.post_message(InputSettled(hold, lap))

    def on_input_settled(self, message: InputSettled) -> None:
        message.stop()
        hold = message.hold
        node = hold.node
        if message.lap < MAX_LAPS and not hold.released and node.is_attached and path_busy(node):
            node.call_next(self._send_settled, node, hold, message.lap + 1)
        else:
            hold.release()

    # -- scans ----------------------------------------------------------------------------

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

    def deliver_scan(self, raw: str, source: str) -> None:
        """Hand one scan to the active screen in its turn (after the scan before it)."""
        if any(hold.scan for hold in self._holds):
            self._next_up.append((raw, source))
        else:
            self._hand_over(raw, source)

    def _hand_over(self, raw: str, source: str) -> None:
        screen = self.active_screen()
        if screen is None or not screen_accepts_scans(screen):
            self.scan_not_expected(raw, source)
            return
        hold = self.hold_input(screen, scan=True)
        message = ScanReceived(raw, source, hold)
        self.scans_worked += 1
        screen.post_message(message)
        # Runs once the handler has returned: the scan is done unless the screen kept it.
        screen.call_later(self._scan_handled, message)

    @staticmethod
    def _scan_handled(message: ScanReceived) -> None:
        if not message.kept and message.hold is not None:
            message.hold.release()

    def scan_not_expected(self, raw: str, source: str) -> None:
        """A scan arrived where no screen takes one: never silent, never acted on."""
        if self._app_bells is None:
            self._app_bells = BellPlayer(self)
        self._app_bells.play(BAD_BELLS)
        self.notify("No scan expected on this screen.", severity="error", title="Scan ignored")

    def _on_serial_scan(self, message: SerialScan) -> None:
        raw, source = message.raw, SERIAL_SOURCE_PREFIX + message.device
        if self.input_waiting:
            self._waiting.append((raw, source))
        else:
            self._hand_over(raw, source)

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
