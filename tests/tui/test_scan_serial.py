"""A serial scanner on a pseudo-terminal, through the reader thread, into the scan check screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.integration.ptys import PtyDevice
from tests.tui.terminal_input import feed_terminal_bytes, wait_until
from toteflow.station.devices.scanner.events import ScannerConnection, ScanRecord
from toteflow.station.devices.scanner.serial_reader import SerialScannerReader
from toteflow.station.tui.scan_check_app import ScanCheckApp
from toteflow.station.tui.scan_input import ScannerEventSink, scanner_events_to
from toteflow.station.tui.screens.scan_check import ScanCheckScreen
from toteflow.station.tui.widgets.scan_capture import GS

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def device(tmp_path: Path) -> Iterator[PtyDevice]:
    pty = PtyDevice(tmp_path / "ttyACM0")
    yield pty
    pty.close()


async def test_serial_and_wedge_scans_reach_the_screen_alike_across_unplug(
    device: PtyDevice,
) -> None:
    def make_reader(sink: ScannerEventSink) -> SerialScannerReader:
        return SerialScannerReader(
            str(device.path), sink, suffix="CR", retry_initial=0.01, retry_max=0.05
        )

    app = ScanCheckApp(tune_gc=False, scanner=make_reader, scanner_label="serial ttyACM0")
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, ScanCheckScreen)
        title = screen.query_one("#scan-check-title", Static)
        # The reader starts once the app is ready and reports the port open.
        assert await wait_until(
            pilot,
            lambda: "connected" in str(title.render()) and not title.has_class("-offline"),
        )
        assert "disconnected" not in str(title.render())

        device.write(f"]C10109501101530003{GS}10LOT42\r".encode())
        await feed_terminal_bytes(app, b"05-017-2\r")
        assert await wait_until(pilot, lambda: screen.scan_count == 2)
        sources = sorted(checked.source for checked in screen.checked)
        assert sources == ["keyboard", f"serial:{device.path}"]

        device.unplug()
        assert await wait_until(pilot, lambda: title.has_class("-offline"))
        assert "disconnected" in str(title.render())
        device.replug()
        assert await wait_until(pilot, lambda: not title.has_class("-offline"))
        device.write(b"T000042\r")
        assert await wait_until(pilot, lambda: screen.scan_count == 3)
        assert screen.checked[0].raw == "T000042"


async def test_reader_events_become_app_messages() -> None:
    app = ScanCheckApp(tune_gc=False)
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, ScanCheckScreen)
        post = scanner_events_to(app)
        post(ScannerConnection("loop://", connected=False, detail="gone", retrying=False))
        post(ScanRecord(raw="T000001", device="loop://"))
        assert await wait_until(pilot, lambda: screen.scan_count == 1)
        title = screen.query_one("#scan-check-title", Static)
        assert await wait_until(pilot, lambda: "not retrying" in str(title.render()))
        assert screen.checked[0].source == "serial:loop://"
