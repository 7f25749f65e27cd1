"""StationApp: log-in, one mode per role, the sync worker and scanners; screens do the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, Protocol

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import ModalScreen, Screen
from textual.theme import Theme

from toteflow.domain.scale import ScaleReading
from toteflow.station.ports.store import SyncRunner, SyncStatus
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.picker import Outcome, PickWalk
from toteflow.station.tui.gc_tuning import GcState, restore_gc, tune_gc_after_startup
from toteflow.station.tui.host import StationHost
from toteflow.station.tui.modes import mode_for
from toteflow.station.tui.scan_input import (
    ScanInputApp,
    ScannerEventSink,
    scanner_events_to,
    screen_accepts_scans,
)
from toteflow.station.tui.scan_messages import ScannerStatus
from toteflow.station.tui.screens.help import HelpScreen, help_title
from toteflow.station.tui.screens.login import LoginScreen
from toteflow.station.tui.screens.walk_screen import walk_label
from toteflow.station.tui.station_messages import ScaleChanged, SyncStatusChanged
from toteflow.station.tui.terminal_hangup import hung_up, watched_terminal
from toteflow.station.tui.walk_flow import screen_for, wants_screen
from toteflow.station.tui.widgets.scan_capture import WedgeSettings

# Floor lighting is harsh and screens are old: black, white and one loud accent.
FLOOR_THEME = Theme(
    name="toteflow-floor",
    primary="#FFD400",
    secondary="#00E5FF",
    accent="#FFD400",
    foreground="#FFFFFF",
    background="#000000",
    surface="#0A0A0A",
    panel="#262626",
    success="#22C55E",
    warning="#FFB000",
    error="#FF4040",
    dark=True,
)


# Textual's own keys that mean nothing at a station (there is no text to copy, and focus
# moves by itself).
_NOT_FOR_PICKERS = frozenset(
    {
        "screen.copy_text",
        "app.copy_text",
        "copy_text",
        "focus_next",
        "focus_previous",
        "app.focus_next",
        "app.focus_previous",
    }
)


class ScannerReader(Protocol):
    """A scanner reader on its own thread (adapters.scanner readers are)."""

    def start(self) -> None: ...

    def stop(self, timeout: float | None = ...) -> None: ...


class StationApp(ScanInputApp[None]):
    """The floor station. Screens get `services` and the `person`; this class only wires."""

    TITLE = "toteflow station"
    # Screens and dialogs focus what they mean to (a PIN field once the badge is read);
    # Textual's default focuses the first focusable widget, hidden or not.
    AUTO_FOCUS: ClassVar[str | None] = ""
    # Everyone starts at the log-in screen; each role's mode is added when they log in.
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {"login": LoginScreen}
    DEFAULT_MODE: ClassVar[str] = "login"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+l", "log_out", "Log out", show=False),
        Binding("f9", "demo_scan", "Demo"),
    ]

    person: var[Person | None] = var(None)
    sync_status: var[SyncStatus | None] = var(None)
    task_label: var[str] = var("")
    scanner_problem: var[str] = var("")
    scale_reading: var[ScaleReading | None] = var(None)
    """The serial scale's latest reading (None: this station has no scale)."""

    def __init__(
        self,
        services: StationServices,
        *,
        wedge: WedgeSettings | None = None,
        sync: SyncRunner | None = None,
        scanner: Callable[[ScannerEventSink], ScannerReader] | None = None,
        scale: Callable[[Callable[[ScaleReading], None]], ScannerReader] | None = None,
        css_path: Path | None = None,
        tune_gc: bool = True,
        demo: bool = False,
    ) -> None:
        super().__init__(wedge=wedge, css_path=css_path)
        self.services = services
        self.demo = demo
        self._sync = sync
        self._unsubscribe: Callable[[], None] | None = None
        self._make_scanner = scanner
        self._scanner: ScannerReader | None = None
        self._make_scale = scale
        self._scale: ScannerReader | None = None
        self._tune_gc = tune_gc
        self._gc_state: GcState | None = None
        self._mode: str | None = None

    def on_mount(self) -> None:
        self.register_theme(FLOOR_THEME)
        self.theme = FLOOR_THEME.name

    def on_ready(self) -> None:
        terminal = watched_terminal() if not self.is_headless else None
        if terminal is not None:
            self.set_interval(1.0, lambda: self._exit_if_hung_up(terminal), name="hang-up")
        # After the first frame: what exists now lives as long as the app (gc_tuning.py).
        if self._tune_gc and self._gc_state is None:
            self._gc_state = tune_gc_after_startup()
        if self._sync is not None and self._unsubscribe is None:
            sync = self._sync

            def report(status: SyncStatus) -> None:
                self.post_message(SyncStatusChanged(status))  # thread-safe

            self._unsubscribe = sync.subscribe(report)
            # A thread of its own: its store writes and HTTP waits never stall a scan.
            self.run_worker(sync.run_forever, name="sync", group="sync", thread=True)
        if self._make_scanner is not None and self._scanner is None:
            self._scanner = self._make_scanner(scanner_events_to(self))
            self._scanner.start()
        if self._make_scale is not None and self._scale is None:

            def weighed(reading: ScaleReading) -> None:
                self.post_message(ScaleChanged(reading))  # thread-safe

            self._scale = self._make_scale(weighed)
            self._scale.start()

    def _exit_if_hung_up(self, terminal: int) -> None:
        # Events already committed are in the outbox; the next start pushes them.
        if hung_up(terminal):
            self.exit()

    def on_unmount(self) -> None:
        if self._sync is not None:
            if self._unsubscribe is not None:
                self._unsubscribe()
            self._sync.stop()
        if self._scanner is not None:
            self._scanner.stop()
            self._scanner = None
        if self._scale is not None:
            self._scale.stop()
            self._scale = None
        if self._gc_state is not None:
            restore_gc(self._gc_state)
            self._gc_state = None

    def on_sync_status_changed(self, message: SyncStatusChanged) -> None:
        self.sync_status = message.status

    def on_scale_changed(self, message: ScaleChanged) -> None:
        self.scale_reading = message.reading

    def _on_scanner_status(self, message: ScannerStatus) -> None:
        self.scanner_problem = "" if message.connected else "scanner disconnected"
        super()._on_scanner_status(message)

    # -- people and modes ----------------------------------------------------------------

    def open_walk(self, walk: PickWalk) -> None:
        """From the picker's home: push the walk's first screen."""
        self.task_label = walk_label(walk)
        self.push_screen(screen_for(walk))

    def follow_walk(self, current: Screen[None], walk: PickWalk, outcome: Outcome) -> bool:
        """Move to the screen the walk needs after `outcome`; False when `current` still fits."""
        if type(current).__name__ == wants_screen(walk):
            return False
        self.switch_screen(screen_for(walk, outcome))
        return True

    async def sign_in(self, person: Person) -> bool:
        """Open the mode of the person's role; False when this station has none for it."""
        mode = mode_for(person.role)
        if mode is None:
            return False
        if self._mode is not None:
            await self.sign_out()
        self.person = person
        self.add_mode(mode.name, lambda: mode.home(self.services, person))
        self._mode = mode.name
        await self.switch_mode(mode.name)
        return True

    async def sign_out(self) -> None:
        """Back to the log-in screen; the role's screens (and any walk) are dropped."""
        person, mode = self.person, self._mode
        self.person = None
        self.task_label = ""
        self._mode = None
        await self.switch_mode("login")
        if mode is not None:
            await self.remove_mode(mode)
        if person is not None:
            self.run_worker(self.services.login.logout(person), group="logout")

    async def action_log_out(self) -> None:
        if self._mode is not None:
            await self.sign_out()

    # -- keys for every screen -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The demo key exists only on demo stations (hidden from the footer elsewhere).
        if action == "demo_scan":
            return self.demo
        return True

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        keys: dict[str, str] = {}
        for key, active in self.active_bindings.items():
            if not active.enabled or active.binding.action in _NOT_FOR_PICKERS:
                continue
            # The screen's and the station's keys; a table's or a list's cursor keys
            # (Ctrl+PageUp, Home, ...) would crowd them out of an 80x24 terminal.
            if active.node is not screen and active.node is not self:
                continue
            if active.binding.description and key not in keys:
                keys[key] = active.binding.description
        if not isinstance(screen, ModalScreen):  # a dialog shuts these out
            keys.setdefault("ctrl+l", "Log out")
            keys.setdefault("ctrl+p", "Command palette")
        title = help_title(screen)
        # The console and the dialogs take no scans: the help does not offer them.
        scans = screen_accepts_scans(screen)
        self.push_screen(HelpScreen(title, sorted(keys.items()), scans=scans))

    def action_demo_scan(self) -> None:
        """The demo scanner: scan the label the screen is waiting for (demo stations only).

        Quick presses each scan what the screen asks for next: the App works a key only
        once the scan before it is done (scan_input.ScanInputApp), so three presses at a
        stop scan its location, then its items, never one location three times.
        """
        if not self.demo:
            return
        expected = getattr(self.screen, "expected_scan", None)
        raw = expected() if callable(expected) else None
        if raw:
            self.deliver_scan(raw, "demo")
        else:
            self.notify("Nothing to scan here: use the keys at the bottom.", title="Demo scan")

    def action_sync_now(self) -> None:
        if self._sync is not None:
            self._sync.wake()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: keys of this screen", "List the keys (F1)", self.action_help)
        if self._sync is not None:
            yield SystemCommand("Sync now", "Push waiting events now", self.action_sync_now)
        if self._mode is not None:
            yield SystemCommand("Log out", "Back to the log-in screen", self.action_log_out)
        if self.demo:
            yield SystemCommand(
                "Demo scan", "Scan what the screen asks for (F9)", self.action_demo_scan
            )


def _as_host(app: StationApp) -> StationHost:
    # mypy checks here that the app gives screens everything StationHost promises.
    return app
