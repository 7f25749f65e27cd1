"""Serial scanner reader over loop:// and pseudo-terminals: framing, splits, unplug and replug."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serial

from tests.integration.ptys import EventLog, PtyDevice
from toteflow.config import ScannerSettings
from toteflow.station.devices.scanner.events import ScannerConnection, ScanRecord
from toteflow.station.devices.scanner.serial_reader import SerialScannerReader

GS = b"\x1d"
BURST = [b"T000001", b"05-017-2", b"]C10104012345678901" + GS + b"10LOT7", b"4006381333931"]


def connected(event: object) -> bool:
    return isinstance(event, ScannerConnection) and event.connected


def disconnected(event: object) -> bool:
    return isinstance(event, ScannerConnection) and not event.connected


def scans(log: EventLog, count: int, timeout: float = 10.0) -> list[str]:
    return [log.wait_type(ScanRecord, timeout).raw for _ in range(count)]


class LoopPorts:
    """Opens loop:// ports for a reader and keeps the latest, so the test can write to it."""

    def __init__(self) -> None:
        self.opened: list[Any] = []
        self.fail_next = 0

    def __call__(self) -> Any:
        if self.fail_next:
            self.fail_next -= 1
            raise serial.SerialException("could not open port: [Errno 2] No such file")
        port = serial.serial_for_url("loop://", timeout=0.05)
        self.opened.append(port)
        return port

    @property
    def current(self) -> Any:
        return self.opened[-1]


@pytest.fixture
def loop_reader() -> Iterator[tuple[SerialScannerReader, LoopPorts, EventLog]]:
    ports = LoopPorts()
    log = EventLog()
    reader = SerialScannerReader(
        "loop://", log, suffix="CRLF", open_port=ports, retry_initial=0.01, retry_max=0.05
    )
    reader.start()
    log.wait_for(connected)
    yield reader, ports, log
    reader.stop()


@pytest.fixture
def pty_device(tmp_path: Path) -> Iterator[PtyDevice]:
    device = PtyDevice(tmp_path / "scanner")
    yield device
    device.close()


def test_loop_burst_in_one_write(
    loop_reader: tuple[SerialScannerReader, LoopPorts, EventLog],
) -> None:
    _, ports, log = loop_reader
    ports.current.write(b"".join(code + b"\r\n" for code in BURST))
    assert scans(log, len(BURST)) == [code.decode() for code in BURST]


def test_loop_split_at_every_byte_boundary(
    loop_reader: tuple[SerialScannerReader, LoopPorts, EventLog],
) -> None:
    _, ports, log = loop_reader
    data = b"".join(code + b"\r\n" for code in BURST[:3])
    expected = [code.decode() for code in BURST[:3]]
    for cut in range(1, len(data)):
        ports.current.write(data[:cut])
        ports.current.write(data[cut:])
        assert scans(log, 3) == expected, f"split at byte {cut}"


def test_loop_byte_by_byte(loop_reader: tuple[SerialScannerReader, LoopPorts, EventLog]) -> None:
    _, ports, log = loop_reader
    data = b"".join(code + b"\r\n" for code in BURST)
    for byte in data:
        ports.current.write(bytes([byte]))
    assert scans(log, len(BURST)) == [code.decode() for code in BURST]


def test_loop_disconnect_discards_the_partial_scan(
    loop_reader: tuple[SerialScannerReader, LoopPorts, EventLog],
) -> None:
    reader, ports, log = loop_reader
    first = ports.current
    first.write(b"T000001\r\n")
    assert scans(log, 1) == ["T000001"]
    first.write(b"T0000")  # half a scan, then the cable is pulled
    ports.fail_next = 2  # the device stays away for two attempts
    first.close()
    gone = log.wait_for(disconnected)
    assert isinstance(gone, ScannerConnection)
    assert gone.sentence.startswith("scanner disconnected: loop://")
    log.wait_for(connected)
    assert ports.current is not first
    ports.current.write(b"T000002\r\n")
    assert scans(log, 1) == ["T000002"]
    # Exactly one disconnect and one reconnect were reported, however many retries it took.
    statuses = [e for e in log.seen if isinstance(e, ScannerConnection)]
    assert [s.connected for s in statuses] == [True, False, True]
    assert reader.connected


def test_gap_timeout_framing() -> None:
    ports = LoopPorts()
    log = EventLog()
    # A gap far longer than two back-to-back writes take, so a busy CI host cannot split
    # a scan; the test only waits for records, never for time.
    reader = SerialScannerReader("loop://", log, suffix="NONE", gap_timeout=0.3, open_port=ports)
    reader.start()
    try:
        log.wait_for(connected)
        ports.current.timeout = 0.3
        ports.current.write(b"T000")
        ports.current.write(b"001")
        assert scans(log, 1) == ["T000001"]
        ports.current.write(b"05-017-2\r")  # a stray CR is trimmed, not part of the code
        assert scans(log, 1) == ["05-017-2"]
    finally:
        reader.stop()


def test_decode_errors_do_not_stop_the_reader(
    loop_reader: tuple[SerialScannerReader, LoopPorts, EventLog],
) -> None:
    _, ports, log = loop_reader
    ports.current.write(b"\xff\xfeT1\r\n" + "LÖT".encode() + b"\r\nT000003\r\n")
    assert scans(log, 3) == ["ÿþT1", "LÖT", "T000003"]


def test_a_failing_handler_does_not_kill_the_reader() -> None:
    ports = LoopPorts()
    log = EventLog()
    calls = itertools.count()

    def handler(event: object) -> None:
        log(event)
        if isinstance(event, ScanRecord) and next(calls) == 0:
            raise RuntimeError("screen went away")

    reader = SerialScannerReader("loop://", handler, open_port=ports)
    reader.start()
    try:
        log.wait_for(connected)
        ports.current.write(b"T000001\rT000002\r")
        assert scans(log, 2) == ["T000001", "T000002"]
    finally:
        reader.stop()


def test_unknown_url_is_reported_once_and_not_retried() -> None:
    log = EventLog()
    reader = SerialScannerReader("nosuch://x", log)
    done = threading.Thread(target=reader.run)
    done.start()
    event = log.wait_for(disconnected)
    done.join(10)
    assert not done.is_alive()
    assert isinstance(event, ScannerConnection)
    assert not event.retrying
    assert "bad device setting" in event.detail


def test_bad_suffix_is_refused() -> None:
    with pytest.raises(ValueError, match="suffix"):
        SerialScannerReader("loop://", EventLog(), suffix="ETX")


# --- pseudo-terminals: a real tty, closed and reopened -------------------------------


def pty_reader(device: PtyDevice, log: EventLog, **kwargs: Any) -> SerialScannerReader:
    settings = ScannerSettings(device=str(device.path), baudrate=9600, **kwargs)
    reader = SerialScannerReader.from_settings(settings, log, retry_initial=0.01, retry_max=0.05)
    reader.start()
    return reader


def test_pty_scans_and_every_boundary(pty_device: PtyDevice) -> None:
    log = EventLog()
    reader = pty_reader(pty_device, log, suffix="CRLF")
    try:
        log.wait_for(connected)
        data = b"".join(code + b"\r\n" for code in BURST[:2])
        for cut in range(len(data) + 1):
            pty_device.write(data[:cut])
            pty_device.write(data[cut:])
            assert scans(log, 2) == ["T000001", "05-017-2"], f"split at byte {cut}"
    finally:
        reader.stop()


def test_pty_unplug_and_replug(pty_device: PtyDevice) -> None:
    log = EventLog()
    reader = pty_reader(pty_device, log, suffix="CR")
    try:
        log.wait_for(connected)
        pty_device.write(b"T000001\r")
        assert scans(log, 1) == ["T000001"]

        pty_device.write(b"T0000")  # half a scan when the USB cable comes out
        pty_device.unplug()
        gone = log.wait_for(disconnected)
        assert isinstance(gone, ScannerConnection)
        assert gone.device == str(pty_device.path)
        assert gone.sentence.startswith(f"scanner disconnected: {pty_device.path}")

        pty_device.replug()
        log.wait_for(connected)
        pty_device.write(b"T000002\r05-017-2\r")
        assert scans(log, 2) == ["T000002", "05-017-2"]

        # Twice more: the reader keeps coming back, and nothing is duplicated.
        for number in (3, 4):
            pty_device.unplug()
            log.wait_for(disconnected)
            pty_device.replug()
            log.wait_for(connected)
            pty_device.write(f"T00000{number}\r".encode())
            assert scans(log, 1) == [f"T00000{number}"]
        assert not [e for e in log.drain() if isinstance(e, ScanRecord)]
    finally:
        reader.stop()


def test_pty_missing_at_start_then_plugged_in(tmp_path: Path) -> None:
    device = PtyDevice(tmp_path / "scanner")
    device.unplug()
    log = EventLog()
    reader = pty_reader(device, log)
    try:
        missing = log.wait_for(disconnected)
        assert isinstance(missing, ScannerConnection)
        assert missing.detail == "not found"
        device.replug()
        log.wait_for(connected)
        device.write(b"B00017\r")
        assert scans(log, 1) == ["B00017"]
    finally:
        reader.stop()
        device.close()


def test_stop_ends_a_blocked_read(pty_device: PtyDevice) -> None:
    log = EventLog()
    reader = pty_reader(pty_device, log)
    log.wait_for(connected)
    thread = reader._thread
    assert thread is not None
    reader.stop(timeout=10)
    assert not thread.is_alive()
    assert reader.stopped
