"""evdev scanners without hardware: key codes to text, a missing extra, and the reader loop."""

from __future__ import annotations

import errno
import os
import queue
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from tests.integration.ptys import EventLog
from toteflow.domain.scan import Gs1Scan, interpret
from toteflow.station.devices.scanner import evdev_reader
from toteflow.station.devices.scanner.evdev_reader import (
    KEY_CAPSLOCK,
    KEY_DOWN,
    KEY_ENTER,
    KEY_LEFTALT,
    KEY_LEFTCTRL,
    KEY_LEFTSHIFT,
    KEY_RIGHTBRACE,
    KEY_TAB,
    KEY_UP,
    EvdevScannerReader,
    EvdevUnavailable,
    KeyDecoder,
    load_evdev,
)
from toteflow.station.devices.scanner.events import ScannerConnection, ScanRecord

# The few key codes the tests type with (linux/input-event-codes.h).
CODE = {
    **{str(d): c for d, c in zip("1234567890", range(2, 12), strict=True)},
    **dict(zip("qwertyuiop", range(16, 26), strict=True)),
    **dict(zip("asdfghjkl", range(30, 39), strict=True)),
    **dict(zip("zxcvbnm", range(44, 51), strict=True)),
    "-": 12,
    ".": 52,
    "/": 53,
    ":": 39,
}
KP = {"0": 82, "1": 79, "2": 80, "9": 73}


def press(code: int) -> list[tuple[int, int]]:
    return [(code, KEY_DOWN), (code, KEY_UP)]


def type_text(text: str) -> list[tuple[int, int]]:
    """Key events a US-layout scanner sends for `text` (letters in upper case with Shift)."""
    events: list[tuple[int, int]] = []
    for char in text:
        if char == "\x1d":
            events += [(KEY_LEFTCTRL, KEY_DOWN), *press(KEY_RIGHTBRACE), (KEY_LEFTCTRL, KEY_UP)]
        elif char.isupper() or char == ":":
            key = CODE[char.lower()] if char != ":" else CODE[":"]
            events += [(KEY_LEFTSHIFT, KEY_DOWN), *press(key), (KEY_LEFTSHIFT, KEY_UP)]
        else:
            events += press(CODE[char])
    return events


def decode(events: list[tuple[int, int]], decoder: KeyDecoder | None = None) -> list[str]:
    decoder = decoder or KeyDecoder()
    out = []
    for code, value in events:
        record = decoder.feed(code, value)
        if record is not None:
            out.append(record)
    return out


def test_letters_digits_and_punctuation() -> None:
    assert decode(type_text("T000001") + press(KEY_ENTER)) == ["T000001"]
    assert decode(type_text("05-017-2") + press(KEY_ENTER)) == ["05-017-2"]
    assert decode(type_text("https://x.y/01") + press(KEY_ENTER)) == ["https://x.y/01"]


def test_ctrl_right_bracket_is_gs_and_gs1_survives() -> None:
    text = "0104012345678901\x1d10LOT7"
    (record,) = decode(type_text(text) + press(KEY_ENTER))
    assert record == text
    result = interpret(record)
    assert isinstance(result, Gs1Scan)
    assert result.lot == "LOT7"


def test_alt_keypad_codes() -> None:
    alt_0029 = [(KEY_LEFTALT, KEY_DOWN), *[e for d in "0029" for e in press(KP[d])]]
    alt_0029.append((KEY_LEFTALT, KEY_UP))
    assert decode(type_text("01") + alt_0029 + type_text("10") + press(KEY_ENTER)) == ["01\x1d10"]


def test_caps_lock_inverts_letters_only() -> None:
    events = press(KEY_CAPSLOCK) + type_text("t1") + type_text("T") + press(KEY_ENTER)
    assert decode(events) == ["T1t"]


def test_repeat_and_unknown_keys_are_ignored_and_empty_records_dropped() -> None:
    events = [(CODE["a"], KEY_DOWN), (CODE["a"], 2), (CODE["a"], KEY_UP), *press(59)]
    assert decode(events + press(KEY_ENTER) + press(KEY_ENTER)) == ["a"]


def test_tab_ends_a_record_only_when_chosen() -> None:
    events = type_text("t1") + press(KEY_TAB) + type_text("t2") + press(KEY_ENTER)
    assert decode(events) == ["t1\tt2"]
    assert decode(events, KeyDecoder(tab_ends_record=True)) == ["t1", "t2"]


def test_missing_extra_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "evdev", None)
    with pytest.raises(EvdevUnavailable, match=r"toteflow\[evdev\]"):
        load_evdev()
    reader = EvdevScannerReader("/dev/input/event9", EventLog())
    with pytest.raises(EvdevUnavailable):
        reader.start()
    log = EventLog()
    EvdevScannerReader("/dev/input/event9", log).run()
    event = log.wait_type(ScannerConnection, timeout=1)
    assert not event.retrying
    assert "pip install" in event.detail


# --- the reader loop against a fake evdev module -----------------------------------------


@dataclass
class FakeEvent:
    type: int
    code: int
    value: int


class FakeInputDevice:
    """Stands in for evdev.InputDevice: a pipe to select on, events from a queue."""

    registry: ClassVar[dict[str, FakeInputDevice]] = {}
    present: ClassVar[set[str]] = set()

    def __init__(self, path: str) -> None:
        if path not in self.present:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        self.path = path
        self.fd, self._wake = os.pipe()
        self.events: queue.Queue[list[FakeEvent] | None] = queue.Queue()
        self.grabbed = False
        self.closed = False
        FakeInputDevice.registry[path] = self

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        self.grabbed = False

    def send(self, batch: list[FakeEvent] | None) -> None:
        self.events.put(batch)
        os.write(self._wake, b"x")

    def read(self) -> Iterator[FakeEvent]:
        os.read(self.fd, 1)
        batch = self.events.get_nowait()
        if batch is None:
            raise OSError(errno.ENODEV, "No such device")
        yield from batch

    def close(self) -> None:
        self.closed = True
        os.close(self.fd)
        os.close(self._wake)


@pytest.fixture
def fake_evdev(monkeypatch: pytest.MonkeyPatch) -> type[FakeInputDevice]:
    module: Any = types.ModuleType("evdev")
    module.InputDevice = FakeInputDevice
    module.ecodes = types.SimpleNamespace(EV_KEY=1)
    monkeypatch.setitem(sys.modules, "evdev", module)
    FakeInputDevice.registry = {}
    FakeInputDevice.present = set()
    return FakeInputDevice


def key_events(text: str) -> list[FakeEvent]:
    return [FakeEvent(1, c, v) for c, v in type_text(text) + press(KEY_ENTER)]


def test_reader_grabs_reads_and_reconnects(fake_evdev: type[FakeInputDevice]) -> None:
    path = "/dev/input/by-id/usb-scanner-event-kbd"
    log = EventLog()
    reader = EvdevScannerReader(path, log, retry_initial=0.01, retry_max=0.05)
    reader.start()
    try:
        missing = log.wait_type(ScannerConnection)
        assert not missing.connected
        fake_evdev.present.add(path)
        assert log.wait_type(ScannerConnection).connected
        device = fake_evdev.registry[path]
        assert device.grabbed
        device.send([FakeEvent(0, 0, 0), *key_events("T000001")])  # EV_SYN is skipped
        assert log.wait_type(ScanRecord).raw == "T000001"

        # Half a scan, then the device vanishes: the half is never delivered.
        device.send(key_events("T0000")[:-2])
        device.send(None)
        gone = log.wait_type(ScannerConnection)
        assert not gone.connected
        assert log.wait_type(ScannerConnection).connected
        assert device.closed  # released before reopening
        again = fake_evdev.registry[path]
        assert again is not device
        again.send(key_events("T000002"))
        assert log.wait_type(ScanRecord).raw == "T000002"
    finally:
        reader.stop()
    assert fake_evdev.registry[path].closed
    assert not fake_evdev.registry[path].grabbed


def test_module_is_importable_without_evdev() -> None:
    # The adapter module itself must never import evdev at import time.
    assert "evdev" not in vars(evdev_reader)
