"""Linux evdev scanners, grabbed exclusively so their keys never reach the terminal (optional)."""

from __future__ import annotations

import contextlib
import importlib
import logging
import select
import threading
from types import ModuleType
from typing import Any

from toteflow.station.devices.scanner.events import (
    ScannerCallback,
    ScannerConnection,
    ScannerEvent,
    ScanRecord,
)
from toteflow.station.devices.scanner.serial_reader import Backoff

log = logging.getLogger(__name__)

EV_KEY = 1
KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2

# Linux key codes (linux/input-event-codes.h): a stable kernel ABI, so they are spelled out
# here and the mapping is testable without evdev installed.
KEY_TAB = 15
KEY_LEFTBRACE, KEY_RIGHTBRACE = 26, 27
KEY_ENTER, KEY_KPENTER = 28, 96
KEY_LEFTCTRL, KEY_RIGHTCTRL = 29, 97
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
KEY_LEFTALT, KEY_RIGHTALT = 56, 100
KEY_CAPSLOCK = 58

_SHIFT = {KEY_LEFTSHIFT, KEY_RIGHTSHIFT}
_CTRL = {KEY_LEFTCTRL, KEY_RIGHTCTRL}
_ALT = {KEY_LEFTALT, KEY_RIGHTALT}

# US layout, as scanners are configured out of the box: code -> (plain, with shift).
_KEYS: dict[int, tuple[str, str]] = {
    2: ("1", "!"),
    3: ("2", "@"),
    4: ("3", "#"),
    5: ("4", "$"),
    6: ("5", "%"),
    7: ("6", "^"),
    8: ("7", "&"),
    9: ("8", "*"),
    10: ("9", "("),
    11: ("0", ")"),
    12: ("-", "_"),
    13: ("=", "+"),
    KEY_TAB: ("\t", "\t"),
    KEY_LEFTBRACE: ("[", "{"),
    KEY_RIGHTBRACE: ("]", "}"),
    39: (";", ":"),
    40: ("'", '"'),
    41: ("`", "~"),
    43: ("\\", "|"),
    51: (",", "<"),
    52: (".", ">"),
    53: ("/", "?"),
    57: (" ", " "),
}
for _code, _letter in zip(range(16, 26), "qwertyuiop", strict=True):
    _KEYS[_code] = (_letter, _letter.upper())
for _code, _letter in zip(range(30, 39), "asdfghjkl", strict=True):
    _KEYS[_code] = (_letter, _letter.upper())
for _code, _letter in zip(range(44, 51), "zxcvbnm", strict=True):
    _KEYS[_code] = (_letter, _letter.upper())

# Keypad with Num Lock on; scanners use it for Alt+0029-style control characters.
_KEYPAD: dict[int, str] = {
    71: "7",
    72: "8",
    73: "9",
    75: "4",
    76: "5",
    77: "6",
    79: "1",
    80: "2",
    81: "3",
    82: "0",
    83: ".",
    55: "*",
    74: "-",
    78: "+",
    98: "/",
}

MISSING_EVDEV = (
    "evdev scanner support is not installed: install toteflow with the evdev extra "
    "(pip install 'toteflow[evdev]'), or use the scanner as a keyboard wedge or over serial"
)


class EvdevUnavailable(RuntimeError):
    """The evdev package is not installed (or this is not Linux)."""


def load_evdev() -> ModuleType:
    """Import evdev on first use, so the rest of toteflow runs without it."""
    try:
        return importlib.import_module("evdev")
    except ImportError as exc:
        raise EvdevUnavailable(MISSING_EVDEV) from exc


class KeyDecoder:
    """Turns key presses into scan text, one record per Enter (or Tab, if chosen).

    Understands Shift, Caps Lock, Ctrl+key control characters (Ctrl+] is GS, the FNC1 a
    scanner sends) and Alt+keypad codes (Alt+0029 is GS on scanners set up for Windows).
    """

    def __init__(self, *, tab_ends_record: bool = False) -> None:
        self.end_keys = {KEY_ENTER, KEY_KPENTER} | ({KEY_TAB} if tab_ends_record else set())
        self._held: set[int] = set()
        self._caps = False
        self._alt_digits = ""
        self._text: list[str] = []

    def feed(self, code: int, value: int) -> str | None:
        """One EV_KEY event; returns the finished record when its end key goes down."""
        if value == KEY_UP:
            self._held.discard(code)
            if code in _ALT and not (self._held & _ALT) and self._alt_digits:
                self._text.append(chr(int(self._alt_digits) % 256))
                self._alt_digits = ""
            return None
        if value != KEY_DOWN:
            return None  # auto-repeat: a scanner never holds a key down on purpose
        self._held.add(code)
        if code in _SHIFT | _CTRL | _ALT:
            return None
        if code == KEY_CAPSLOCK:
            self._caps = not self._caps
            return None
        if code in self.end_keys:
            record = "".join(self._text)
            self._text.clear()
            return record or None
        if self._held & _ALT:
            if code in _KEYPAD and _KEYPAD[code].isdigit():
                self._alt_digits += _KEYPAD[code]
            return None
        char = self._char(code)
        if char is not None:
            self._text.append(char)
        return None

    def _char(self, code: int) -> str | None:
        if code in _KEYPAD:
            return _KEYPAD[code]
        if code not in _KEYS:
            return None
        plain, shifted = _KEYS[code]
        shift = bool(self._held & _SHIFT)
        if plain.isalpha() and self._caps:
            shift = not shift
        char = shifted if shift else plain
        if self._held & _CTRL:
            upper = char.upper()
            # Ctrl+@ .. Ctrl+_ are the ASCII control characters 0x00-0x1F.
            return chr(ord(upper) - 64) if "@" <= upper <= "_" else None
        return char

    def reset(self) -> None:
        """Forget a half-typed record and held keys (after the device went away)."""
        self._held.clear()
        self._alt_digits = ""
        self._text.clear()


class EvdevScannerReader:
    """Reads a scanner's /dev/input/event* device, grabbed so the terminal never sees it.

    Reports to the callback like SerialScannerReader: ScanRecord per scan, and
    ScannerConnection when the device goes or comes back (it reopens the path by itself).
    """

    def __init__(
        self,
        path: str,
        on_event: ScannerCallback,
        *,
        grab: bool = True,
        tab_ends_record: bool = False,
        retry_initial: float = 0.1,
        retry_max: float = 2.0,
    ) -> None:
        self.path = path
        self.on_event = on_event
        self.grab = grab
        self.tab_ends_record = tab_ends_record
        self._backoff = Backoff(retry_initial, retry_max)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Check evdev is importable (raising EvdevUnavailable), then read on a thread."""
        load_evdev()
        self._thread = threading.Thread(target=self.run, name=f"evdev {self.path}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def run(self) -> None:
        try:
            evdev = load_evdev()
        except EvdevUnavailable as exc:
            self._emit(ScannerConnection(self.path, False, str(exc), retrying=False))
            return
        reported_down = False
        while not self._stop.is_set():
            try:
                device = evdev.InputDevice(self.path)
            except OSError as exc:
                if not reported_down:
                    self._emit(ScannerConnection(self.path, False, exc.strerror or str(exc)))
                    reported_down = True
                self._stop.wait(self._backoff.next())
                continue
            try:
                if self.grab:
                    # Exclusive: the keys go to us only, never to the terminal's keyboard.
                    device.grab()
                self._backoff.reset()
                reported_down = False
                self._emit(ScannerConnection(self.path, True))
                self._read(evdev, device)
            except OSError as exc:
                # A half-typed scan is dropped with the decoder (see _read): the rest of it
                # will not come after a reconnect.
                if not self._stop.is_set():
                    self._emit(ScannerConnection(self.path, False, exc.strerror or str(exc)))
                    reported_down = True
                    self._stop.wait(self._backoff.next())
            finally:
                _release(device, self.grab)

    def _read(self, evdev: Any, device: Any) -> None:
        decoder = KeyDecoder(tab_ends_record=self.tab_ends_record)
        ev_key = getattr(getattr(evdev, "ecodes", None), "EV_KEY", EV_KEY)
        while not self._stop.is_set():
            ready, _, _ = select.select([device.fd], [], [], 0.2)
            if not ready:
                continue
            for event in device.read():
                if event.type != ev_key:
                    continue
                record = decoder.feed(event.code, event.value)
                if record is not None:
                    self._emit(ScanRecord(record, self.path))

    def _emit(self, event: ScannerEvent) -> None:
        try:
            self.on_event(event)
        except Exception:
            log.exception("scanner event handler failed for %r", event)


def _release(device: Any, grabbed: bool) -> None:
    # The device may already be gone; ungrab and close are best effort.
    if grabbed:
        with contextlib.suppress(OSError):
            device.ungrab()
    with contextlib.suppress(OSError):
        device.close()
