"""Notices when the station's terminal goes away, so the app ends instead of running on alone."""

from __future__ import annotations

import os
import select
import sys


def watched_terminal() -> int | None:
    """The file descriptor of the terminal the app reads, or None when it has none (tests)."""
    stream = sys.__stdin__
    if stream is None:
        return None
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return None
    return fd if os.isatty(fd) else None


def hung_up(fd: int) -> bool:
    """True once the terminal behind `fd` has hung up (its window or SSH session closed).

    A closed window does not always signal us: the hang-up goes to the session leader, and
    `make demo`'s make blocks SIGHUP, so Textual's input thread would spin on a dead terminal.
    """
    poller = select.poll()
    poller.register(fd, select.POLLHUP | select.POLLERR | select.POLLNVAL)
    try:
        events = poller.poll(0)
    except OSError:
        return True
    return any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, mask in events)
