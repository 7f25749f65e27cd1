"""What the supervisor's screens share: the console, server calls that never block or crash."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static
from textual.widgets.data_table import RowDoesNotExist

from toteflow.domain.errors import ServiceError
from toteflow.station.services.login import ServerUnreachable
from toteflow.station.services.wave_console import WaveConsole
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

T = TypeVar("T")
# Live figures are fetched again this often (seconds), by a worker: the screen never waits.
REFRESH_SECONDS = 5.0
OFFLINE = "SERVER UNREACHABLE"


class SupervisorScreen(StationScreen[None]):
    """A screen of the wave console; every server call goes through `ask`.

    Bindings of a class add to its parents' in Textual, so Escape is bound by each screen
    pushed over the console, not here (the console itself has nowhere to go back to).
    """

    def __init__(self, console: WaveConsole) -> None:
        super().__init__()
        self.console = console
        self.offline = False
        self._last_problem = ""

    async def ask(self, call: Awaitable[T], headline: str, *, background: bool = False) -> T | None:
        """The call's answer, or None after saying on screen why there is none.

        A background read (the refresh timer) says a problem once, not every few seconds
        with three bells each time; a key the person pressed always gets its answer.
        """
        try:
            answer = await call
        except ServiceError as problem:
            unreachable = isinstance(problem, ServerUnreachable)
            self.offline = unreachable
            title, words = (
                (OFFLINE, f"{problem}. Nothing was changed.")
                if unreachable
                else (headline, str(problem))
            )
            if not background or title != self._last_problem:
                self.signal(False, title, words)
            self._last_problem = title
            return None
        self.offline = False
        self._last_problem = ""
        return answer

    def start_refreshing(self, table_id: str) -> None:
        """Focus the screen's table and read its figures now, then every few seconds."""
        self.query_one(f"#{table_id}", DataTable).focus()
        self.reload()
        self.set_interval(REFRESH_SECONDS, self.tick)

    def reload(self) -> None:
        """Read the screen's figures again (screens with live figures override this)."""

    def tick(self) -> None:
        """The refresh timer: only the screen on top reads (a hidden one would ring bells)."""
        if self.is_current:
            self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def say(self, words: str) -> None:
        self.query_one(ScanFeedback).idle(words)
        self._fit_feedback()

    def signal(self, ok: bool, headline: str, detail: str = "") -> None:
        super().signal(ok, headline, detail)
        self._fit_feedback()

    def _fit_feedback(self) -> None:
        # The panel skips layout to keep scans fast; no scan waits here, and a layout pass
        # gives a sentence that wraps its third line at 80 columns instead of cutting it off.
        self.query_one(ScanFeedback).refresh(layout=True)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()


def selected_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor, if the table has rows."""
    if not table.row_count:
        return None
    row = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
    return row.value


def one_table_layout(title: str, table: DataTable[str], idle: str) -> ComposeResult:
    """The widgets of a screen that lists one table: status bar, title, table, feedback, keys."""
    yield StatusBar()
    yield Static(title, id="sup-title")
    yield table
    yield ScanFeedback(idle, id="sup-feedback")
    yield Footer(compact=True)


def refill(table: DataTable[str], rows: Iterable[tuple[str, Sequence[str]]]) -> None:
    """Fill the table again with (key, cells) rows; the cursor stays on the row it was on."""
    key = selected_key(table)
    table.clear()
    for row_key, cells in rows:
        table.add_row(*cells, key=row_key)
    keep_cursor(table, key)


def keep_cursor(table: DataTable[Any], key: str | None) -> None:
    """Put the cursor back on the row with this key after the table was filled again."""
    if key is None:
        return
    try:
        table.move_cursor(row=table.get_row_index(key), animate=False)
    except RowDoesNotExist:  # the row is gone: the cursor stays where it is
        return


def clock(at: datetime | None) -> str:
    return at.astimezone().strftime("%H:%M") if at is not None else "-"


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"
