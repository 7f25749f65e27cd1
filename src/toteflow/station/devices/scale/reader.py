"""Polls a serial scale (MT-SICS or NCI) on a thread; reports offline, never a stale weight."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toteflow.config import ScaleSettings
from toteflow.domain.scale import (
    ETX,
    MT_SICS_COMMAND,
    NCI_COMMAND,
    ScaleReading,
    parse_mt_sics,
    parse_nci,
)
from toteflow.station.devices.scanner.serial_reader import (
    PORT_ERRORS,
    Backoff,
    PortOpener,
    SerialPort,
    open_serial,
)

log = logging.getLogger(__name__)

ScaleCallback = Callable[[ScaleReading], None]
"""Called on the scale's thread with each new reading; keep it short and thread-safe."""


@dataclass(frozen=True)
class ScaleProtocol:
    name: str
    command: bytes
    terminator: bytes
    parse: Callable[[bytes], ScaleReading]
    framing: str
    """The framing these scales ship with, used when [scale] framing is empty."""


def _parse_mt_sics_bytes(reply: bytes) -> ScaleReading:
    return parse_mt_sics(reply.decode("ascii", errors="replace"))


PROTOCOLS = {
    "mt-sics": ScaleProtocol("mt-sics", MT_SICS_COMMAND, b"\n", _parse_mt_sics_bytes, "8N1"),
    "nci": ScaleProtocol("nci", NCI_COMMAND, bytes([ETX]), parse_nci, "7E1"),
}

_FRAMING = re.compile(r"^([5-8])([NEOMS])(1|1\.5|2)$")


def parse_framing(framing: str) -> tuple[int, str, float]:
    """ "7E1" -> (7, "E", 1.0): data bits, parity, stop bits."""
    match = _FRAMING.match(framing.upper())
    if match is None:
        raise ValueError(f"framing must look like 8N1 or 7E1, got {framing!r}")
    return int(match[1]), match[2], float(match[3])


class ScaleReader:
    """Asks the scale for its weight every poll interval and reports each change.

    A reply that does not come within the timeout makes the reading OFFLINE at once; a
    port that fails or vanishes does too, and the reader reopens it with backoff. The
    latest reading is also kept in `latest` for screens that would rather poll.
    """

    def __init__(
        self,
        device: str,
        protocol: str,
        on_reading: ScaleCallback,
        *,
        baudrate: int = 9600,
        framing: str = "",
        poll_interval: float = 0.2,
        timeout: float = 1.0,
        open_port: PortOpener | None = None,
        retry_initial: float = 0.2,
        retry_max: float = 5.0,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"scale protocol must be one of {', '.join(PROTOCOLS)}")
        self.device = device
        self.protocol = PROTOCOLS[protocol]
        self.on_reading = on_reading
        self.poll_interval = poll_interval
        self.timeout = timeout
        bytesize, parity, stopbits = parse_framing(framing or self.protocol.framing)
        self._open_port: PortOpener = open_port or (
            lambda: open_serial(
                device,
                baudrate=baudrate,
                bytesize=bytesize,
                parity=parity,
                stopbits=stopbits,
                timeout=min(timeout, 0.1),
            )
        )
        self._backoff = Backoff(retry_initial, retry_max)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._latest = ScaleReading.offline("not connected yet")

    @classmethod
    def from_settings(
        cls,
        settings: ScaleSettings,
        on_reading: ScaleCallback,
        *,
        device: str | None = None,
        **overrides: Any,
    ) -> ScaleReader:
        """A reader for [scale]; raises ValueError if protocol is "none"."""
        return cls(
            device or settings.device,
            settings.protocol,
            on_reading,
            baudrate=settings.baudrate,
            framing=settings.framing,
            poll_interval=settings.poll_interval_ms / 1000,
            timeout=settings.timeout_ms / 1000,
            **overrides,
        )

    @property
    def latest(self) -> ScaleReading:
        with self._lock:
            return self._latest

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("reader already started")
        self._thread = threading.Thread(target=self.run, name=f"scale {self.device}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def run(self) -> None:
        """Poll until stop(), reconnecting after failures."""
        while not self._stop.is_set():
            try:
                port = self._open_port()
            except ValueError as exc:
                self._report(ScaleReading.offline(f"bad device setting: {exc}"))
                return
            except PORT_ERRORS as exc:
                self._report(ScaleReading.offline(f"cannot open {self.device}: {_reason(exc)}"))
                self._stop.wait(self._backoff.next())
                continue
            self._backoff.reset()
            try:
                self._poll(port)
            except PORT_ERRORS as exc:
                if not self._stop.is_set():
                    self._report(
                        ScaleReading.offline(f"disconnected: {self.device} ({_reason(exc)})")
                    )
                    self._stop.wait(self._backoff.next())
            finally:
                try:
                    port.close()
                except Exception:  # a vanished device may fail to close; it is gone anyway
                    log.debug("closing the scale port failed", exc_info=True)

    def _poll(self, port: SerialPort) -> None:
        while not self._stop.is_set():
            # A reply that arrived after we gave up on it belongs to an earlier command;
            # reading it now would show an old weight as current.
            port.reset_input_buffer()
            port.write(self.protocol.command)
            reply = self._read_reply(port)
            if reply is None:
                self._report(ScaleReading.offline(f"no answer from the scale on {self.device}"))
            else:
                self._report(self.protocol.parse(reply))
            self._stop.wait(self.poll_interval)

    def _read_reply(self, port: SerialPort) -> bytes | None:
        deadline = time.monotonic() + self.timeout
        reply = b""
        while not self._stop.is_set():
            if time.monotonic() >= deadline:
                return None
            # The port's own read timeout (0.1 s) bounds each wait; changing it per read
            # would reconfigure the tty every time.
            reply += port.read(max(1, port.in_waiting))
            end = reply.find(self.protocol.terminator)
            if end >= 0:
                return reply[: end + len(self.protocol.terminator)]
        return None

    def _report(self, reading: ScaleReading) -> None:
        with self._lock:
            changed = reading != self._latest
            self._latest = reading
        if not changed:
            return
        try:
            self.on_reading(reading)
        except Exception:
            log.exception("scale reading handler failed for %r", reading)


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, FileNotFoundError) or "No such file" in text:
        return "not found"
    if "readiness to read but returned no data" in text or "Input/output error" in text:
        return "unplugged"
    return text or type(exc).__name__
