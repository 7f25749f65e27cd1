"""Messages that bring scans and scanner status to screens, whichever scanner sent them."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from toteflow.station.tui.input_holds import InputHold

# Sources a ScanReceived can name. Serial scans use "serial:<device>" so IT staff can tell
# two scanners on one station apart.
SOURCE_WEDGE = "wedge"
"""A keyboard-wedge scan framed by the configured prefix: certainly a scanner."""
SOURCE_KEYBOARD = "keyboard"
"""Keys then Enter: a wedge scanner without a prefix, or a person typing (the demo scanner)."""
SOURCE_PASTE = "paste"
"""A line of a bracketed paste."""
SERIAL_SOURCE_PREFIX = "serial:"


class ScanReceived(Message, bubble=False):
    """One complete scan for the active screen: raw text as sent (GS kept), and its source.

    Screens that accept scans set ``ACCEPTS_SCANS = True`` and handle ``on_scan_received``.
    It does not bubble: a screen that ignores a scan must not let it reach a parent that
    would act on it a second time.
    """

    def __init__(self, raw: str, source: str, hold: InputHold | None = None) -> None:
        super().__init__()
        self.raw = raw
        self.source = source
        self.hold = hold
        self.kept = False

    def keep(self) -> Callable[[], None]:
        """Keep the next input waiting after the handler returns, until the returned call.

        For a handler that works the scan on a worker (a server call, then a new screen):
        the scans and keys behind this one are worked only once its outcome is complete.
        """
        self.kept = True
        hold = self.hold
        return hold.release if hold is not None else _nothing

    def __repr__(self) -> str:
        return f"ScanReceived(raw={self.raw!r}, source={self.source!r})"


def _nothing() -> None:
    return None


class SerialScan(Message, bubble=False):
    """A scan read by a serial scanner's thread, posted to the App (thread-safe).

    The App turns it into a ScanReceived for the active screen, so a screen cannot tell
    (and need not care) whether a scan came over serial or through the keyboard.
    """

    def __init__(self, raw: str, device: str) -> None:
        super().__init__()
        self.raw = raw
        self.device = device


class ScannerStatus(Message, bubble=False):
    """A scanner went away or came back; posted to the App, then forwarded to the screen."""

    def __init__(
        self, device: str, connected: bool, detail: str = "", retrying: bool = True
    ) -> None:
        super().__init__()
        self.device = device
        self.connected = connected
        self.detail = detail
        self.retrying = retrying

    @property
    def sentence(self) -> str:
        """What the station says about it, in words a picker understands."""
        if self.connected:
            return f"Scanner {self.device} connected"
        reason = f": {self.detail}" if self.detail else ""
        then = "reconnecting by itself" if self.retrying else "not retrying: call IT"
        return f"Scanner {self.device} disconnected{reason} ({then})"
