"""The small app behind `toteflow scan-check`: the scan check screen and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from textual.screen import Screen

from toteflow.domain.scan import CodeFormats
from toteflow.station.tui.gc_tuning import GcState, restore_gc, tune_gc_after_startup
from toteflow.station.tui.scan_input import ScanInputApp, ScannerEventSink, scanner_events_to
from toteflow.station.tui.screens.scan_check import ScanCheckScreen
from toteflow.station.tui.widgets.scan_capture import WedgeSettings


class ScannerReader(Protocol):
    """A scanner reader that runs on its own thread (adapters.scanner readers are)."""

    def start(self) -> None: ...

    def stop(self, timeout: float | None = ...) -> None: ...


class ScanCheckApp(ScanInputApp[None]):
    """Reads scans from the terminal (keyboard wedge, typing, paste) and explains each one."""

    TITLE = "toteflow scan check"
    # ctrl+p would open a palette of developer commands; a station has no use for it.
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        *,
        wedge: WedgeSettings | None = None,
        formats: CodeFormats | None = None,
        fnc1_replacement: str | None = None,
        tune_gc: bool = True,
        scanner: Callable[[ScannerEventSink], ScannerReader] | None = None,
        scanner_label: str = "",
    ) -> None:
        super().__init__(wedge=wedge)
        self._formats = formats
        self._fnc1_replacement = fnc1_replacement
        self._tune_gc = tune_gc
        self._gc_state: GcState | None = None
        self._make_scanner = scanner
        self._scanner: ScannerReader | None = None
        self._scanner_label = scanner_label

    def get_default_screen(self) -> Screen[None]:
        settings = self.wedge.settings
        label = "keyboard wedge"
        if settings.prefix:
            label += f" (prefix {settings.prefix!r})"
        if self._scanner_label:
            label = f"{self._scanner_label} + {label}"
        return ScanCheckScreen(
            self._formats, fnc1_replacement=self._fnc1_replacement, scanner_label=label
        )

    def on_ready(self) -> None:
        # After the first frame: everything built so far lives as long as the app.
        if self._tune_gc and self._gc_state is None:
            self._gc_state = tune_gc_after_startup()
        # Started only now: the reader posts from its thread, which needs a running app.
        if self._make_scanner is not None and self._scanner is None:
            self._scanner = self._make_scanner(scanner_events_to(self))
            self._scanner.start()

    def on_unmount(self) -> None:
        if self._scanner is not None:
            self._scanner.stop()
            self._scanner = None
        if self._gc_state is not None:
            restore_gc(self._gc_state)
            self._gc_state = None
