"""Garbage-collector tuning the station applies once after start-up, so GC never stalls a scan."""

from __future__ import annotations

import gc
from dataclasses import dataclass

# A full (generation 2) pass walks every object Textual built at start-up, about 55,000,
# and stalls the event loop for 60-130 ms on a 2-core station, mid-scan. gc.freeze() moves
# them to a generation no pass visits: full passes then take about 15 ms
# (benchmarks/bench_scan_latency.py).
#
# Raising the thresholds as well was measured and made things worse: a young generation
# of 10,000+ objects takes 5-35 ms per pass, and a full-pass threshold of 100 lets cyclic
# garbage pile up until one pass takes 30-140 ms. The defaults (700, 10, 10) after a
# freeze give the shortest worst case, so by default the thresholds are left alone.
TUNED_THRESHOLDS: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class GcState:
    """What tune_gc_after_startup changed, so a test or benchmark can put it back."""

    thresholds: tuple[int, int, int]
    frozen_objects: int


def tune_gc_after_startup(
    thresholds: tuple[int, int, int] | None = TUNED_THRESHOLDS,
) -> GcState:
    """Collect start-up garbage once, freeze what survives, and set `thresholds` if given.

    Call it once the first screen is up (e.g. from the App's `on_ready`): objects made
    before this point live as long as the app does and need never be scanned again.
    """
    previous = gc.get_threshold()
    # Collect first, so garbage made during start-up is freed, not frozen for ever.
    gc.collect()
    gc.freeze()
    if thresholds is not None:
        gc.set_threshold(*thresholds)
    return GcState(thresholds=previous, frozen_objects=gc.get_freeze_count())


def restore_gc(state: GcState) -> None:
    """Undo tune_gc_after_startup (unfreeze, old thresholds); for tests and benchmarks."""
    gc.unfreeze()
    gc.set_threshold(*state.thresholds)
