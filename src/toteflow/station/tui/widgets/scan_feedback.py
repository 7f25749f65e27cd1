"""Good-scan and bad-scan signals: bell patterns, a coloured flash, and the reason in big text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len
from textual.app import App
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

# Seconds after the signal starts at which the terminal bell rings. One ring is "done";
# three quick rings are unmistakably "not done" for someone not looking at the screen.
GOOD_BELLS: tuple[float, ...] = (0.0,)
BAD_BELLS: tuple[float, ...] = (0.0, 0.18, 0.36)
# Long enough to catch the eye from the side, short enough to be over before the next scan.
FLASH_SECONDS = 0.35


class BellPlayer:
    """Rings a bell pattern with timers (never sleeps), cancelling what is left of the last one.

    A good scan right after a bad one must not be followed by the bad pattern's tail.
    """

    def __init__(self, app: App[Any], ring: Callable[[], None] | None = None) -> None:
        self._app = app
        self._ring = ring or app.bell
        self._timers: list[Timer] = []
        self.rings = 0
        """How many bells this player has rung (for tests and diagnostics)."""

    def play(self, pattern: Sequence[float]) -> None:
        """Ring at each offset (seconds) of `pattern`; the first ring is immediate if 0."""
        self.cancel()
        for delay in pattern:
            if delay <= 0:
                self._bell()
            else:
                self._timers.append(self._app.set_timer(delay, self._bell))

    def cancel(self) -> None:
        """Stop any rings still to come."""
        for timer in self._timers:
            timer.stop()
        self._timers.clear()

    def _bell(self) -> None:
        self.rings += 1
        self._ring()


class ScanFeedback(Static):
    """A tall panel saying what the last scan did: green and one bell, or red, three bells and why.

    Terminals have one font size, so "big" here is a 7-row panel with a bold reverse headline,
    the detail in bold on a saturated background, and a brighter flash as the signal lands.
    """

    DEFAULT_CSS = """
    ScanFeedback {
        height: 7;
        width: 1fr;
        border: tall $primary;
        padding: 0 1;
        content-align: center middle;
        text-align: center;
        text-style: bold;
        background: $surface;
        color: $text;
    }
    ScanFeedback.-good {
        border: tall #22c55e;
        background: #14532d;
        color: #ffffff;
    }
    ScanFeedback.-bad {
        border: tall #f87171;
        background: #7f1d1d;
        color: #ffffff;
    }
    ScanFeedback.-good.-flash {
        background: #22c55e;
        color: #000000;
    }
    ScanFeedback.-bad.-flash {
        background: #ef4444;
        color: #000000;
    }
    """

    def __init__(
        self,
        prompt: str = "Scan a label",
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(self._idle_content(prompt), id=id, classes=classes)
        self._flash_timer: Timer | None = None
        self._bells: BellPlayer | None = None
        self.last_signal: str = ""
        """"good", "bad" or "" (nothing yet): what the panel shows now."""

    @property
    def flashing(self) -> bool:
        """Whether the flash of the last signal is still on screen."""
        return self.has_class("-flash")

    @property
    def bells(self) -> BellPlayer:
        """The bell player (created on first use, once the widget has an App)."""
        if self._bells is None:
            self._bells = BellPlayer(self.app)
        return self._bells

    def good(self, headline: str, detail: str = "") -> None:
        """Signal a scan that did what it should: one bell, a green flash, what was read."""
        self._signal("good", self._said("✓", headline, detail))
        self.bells.play(GOOD_BELLS)

    def bad(self, reason: str, headline: str = "NOT ACCEPTED") -> None:
        """Signal a scan that changed nothing: three bells, a red flash, and why, in big text."""
        self._signal("bad", self._said("✗", headline, reason))
        self.bells.play(BAD_BELLS)

    def _said(self, mark: str, headline: str, detail: str) -> Content:
        """The headline on its own row and the detail under it; a detail longer than a row
        follows the headline on its row instead, so that it fits the panel's rows (two
        inside at 80x24, and a third where the screen has one to spare) and is never cut."""
        head = (f" {mark} {headline} ", "reverse")
        width = self.content_size.width
        if width and _rows(detail, width) > 1:
            return Content.assemble(head, " ", detail)
        return Content.assemble(head, "\n", detail)

    def idle(self, prompt: str) -> None:
        """Back to the neutral panel with an instruction (no signal)."""
        self._end_flash()
        self.remove_class("-good", "-bad")
        self.last_signal = ""
        self._put(self._idle_content(prompt))

    def _signal(self, kind: str, content: Content) -> None:
        self.last_signal = kind
        self.set_class(kind == "good", "-good")
        self.set_class(kind == "bad", "-bad")
        self.add_class("-flash")
        self._put(content)
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self._flash_timer = self.set_timer(FLASH_SECONDS, self._end_flash)

    def _put(self, content: Content) -> None:
        # A layout pass re-renders the whole screen, a cost paid on every scan: one is
        # asked for only when the panel's height follows its words (the station's
        # #feedback: auto between a min and a max) and these words change that height.
        self.update(content, layout=self._height_changes(content))

    def _height_changes(self, content: Content) -> bool:
        styles = self.styles
        if styles.height is None or not styles.height.is_auto:
            return False
        width, height = self.content_size
        if not width:
            return True
        rows = _rows(content.plain, width)
        gutter = styles.gutter.height
        if styles.min_height is not None and styles.min_height.is_cells:
            rows = max(rows, int(styles.min_height.value) - gutter)
        if styles.max_height is not None and styles.max_height.is_cells:
            rows = min(rows, int(styles.max_height.value) - gutter)
        return rows != height

    def _end_flash(self) -> None:
        if self._flash_timer is not None:
            self._flash_timer.stop()
            self._flash_timer = None
        self.remove_class("-flash")

    @staticmethod
    def _idle_content(prompt: str) -> Content:
        return Content.from_markup("$prompt", prompt=prompt)


def _rows(text: str, width: int) -> int:
    """Rows `text` takes when wrapped at `width` cells (words are not split)."""
    rows = 0
    for paragraph in text.split("\n"):
        row = 0
        rows += 1
        for word in paragraph.split(" "):
            size = cell_len(word)
            if row and row + 1 + size > width:
                rows += 1
                row = size
            else:
                row += size + (1 if row else 0)
    return rows
