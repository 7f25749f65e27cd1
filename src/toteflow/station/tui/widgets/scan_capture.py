"""Keyboard-wedge scan capture: keys in arrival order become whole scans, GS kept, no Input."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget

from toteflow.station.tui.scan_messages import SOURCE_KEYBOARD, SOURCE_PASTE, SOURCE_WEDGE

T = TypeVar("T")

GS = "\x1d"
"""Group separator: the FNC1 field separator inside GS1 element strings."""

# Keys whose character a scan must keep even though they are not printable. Textual names
# GS `ctrl+right_square_bracket`; under the kitty keyboard protocol the event carries no
# character at all, so the key name is the only reliable clue.
_CONTROL_DATA_KEYS = {
    "ctrl+right_square_bracket": GS,
    "ctrl+circumflex_accent": "\x1e",  # RS, ISO/IEC 15434 envelopes ([)>RS06GS...RS EOT)
    "ctrl+backslash": "\x1c",  # FS
    "ctrl+underscore": "\x1f",  # US
    "ctrl+d": "\x04",  # EOT
}
# Characters that may sit inside a scan but must not start one typed at the keyboard: a lone
# ctrl+d or ctrl+\ is far more likely a person's shortcut than the first byte of a label.
_INNER_CONTROL_DATA = frozenset("\x1c\x1e\x1f\x04")
_TERMINATOR_KEYS = {"enter": "\r", "ctrl+m": "\r", "ctrl+j": "\n"}
# Keys that edit or abandon the pending text but are never part of a scan.
_NON_DATA_KEYS = frozenset({"backspace", "escape", "delete", "ctrl+h"})
_CTRL_LETTER = re.compile(r"ctrl\+([a-z])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_COMPLEMENT = {"\r": "\n", "\n": "\r"}


def is_text(char: str) -> bool:
    """Whether a character can be scan text by itself: anything but C0/C1 controls and DEL.

    Wider than str.isprintable(), which refuses no-break and other unusual spaces that a
    label may well carry.
    """
    code = ord(char)
    return not (code < 0x20 or 0x7F <= code <= 0x9F)


def key_character(key: str, character: str | None) -> str | None:
    """The character a key event stands for in scan text, or None for keys that are not data."""
    if key in _CONTROL_DATA_KEYS:
        return _CONTROL_DATA_KEYS[key]
    if key in _TERMINATOR_KEYS:
        return _TERMINATOR_KEYS[key]
    if key == "tab":
        return "\t"
    if key in _NON_DATA_KEYS:
        return None
    if character is not None and len(character) == 1:
        if is_text(character) or ord(character) < 0x20:
            return character
        return None
    # The kitty protocol reports ctrl+letter without text; a site may use one as its prefix.
    if (match := _CTRL_LETTER.fullmatch(key)) is not None:
        return chr(ord(match.group(1)) - ord("a") + 1)
    return None


@dataclass(frozen=True)
class WedgeSettings:
    """How a site's keyboard-wedge scanners frame a scan.

    With a prefix, only framed text counts as a scanner's (source "wedge") and works even
    while a text field has focus; unframed keys then Enter still count as a scan on screens
    that accept scans (source "keyboard": the demo scanner, or a person typing a label).
    """

    prefix: str = ""
    suffix: str = "\r"
    # A prefix whose suffix never comes (scanner misconfigured) must not swallow the keyboard.
    max_length: int = 4096

    @classmethod
    def from_config(cls, prefix: str, suffix: str) -> WedgeSettings:
        """From `[scanner] wedge_prefix` / `wedge_suffix`, where an empty suffix means Enter."""
        return cls(prefix=prefix, suffix=suffix or "\r")

    def __post_init__(self) -> None:
        if not self.suffix:
            raise ValueError("the wedge suffix must not be empty (the default is Enter, \\r)")
        if self.prefix and self.prefix == self.suffix:
            raise ValueError("the wedge prefix and suffix must differ")
        if self.max_length < 1:
            raise ValueError("max_length must be positive")


def decode_wedge_text(text: str) -> str:
    r"""A prefix/suffix as written in config or on a command line (`\r`, `\x02`) as characters."""
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


ScanSink = Callable[[str, str], None]
"""Called with (raw, source) for each complete scan, in arrival order."""


class WedgeAssembler(Generic[T]):
    """Turns key events, one at a time and in arrival order, into complete scans.

    Each key is decided before the next is looked at, Enter included, which is what keeps a
    burst of scans from merging or splitting. Keys that are not part of a scan come back to
    the caller (as the opaque token it passed in) to be handled as ordinary keys.
    """

    def __init__(self, settings: WedgeSettings, on_scan: ScanSink) -> None:
        self.settings = settings
        self._on_scan = on_scan
        self._typed: list[str] = []
        self._framed: list[str] = []
        self._in_frame = False
        self._held: list[tuple[str, str, T]] = []
        self._swallow: str | None = None
        suffix = settings.suffix
        # A suffix of CR, LF or both is what every Enter already does; anything else is
        # matched as text at the end of the pending scan.
        self._suffix_is_enter = set(suffix) <= {"\r", "\n"}

    @property
    def pending(self) -> str:
        """Characters typed toward the next unframed scan (shown so a person sees their typing)."""
        return "".join(self._typed)

    @property
    def in_frame(self) -> bool:
        """Whether a framed (prefixed) scan is being read."""
        return self._in_frame

    def reset(self) -> None:
        """Forget any partial scan (e.g. when the station changes screen)."""
        self._typed.clear()
        self._framed.clear()
        self._in_frame = False
        self._swallow = None

    def feed_key(self, key: str, character: str | None, token: T, capture: bool) -> list[T]:
        """Take one key event; return the tokens of keys that are not part of a scan.

        `capture` says whether unframed keys may form a scan right now (a screen that accepts
        scans, no text field focused); framed scans are read whatever it says.
        """
        char = key_character(key, character)
        if self._in_frame:
            return self._feed_framed(key, char, token)
        if self._swallow is not None:
            # CRLF scanners: the LF right after a scan's CR is the same terminator, not a
            # second Enter that could press a button.
            expected, self._swallow = self._swallow, None
            if char == expected:
                return []
        prefix = self.settings.prefix
        if prefix:
            held_text = "".join(c for _, c, _ in self._held)
            if char is not None and prefix.startswith(held_text + char):
                self._held.append((key, char, token))
                if len(self._held) == len(prefix):
                    self._held.clear()
                    self._in_frame = True
                    self._framed.clear()
                return []
            if self._held:
                held, self._held = self._held, []
                out: list[T] = []
                for held_key, held_char, held_token in held:
                    out += self._feed_plain(held_key, held_char, held_token, capture)
                # The current key may itself start a prefix, so it goes round again.
                return out + self.feed_key(key, character, token, capture)
        return self._feed_plain(key, char, token, capture)

    def feed_paste(self, text: str, capture: bool) -> bool:
        """Take a bracketed paste; return False if it is not scan input (leave it to the widget).

        Each complete line is a scan; text after the last line break joins the pending typed
        text, exactly as if it had been typed, and waits for Enter.
        """
        if self._in_frame:
            for char in text:
                self._feed_framed("", char, None)
            return True
        if not capture:
            return False
        *lines, tail = _LINE_BREAK.split(text)
        for line in lines:
            raw = self._unframe("".join(self._typed) + line)
            self._typed.clear()
            if raw:
                self._on_scan(raw, SOURCE_PASTE)
        self._typed.extend(tail[: self.settings.max_length])
        return True

    def _unframe(self, line: str) -> str:
        prefix, suffix = self.settings.prefix, self.settings.suffix
        if prefix and line.startswith(prefix):
            line = line[len(prefix) :]
            if line.endswith(suffix):
                line = line[: -len(suffix)]
        return line

    def _feed_framed(self, key: str, char: str | None, token: T | None) -> list[T]:
        if char is None:
            if key == "escape":
                # The way out of a frame whose suffix never came.
                self._framed.clear()
                self._in_frame = False
            # Arrow or function keys pressed mid-scan belong to the person, not the scan.
            return [] if token is None else [token]
        framed = self._framed
        framed.append(char)
        suffix = self.settings.suffix
        if len(framed) >= len(suffix) and "".join(framed[-len(suffix) :]) == suffix:
            raw = "".join(framed[: -len(suffix)])
            framed.clear()
            self._in_frame = False
            self._swallow = _COMPLEMENT.get(suffix[-1])
            if raw:
                self._on_scan(raw, SOURCE_WEDGE)
        elif len(framed) > self.settings.max_length:
            framed.clear()
            self._in_frame = False
        return []

    def _feed_plain(self, key: str, char: str | None, token: T, capture: bool) -> list[T]:
        typed = self._typed
        if not capture:
            # Focus moved to a text field or a screen without scans: stale typing must not
            # become the start of the next scan.
            typed.clear()
            return [token]
        if char in ("\r", "\n") or (char is not None and char == self.settings.suffix):
            if not typed:
                # A lone Enter is a person's key for the focused widget; a scanner's Enter
                # always follows the scan's characters and never gets here.
                return [token]
            raw = "".join(typed)
            typed.clear()
            self._swallow = _COMPLEMENT.get(char)
            self._on_scan(raw, SOURCE_KEYBOARD)
            return []
        if char is not None and (
            is_text(char) or char == GS or (bool(typed) and char in _INNER_CONTROL_DATA)
        ):
            if len(typed) < self.settings.max_length:
                typed.append(char)
            suffix = self.settings.suffix
            if (
                not self._suffix_is_enter
                and len(typed) > len(suffix)
                and "".join(typed[-len(suffix) :]) == suffix
            ):
                raw = "".join(typed[: -len(suffix)])
                typed.clear()
                self._on_scan(raw, SOURCE_KEYBOARD)
            return []
        if key == "backspace" and typed:
            typed.pop()
            return []
        if key == "escape" and typed:
            typed.clear()
            return []
        return [token]


def visible(raw: str) -> str:
    """Scan text with control characters shown as their Unicode pictures (GS as ␝)."""
    return "".join(chr(0x2400 + ord(c)) if ord(c) < 0x20 else c for c in raw)


def echo_tail(raw: str, room: int) -> str:
    """The typed code as it fits `room` cells: a long one (a GS1 string, a Digital Link URL)
    shows its end, where the typing is, after an ellipsis; never cut at the right edge."""
    shown = visible(raw)
    if room <= 1 or len(shown) <= room:
        return shown
    return "…" + shown[-(room - 1) :]


# How long typed text waits before it is echoed (a keyboard wedge's code takes less).
ECHO_DELAY_S = 0.04


class ScanPrompt(Widget):
    """One line showing what is being typed toward a scan, so the demo scanner is usable.

    It listens to ScanInputApp's pending text and never takes focus: focus stays wherever
    the screen wants it, and the App reads the keys.
    """

    DEFAULT_CSS = """
    ScanPrompt {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    def __init__(
        self,
        hint: str = "Scan, or type a code and press Enter",
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.hint = hint
        self.pending = ""
        self._painted = ""
        self._echo: Timer | None = None

    def on_mount(self) -> None:
        # Duck-typed: widgets may not import the App module (it imports them).
        add = getattr(self.app, "add_pending_listener", None)
        if add is not None:
            add(self.show_pending)

    def on_unmount(self) -> None:
        remove = getattr(self.app, "remove_pending_listener", None)
        if remove is not None:
            remove(self.show_pending)

    def show_pending(self, pending: str) -> None:
        """Show the characters typed so far, or the hint when there are none."""
        self.pending = pending
        # On a screen underneath another, a refresh makes Textual repaint the whole top
        # screen; render() reads `pending` when this screen is shown again anyway.
        if not (self.is_attached and self.app.screen is self.screen):
            return
        if pending == self._painted:
            return
        if not pending:
            # The code ended (Enter, Escape): back to the hint in the scan's own frame.
            self._echo_now()
        elif self._echo is None:
            # A scanner types a whole code in a few milliseconds. Painting its first key
            # would start Textual's frame clock, and the frame with the scan's result would
            # then wait for the clock's next tick; echoing after a short pause skips the
            # frames nobody could read, and a person typing sees each key within a blink.
            self._echo = self.set_timer(ECHO_DELAY_S, self._echo_now)

    def _echo_now(self) -> None:
        if self._echo is not None:
            self._echo.stop()
            self._echo = None
        if self.pending != self._painted:
            self.refresh()

    def render(self) -> Content:
        self._painted = self.pending
        if not self.pending:
            return Content.from_markup("[dim]$hint[/]", hint=self.hint)
        return Content.assemble(
            ("› ", "bold"), (echo_tail(self.pending, self.content_size.width - 3), "bold"), "▏"
        )
