"""A probe app for scan-input tests: a scan screen with a focused Button and an Input."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Button, Input

from toteflow.domain.gs1 import with_check_digit
from toteflow.station.tui.scan_input import ScanInputApp
from toteflow.station.tui.scan_messages import ScannerStatus, ScanReceived
from toteflow.station.tui.widgets.scan_capture import GS, ScanPrompt, WedgeSettings


class ProbeScreen(Screen[None]):
    """Records every scan and every button press; the Button has focus unless told otherwise."""

    ACCEPTS_SCANS = True

    def __init__(self) -> None:
        super().__init__()
        self.scans: list[tuple[str, str]] = []
        self.statuses: list[tuple[str, bool]] = []
        self.pressed = 0

    def compose(self) -> ComposeResult:
        yield Button("Confirm", id="confirm")
        yield Input(id="qty")
        yield ScanPrompt()

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    def on_scan_received(self, message: ScanReceived) -> None:
        self.scans.append((message.raw, message.source))

    def on_scanner_status(self, message: ScannerStatus) -> None:
        self.statuses.append((message.device, message.connected))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.pressed += 1


class PlainScreen(Screen[None]):
    """A screen that takes no scans (a menu, a dialog)."""

    def compose(self) -> ComposeResult:
        yield Button("Back", id="back")


class ProbeApp(ScanInputApp[None]):
    def __init__(self, wedge: WedgeSettings | None = None) -> None:
        super().__init__(wedge=wedge)
        self.bells = 0

    def get_default_screen(self) -> ProbeScreen:
        return ProbeScreen()

    @property
    def probe(self) -> ProbeScreen:
        screen = self.screen
        assert isinstance(screen, ProbeScreen)
        return screen

    def bell(self) -> None:
        # Headless apps ring nothing; count instead.
        self.bells += 1


def sample_scans(count: int) -> list[str]:
    """A mix of what a station sees: GTINs, GS1 strings with GS, locations, totes."""
    scans: list[str] = []
    for i in range(count):
        match i % 5:
            case 0:
                scans.append(with_check_digit(f"400638133{i:04d}"))  # GTIN-13
            case 1:
                gtin = with_check_digit(f"0950110153{i:03d}")
                scans.append(f"]C101{gtin}17261231{GS}10LOT{i}{GS}21S{i:05d}")
            case 2:
                scans.append(f"{i % 40 + 1:02d}-{i % 999 + 1:03d}-{i % 5 + 1}")
            case 3:
                scans.append(f"T{i:06d}")
            case _:
                gtin = with_check_digit(f"0950110153{i:03d}")
                scans.append(f"01{gtin}3103000{i % 900 + 100:03d}{GS}10B{i}")
    return scans
