"""Scan check: shows how toteflow reads each scan (kind, fields, or why not), for IT staff."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from toteflow.domain.scan import (
    CodeFormats,
    Scan,
    ScanError,
    ScanResult,
    interpret,
    label_name,
    scan_fields,
)
from toteflow.station.tui.scan_messages import ScannerStatus, ScanReceived
from toteflow.station.tui.widgets.scan_capture import ScanPrompt, visible
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

HISTORY_LINES = 4
FIELD_ROWS = 6
# Text width inside the bordered, padded panels at 80 columns.
_LINE_WIDTH = 76
# Fields that repeat what another line already shows.
_HIDDEN_FIELDS = frozenset({"elements"})
_WIDE_FIELDS = frozenset({"raw", "hri", "uri", "detail"})


@dataclass(frozen=True)
class CheckedScan:
    """One scan as the check screen lists it."""

    raw: str
    source: str
    result: ScanResult

    @property
    def ok(self) -> bool:
        return not isinstance(self.result, ScanError)


def headline(result: Scan) -> str:
    """The big line for a good scan: what kind of label it was."""
    return label_name(result).upper()


def main_value(result: Scan) -> str:
    """The one value a person compares with the printed label."""
    for name in ("code", "hri", "digits", "sscc", "uri"):
        value = getattr(result, name, None)
        if isinstance(value, str) and value:
            return value
    return visible(result.raw)


def field_lines(checked: CheckedScan) -> list[tuple[str, str]]:
    """(name, value) pairs to list under the panel: raw text first, then the scan's fields."""
    result = checked.result
    pairs: list[tuple[str, str]] = [("raw", visible(checked.raw)), ("source", checked.source)]
    if result.symbology:
        pairs.append(("symbology", "]" + result.symbology))
    if isinstance(result, ScanError):
        if result.detail:
            pairs.append(("detail", result.detail))
        return pairs
    pairs.append(("kind", str(result.kind)))
    for name, value in scan_fields(result).items():
        if value is None or name in _HIDDEN_FIELDS:
            continue
        pairs.append((name, visible(str(value))))
    return pairs


class ScanCheckScreen(Screen[None]):
    """Every scan is read and shown, good or bad; nothing is recorded or changed."""

    ACCEPTS_SCANS = True
    # No Input or Button here: the App reads the scanner's keys, so nothing can take focus.
    AUTO_FOCUS = None

    BINDINGS: ClassVar[list[BindingType]] = [Binding("f5", "clear", "Clear")]

    DEFAULT_CSS = """
    ScanCheckScreen {
        layout: vertical;
    }
    ScanCheckScreen #scan-check-title {
        height: 1;
        padding: 0 1;
        background: $primary;
        color: $text;
        text-style: bold;
    }
    ScanCheckScreen #scan-check-title.-offline {
        background: #b91c1c;
        color: #ffffff;
    }
    ScanCheckScreen #scan-check-fields {
        height: 8;
        border: round $secondary;
        border-title-color: $text;
        padding: 0 1;
    }
    ScanCheckScreen #scan-check-history {
        height: 1fr;
        min-height: 3;
        border: round $secondary;
        border-title-color: $text;
        padding: 0 1;
    }
    """

    def __init__(
        self,
        formats: CodeFormats | None = None,
        *,
        fnc1_replacement: str | None = None,
        scanner_label: str = "keyboard wedge",
    ) -> None:
        super().__init__()
        self.formats = formats
        self.fnc1_replacement = fnc1_replacement
        self.scanner_label = scanner_label
        self.checked: deque[CheckedScan] = deque(maxlen=HISTORY_LINES)
        self.scan_count = 0

    def compose(self) -> ComposeResult:
        yield Static(self._title(None), id="scan-check-title")
        yield ScanFeedback("Scan a label to see how toteflow reads it", id="scan-check-feedback")
        fields = Static("", id="scan-check-fields")
        fields.border_title = "Fields"
        yield fields
        history = Static("", id="scan-check-history")
        history.border_title = "Recent scans"
        yield history
        yield ScanPrompt()
        yield Footer()

    def on_scan_received(self, message: ScanReceived) -> None:
        result = interpret(message.raw, self.formats, fnc1_replacement=self.fnc1_replacement)
        checked = CheckedScan(raw=message.raw, source=message.source, result=result)
        self.scan_count += 1
        self.checked.appendleft(checked)
        feedback = self.query_one(ScanFeedback)
        if isinstance(result, ScanError):
            feedback.bad(result.reason, headline="NOT RECOGNISED")
        else:
            feedback.good(headline(result), main_value(result))
        # Fixed-size panels: layout=False avoids a whole-screen re-layout on every scan.
        self.query_one("#scan-check-fields", Static).update(self._fields(checked), layout=False)
        self.query_one("#scan-check-history", Static).update(self._history(), layout=False)

    def on_scanner_status(self, message: ScannerStatus) -> None:
        title = self.query_one("#scan-check-title", Static)
        title.set_class(not message.connected, "-offline")
        title.update(self._title(message), layout=False)

    def action_clear(self) -> None:
        self.checked.clear()
        self.query_one("#scan-check-fields", Static).update("", layout=False)
        self.query_one("#scan-check-history", Static).update("", layout=False)
        self.query_one(ScanFeedback).idle("Scan a label to see how toteflow reads it")

    def _title(self, status: ScannerStatus | None) -> Content:
        scanner = self.scanner_label if status is None else status.sentence
        return Content.assemble("toteflow · scan check", "  ·  ", scanner)

    def _fields(self, checked: CheckedScan) -> Content:
        pairs = field_lines(checked)

        def cell(name: str, value: str, width: int) -> Content:
            text = Content.assemble((f"{name}: ", "dim"), (value, "bold"))
            return text.truncate(width, ellipsis=True, pad=True)

        if len(pairs) <= FIELD_ROWS:
            return Content("\n").join(cell(name, value, _LINE_WIDTH) for name, value in pairs)
        # GS1 strings carry more fields than six rows hold: long ones (raw text, HRI) keep
        # a full row each, the short ones share rows in two columns.
        wide = [(n, v) for n, v in pairs if n in _WIDE_FIELDS]
        narrow = [(n, v) for n, v in pairs if n not in _WIDE_FIELDS]
        half = _LINE_WIDTH // 2 - 1
        rows = [cell(name, value, _LINE_WIDTH) for name, value in wide]
        for i in range(0, len(narrow), 2):
            row = cell(*narrow[i], half)
            if i + 1 < len(narrow):
                row = row + "  " + cell(*narrow[i + 1], half)
            rows.append(row)
        return Content("\n").join(rows[:FIELD_ROWS])

    def _history(self) -> Content:
        lines = []
        for checked in self.checked:
            result = checked.result
            if isinstance(result, ScanError):
                mark, what = ("✗ ", "bold red"), result.reason
            else:
                mark, what = ("✓ ", "bold green"), f"{result.kind}: {main_value(result)}"
            raw = visible(checked.raw)
            shown = raw if raw not in what else ""
            lines.append(
                Content.assemble(mark, what, "  ", (shown, "dim")).truncate(
                    _LINE_WIDTH, ellipsis=True
                )
            )
        return Content("\n").join(lines)
