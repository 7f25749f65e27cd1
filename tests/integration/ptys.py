"""Pseudo-terminal serial devices for tests: a stable path that can be unplugged and replugged."""

from __future__ import annotations

import os
import queue
import select
import termios
import tty
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class PtyDevice:
    """A fake serial device at `path` (a symlink to a pty's slave side).

    The test plays the device on the master side. unplug() closes the pty and removes the
    symlink, as udev removes /dev/ttyACM0; replug() makes a new pty at the same path, so a
    reader that reopens its configured path finds the "same" device again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.master: int | None = None
        self._slave: int | None = None
        self.replug()

    def replug(self) -> None:
        if self.master is not None:
            raise RuntimeError("already plugged in")
        master, slave = os.openpty()
        # Raw on the slave side: no echo, no CR->LF translation before the reader opens it
        # (pyserial sets raw mode too, but only once it has opened the port).
        tty.setraw(slave, termios.TCSANOW)
        self.master, self._slave = master, slave
        tmp = self.path.with_suffix(".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        tmp.replace(self.path)  # atomic: a reader never sees a half-made link

    def unplug(self) -> None:
        self.path.unlink(missing_ok=True)
        for fd in (self.master, self._slave):
            if fd is not None:
                os.close(fd)
        self.master = self._slave = None

    def write(self, data: bytes) -> None:
        assert self.master is not None, "device is unplugged"
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def read_until(self, terminator: bytes, timeout: float = 5.0) -> bytes | None:
        """Bytes the program under test wrote, up to `terminator`; None after `timeout`."""
        assert self.master is not None
        data = b""
        while not data.endswith(terminator):
            ready, _, _ = select.select([self.master], [], [], timeout)
            if not ready:
                return None
            try:
                chunk = os.read(self.master, 1)
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        return data

    def close(self) -> None:
        if self.master is not None:
            self.unplug()


class EventLog:
    """Collects events from a reader's thread; tests wait for the one they need."""

    def __init__(self) -> None:
        self.queue: queue.Queue[object] = queue.Queue()
        self.seen: list[object] = []

    def __call__(self, event: object) -> None:
        self.queue.put(event)

    def wait_for(self, predicate: Callable[[object], bool], timeout: float = 10.0) -> object:
        """The next event matching `predicate`, skipping (but keeping) the others."""
        while True:
            try:
                event = self.queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"no matching event within {timeout}s; saw {self.seen}"
                ) from None
            self.seen.append(event)
            if predicate(event):
                return event

    def wait_type(self, kind: type[T], timeout: float = 10.0) -> T:
        event = self.wait_for(lambda e: isinstance(e, kind), timeout)
        assert isinstance(event, kind)
        return event

    def drain(self) -> list[object]:
        """Events that arrived and were not waited for yet."""
        out: list[object] = []
        while True:
            try:
                event = self.queue.get_nowait()
            except queue.Empty:
                return out
            self.seen.append(event)
            out.append(event)
