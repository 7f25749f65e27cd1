"""A background job run every so often in each server process, until the server stops."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class PeriodicJob:
    """Runs `work` every `every_seconds` on its own thread; the first run after one interval
    (a server starting up has its hands full). A failed round is logged and the next one
    comes as usual: a database hiccup must not end the thread."""

    def __init__(self, name: str, every_seconds: float, work: Callable[[], object]) -> None:
        self.name = name
        self.every_seconds = every_seconds
        self.work = work
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"toteflow-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run_once(self) -> object:
        self.runs += 1
        return self.work()

    def _run(self) -> None:
        while not self._stop.wait(self.every_seconds):
            try:
                self.run_once()
            except Exception:
                log.exception("%s round failed", self.name)
