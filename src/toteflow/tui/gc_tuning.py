"""Garbage-collector tuning the station applies once after start-up, so GC never stalls a scan."""

from __future__ import annotations

import gc
from dataclasses import dataclass

# CPython's default (700, 10, 10) runs a full collection every 100 young ones. A full pass
# walks every object Textual built at start-up (tens of thousands) and stalls the event
# loop for 40-70 ms on a 2-core station, mid-scan (benchmarks/bench_scan_latency.py).
# Freezing the start-up objects takes them out of every later pass (full passes drop to a
# few ms); full passes are also made ten times rarer. The young thresholds stay as they
# are: measured, a young generation of 10,000+ objects costs 5-35 ms per pass, worse than
# the frequent sub-millisecond passes it replaces. Cycles are still collected.
TUNED_THRESHOLDS = (700, 10, 100)


@dataclass(frozen=True)
class GcState:
    """What tune_gc_after_startup changed, so a test or benchmark can put it back."""

    thresholds: tuple[int, int, int]
    frozen_objects: int


def tune_gc_after_startup(thresholds: tuple[int, int, int] = TUNED_THRESHOLDS) -> GcState:
    """Collect start-up garbage once, freeze what survives, and raise the thresholds.

    Call it once the first screen is up (e.g. from the App's `on_ready`): objects made
    before this point live as long as the app does and need never be scanned again.
    """
    previous = gc.get_threshold()
    # Collect first, so garbage made during start-up is freed, not frozen for ever.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
    return GcState(thresholds=previous, frozen_objects=gc.get_freeze_count())


def restore_gc(state: GcState) -> None:
    """Undo tune_gc_after_startup (unfreeze, old thresholds); for tests and benchmarks."""
    gc.unfreeze()
    gc.set_threshold(*state.thresholds)
