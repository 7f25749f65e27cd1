"""Routes a big wave's pick lists on every core: a process pool, kept for the server's life."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from toteflow.domain.batching import Stop, Tour, route_all
from toteflow.domain.layout import Layout

log = logging.getLogger("toteflow.routing")

# Below this many lists the pool's pickling costs more than it saves: route in-process.
POOL_FROM = 200


def _route_chunk(layout: Layout, stop_lists: Sequence[Sequence[Stop]]) -> list[Tour]:
    return route_all(layout, stop_lists)


class ParallelRouter:
    """A Router (domain.batching) that spreads many lists over worker processes.

    Routing is pure Python, so threads would take turns on one core; the exact routes of a
    10,000-order wave's carts take some two seconds of one core. The pool is started on
    first need ("forkserver": workers come from a clean process, never from a server's
    threads) and then reused.
    """

    def __init__(self, workers: int | None = None, pool_from: int = POOL_FROM) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.pool_from = pool_from
        self._pool: Executor | None = None
        self._lock = threading.Lock()

    def __call__(self, layout: Layout, stop_lists: Sequence[Sequence[Stop]]) -> list[Tour]:
        if self.workers < 2 or len(stop_lists) < self.pool_from:
            return route_all(layout, stop_lists)
        # A few chunks per worker: lists differ in length, so work evens out.
        count = self.workers * 4
        chunks = [stop_lists[i::count] for i in range(count)]
        try:
            answers = list(self._started().map(_route_chunk, [layout] * count, chunks))
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            # Workers that cannot start (a main module without a __main__ guard, no
            # semaphores in a sandbox) must not fail a release: route here from now on.
            log.warning("routing in-process: worker processes failed (%s)", exc)
            self.close()
            self.workers = 1
            return route_all(layout, stop_lists)
        tours: list[Tour] = [Tour(0.0, ())] * len(stop_lists)
        for i, answer in enumerate(answers):
            tours[i::count] = answer
        return tours

    def _started(self) -> Executor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("forkserver")
                self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
