"""Test helpers: feed raw terminal bytes to a running app the way Textual's Linux driver does."""

from __future__ import annotations

import asyncio
import time
from codecs import getincrementaldecoder
from collections.abc import Callable, Iterable
from typing import Any

from textual._xterm_parser import XTermParser
from textual.app import App
from textual.pilot import Pilot

# Bracketed paste, as a terminal wraps pasted text when the app has asked for it.
PASTE_START = b"\x1b[200~"
PASTE_END = b"\x1b[201~"


def _feed_like_the_driver(app: App[Any], reads: Iterable[bytes]) -> None:
    # Mirrors LinuxDriver.run_input_thread: one XTermParser, an incremental UTF-8 decoder,
    # each read fed whole, every parsed event handed to driver.process_message, which
    # posts it to the app's queue from this (non-event-loop) thread.
    driver = app._driver
    assert driver is not None, "the app is not running"
    parser = XTermParser()
    decode = getincrementaldecoder("utf-8")().decode
    for data in reads:
        for event in parser.feed(decode(data)):
            driver.process_message(event)
        for event in parser.tick():
            driver.process_message(event)


async def feed_terminal_bytes(app: App[Any], *reads: bytes) -> None:
    """Feed each bytes object as one terminal read, from a thread like the real input thread."""
    await asyncio.to_thread(_feed_like_the_driver, app, reads)


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 20.0
) -> bool:
    """Let the app run until `condition()` holds or `timeout` passes; return whether it held.

    A bounded wait, not a timing assertion: a slow machine only waits longer.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.01)
    return True


async def settle(pilot: Pilot[Any], rounds: int = 5) -> None:
    """Give queued messages a few more turns, so anything extra would have arrived."""
    for _ in range(rounds):
        await pilot.pause(0.01)
