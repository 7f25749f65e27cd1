"""What scanner readers report: a complete scan's raw text, or the scanner coming and going."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ScanRecord:
    """One complete scan as the scanner sent it, suffix removed; interpret() reads it."""

    raw: str
    device: str


@dataclass(frozen=True)
class ScannerConnection:
    """The scanner appeared or went away. `retrying` is False only when giving up for good."""

    device: str
    connected: bool
    detail: str = ""
    retrying: bool = True

    @property
    def sentence(self) -> str:
        """A status line for a screen or a log, e.g. "scanner disconnected: /dev/ttyUSB0"."""
        if self.connected:
            return f"scanner connected: {self.device}"
        reason = f" ({self.detail})" if self.detail else ""
        tail = "" if self.retrying else "; not retrying"
        return f"scanner disconnected: {self.device}{reason}{tail}"


ScannerEvent = ScanRecord | ScannerConnection
ScannerCallback = Callable[[ScannerEvent], None]
"""Called on the reader's thread: keep it short and thread-safe (e.g. App.post_message)."""


def decode_record(data: bytes) -> str:
    """Scanner bytes as text: UTF-8 when valid, else Latin-1, so no byte is lost or raises.

    Scanners send ASCII almost always; a lot code with "Ä" comes as UTF-8 from newer
    scanners and as one Latin-1 byte from older ones. Line noise decodes to odd characters
    and interpret() reports it as an unknown barcode.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
