"""The small app behind `toteflow scan-check`: the scan check screen and nothing else."""

from __future__ import annotations

from textual.screen import Screen

from toteflow.domain.scan import CodeFormats
from toteflow.tui.gc_tuning import GcState, restore_gc, tune_gc_after_startup
from toteflow.tui.scan_input import ScanInputApp
from toteflow.tui.screens.scan_check import ScanCheckScreen
from toteflow.tui.widgets.scan_capture import WedgeSettings


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
    ) -> None:
        super().__init__(wedge=wedge)
        self._formats = formats
        self._fnc1_replacement = fnc1_replacement
        self._tune_gc = tune_gc
        self._gc_state: GcState | None = None

    def get_default_screen(self) -> Screen[None]:
        settings = self.wedge.settings
        label = "keyboard wedge"
        if settings.prefix:
            label += f" (prefix {settings.prefix!r})"
        return ScanCheckScreen(
            self._formats, fnc1_replacement=self._fnc1_replacement, scanner_label=label
        )

    def on_ready(self) -> None:
        # After the first frame: everything built so far lives as long as the app.
        if self._tune_gc and self._gc_state is None:
            self._gc_state = tune_gc_after_startup()

    def on_unmount(self) -> None:
        if self._gc_state is not None:
            restore_gc(self._gc_state)
            self._gc_state = None
