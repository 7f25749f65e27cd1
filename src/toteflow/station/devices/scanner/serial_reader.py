"""Serial barcode scanners on pyserial: framing, a reader thread, reconnect after unplugging."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

import serial

from toteflow.config import ScannerSettings
from toteflow.station.devices.scanner.events import (
    ScannerCallback,
    ScannerConnection,
    ScannerEvent,
    ScanRecord,
    decode_record,
)

log = logging.getLogger(__name__)

try:
    from termios import error as _TermiosError
except ImportError:  # not a POSIX system: pyserial raises only the errors below there

    class _TermiosError(Exception):  # type: ignore[no-redef]
        pass


PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, _TermiosError)
"""What a vanished device raises. termios.error is in it because pyserial lets tcflush
(reset_input_buffer) and tcsetattr on a hung-up tty through unwrapped."""

SUFFIXES: dict[str, bytes] = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "TAB": b"\t", "NONE": b""}
# How long a blocking read waits in suffix mode before looking at the stop flag again.
_POLL_SECONDS = 0.2
# In suffix mode, an unterminated fragment older than this is noise or half a scan from a
# scanner that was interrupted; keeping it would glue it to the front of the next scan.
_STALE_FRAGMENT_SECONDS = 2.0


class SerialPort(Protocol):
    """The part of pyserial's Serial (and its URL handlers) the readers use."""

    timeout: float | None

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes) -> int | None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


PortOpener = Callable[[], SerialPort]
"""Opens the port; injected by tests (loop://) and by anyone with an unusual transport."""


class RecordFramer:
    """Cuts a byte stream into records at a suffix; pure, so every split point is testable.

    Bytes arrive in arbitrary chunks (a USB packet can end mid-scan, or mid-CRLF); records
    come out only when their suffix is complete. With an empty suffix the caller ends a
    record itself by calling flush() after a pause.
    """

    def __init__(self, suffix: bytes) -> None:
        self.suffix = suffix
        self._buffer = bytearray()

    @property
    def pending(self) -> bool:
        return bool(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        if not self.suffix:
            return []
        records: list[bytes] = []
        while (end := self._buffer.find(self.suffix)) >= 0:
            records.append(bytes(self._buffer[:end]))
            del self._buffer[: end + len(self.suffix)]
        return [record for record in map(_trim_line_ends, records) if record]

    def flush(self) -> bytes | None:
        """The buffered bytes as one record (gap-timeout framing), or None if empty."""
        record = _trim_line_ends(bytes(self._buffer))
        self._buffer.clear()
        return record or None

    def discard(self) -> int:
        """Drop a partial record; returns how many bytes were dropped."""
        dropped = len(self._buffer)
        self._buffer.clear()
        return dropped


def _trim_line_ends(record: bytes) -> bytes:
    # A scanner sending CRLF to a station set for CR leaves "\n" at the start of the next
    # record; an empty record (a bare suffix) is not a scan.
    return record.strip(b"\r\n")


def open_serial(
    device: str,
    *,
    baudrate: int = 9600,
    bytesize: int = 8,
    parity: str = "N",
    stopbits: float = 1,
    timeout: float | None = _POLL_SECONDS,
) -> SerialPort:
    """Open a device path or pyserial URL (loop://, socket://, rfc2217://)."""
    extra: dict[str, object] = {}
    if "://" not in device:
        # Two programs reading one scanner would each get half the scans: lock the tty.
        extra["exclusive"] = True
    port: SerialPort = serial.serial_for_url(
        device,
        baudrate=baudrate,
        bytesize=bytesize,
        parity=parity,
        stopbits=stopbits,
        timeout=timeout,
        **extra,
    )
    return port


class Backoff:
    """Reconnect delays: short at first (a replugged scanner is back within a second), capped."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial = initial
        self.maximum = maximum
        self.current = initial

    def next(self) -> float:
        delay = self.current
        self.current = min(self.current * 2, self.maximum)
        return delay

    def reset(self) -> None:
        self.current = self.initial


class SerialScannerReader:
    """Reads scans from a serial scanner on its own thread and reports them to a callback.

    Status changes are reported once per change: "disconnected" when the port fails or
    cannot be opened, "connected" when it (re)opens. The reader reconnects by itself with
    backoff until stop() is called. Call run() from a thread worker, or start() for a
    thread of its own.
    """

    def __init__(
        self,
        device: str,
        on_event: ScannerCallback,
        *,
        baudrate: int = 9600,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: float = 1,
        suffix: str = "CR",
        gap_timeout: float = 0.05,
        open_port: PortOpener | None = None,
        retry_initial: float = 0.1,
        retry_max: float = 2.0,
    ) -> None:
        if suffix.upper() not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)}, got {suffix!r}")
        self.device = device
        self.on_event = on_event
        self.suffix = SUFFIXES[suffix.upper()]
        self.gap_timeout = gap_timeout
        read_timeout = _POLL_SECONDS if self.suffix else gap_timeout
        self._open_port: PortOpener = open_port or (
            lambda: open_serial(
                device,
                baudrate=baudrate,
                bytesize=bytesize,
                parity=parity,
                stopbits=stopbits,
                timeout=read_timeout,
            )
        )
        self._backoff = Backoff(retry_initial, retry_max)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: SerialPort | None = None
        self._lock = threading.Lock()
        self.connected = False

    @classmethod
    def from_settings(
        cls,
        settings: ScannerSettings,
        on_event: ScannerCallback,
        *,
        device: str | None = None,
        **overrides: Any,
    ) -> SerialScannerReader:
        """A reader configured from [scanner]; `device` overrides settings.device."""
        return cls(
            device or settings.device,
            on_event,
            baudrate=settings.baudrate,
            bytesize=settings.bytesize,
            parity=settings.parity,
            stopbits=settings.stopbits,
            suffix=settings.suffix,
            gap_timeout=settings.gap_timeout_ms / 1000,
            **overrides,
        )

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        """Run the reader on a daemon thread of its own."""
        if self._thread is not None:
            raise RuntimeError("reader already started")
        self._thread = threading.Thread(target=self.run, name=f"scanner {self.device}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Ask the reader to finish and wait for its thread (if start() made one)."""
        self._stop.set()
        with self._lock:
            port = self._port
        cancel = getattr(port, "cancel_read", None)
        if cancel is not None:
            # Wakes a blocking read at once instead of after the poll interval.
            try:
                cancel()
            except Exception:  # a port closing underneath us is fine here
                log.debug("cancel_read failed", exc_info=True)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Read until stop(): connect, read records, and reconnect after failures."""
        reported_down = False
        while not self._stop.is_set():
            try:
                port = self._open_port()
            except ValueError as exc:
                # A URL pyserial does not know or a baud rate it refuses: retrying won't help.
                self._emit(
                    ScannerConnection(self.device, False, f"bad device setting: {exc}", False)
                )
                return
            except PORT_ERRORS as exc:
                if not reported_down:
                    self._emit(ScannerConnection(self.device, False, _describe(exc)))
                    reported_down = True
                self._stop.wait(self._backoff.next())
                continue
            with self._lock:
                self._port = port
            self._backoff.reset()
            self.connected = True
            reported_down = False
            self._emit(ScannerConnection(self.device, True))
            try:
                self._read_records(port)
            except PORT_ERRORS as exc:
                # Whatever was buffered of an unfinished scan dies with this connection
                # (the framer is per connection): the scanner will not resend the rest,
                # and gluing it to the first scan after the reconnect would forge a code.
                if not self._stop.is_set():
                    self._emit(ScannerConnection(self.device, False, _describe(exc)))
                    reported_down = True
                    self._stop.wait(self._backoff.next())
            finally:
                self.connected = False
                with self._lock:
                    self._port = None
                _close_quietly(port)

    def _read_records(self, port: SerialPort) -> None:
        framer = RecordFramer(self.suffix)
        silent_reads = 0
        # Reads that may pass without bytes before a fragment counts as stale (suffix mode).
        stale_after = max(1, round(_STALE_FRAGMENT_SECONDS / _POLL_SECONDS))
        while not self._stop.is_set():
            # in_waiting lets one read take a whole burst; 1 blocks until the next byte.
            data = port.read(max(1, port.in_waiting))
            if data:
                silent_reads = 0
                for record in framer.feed(data):
                    self._emit(ScanRecord(decode_record(record), self.device))
                continue
            if not framer.pending:
                continue
            if not self.suffix:
                # A read that timed out after gap_timeout of silence ends the record.
                ended = framer.flush()
                if ended is not None:
                    self._emit(ScanRecord(decode_record(ended), self.device))
                continue
            silent_reads += 1
            if silent_reads >= stale_after:
                dropped = framer.discard()
                log.warning("%s: dropped %d bytes without a suffix", self.device, dropped)

    def _emit(self, event: ScannerEvent) -> None:
        try:
            self.on_event(event)
        except Exception:
            # The reader must outlive a faulty handler, or the station stops scanning.
            log.exception("scanner event handler failed for %r", event)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, FileNotFoundError) or "No such file" in text:
        return "not found"
    if "readiness to read but returned no data" in text or "Input/output error" in text:
        return "unplugged"
    if isinstance(exc, PermissionError) or "Permission denied" in text:
        return "permission denied (is the user in the dialout group?)"
    if "Could not exclusively lock" in text:
        return "in use by another program"
    return text or type(exc).__name__


def _close_quietly(port: SerialPort) -> None:
    try:
        port.close()
    except Exception:  # closing a vanished device can fail; it is gone either way
        log.debug("closing the port failed", exc_info=True)
