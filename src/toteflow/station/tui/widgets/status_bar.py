"""The station's top line: who, which task, online/offline with events waiting, the scanner."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widget import Widget

from toteflow.station.ports.store import SyncStatus

# What the sync states look like on the floor: a glance must tell online from offline.
_STATES: dict[str, tuple[str, str]] = {
    "online": ("● online", "bold $success"),
    "catching_up": ("◐ catching up", "bold $warning"),
    "offline": ("○ OFFLINE", "bold reverse $error"),
    "starting": ("… starting", "$text-muted"),
    "error": ("✗ server refuses", "bold reverse $error"),
    "not_registered": ("✗ not registered", "bold reverse $error"),
    "needs_reregistration": ("✗ re-register station", "bold reverse $error"),
}


def sync_words(status: SyncStatus | None) -> tuple[str, str]:
    """The sync part of the status line and its style, e.g. ('○ OFFLINE · 3 waiting', ...)."""
    if status is None:
        return "… starting", "$text-muted"
    text, style = _STATES.get(status.state, (status.state, "bold"))
    text += f" · {status.waiting} waiting"
    if status.exceptions_open:
        text += f" · {status.exceptions_open} to resolve"
    return text, style


class StatusBar(Widget):
    """One row, on every station screen; it follows the App's `person`, `sync_status`,
    `task_label` and `scanner_problem` and never takes focus."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        for name in ("person", "sync_status", "task_label", "scanner_problem"):
            if hasattr(self.app, name):
                self.watch(self.app, name, self._changed, init=False)

    def _changed(self, _value: Any) -> None:
        # Each screen has its own status bar; one on a screen underneath must keep still,
        # or Textual repaints the whole screen on top (render() runs again on resume).
        if self.app.screen is self.screen:
            self.refresh()

    def render(self) -> Content:
        app = self.app
        person = getattr(app, "person", None)
        who = person.name if person is not None else "not logged in"
        parts: list[Content] = [Content.styled(who, "bold")]
        task = str(getattr(app, "task_label", "") or "")
        if task:
            parts.append(Content(task))
        text, style = sync_words(getattr(app, "sync_status", None))
        parts.append(Content.styled(text, style))
        scanner = str(getattr(app, "scanner_problem", "") or "")
        if scanner:
            parts.append(Content.styled(scanner, "bold reverse $error"))
        return Content(" │ ").join(parts)
