"""Garbage-collector tuning the station applies once after start-up, so GC never stalls a scan."""

from __future__ import annotations

import gc
from dataclasses import dataclass

# CPython's default (700, 10, 10) runs a young collection every 700 net allocations and a
# full one every 100 young ones; a full pass walks every object Textual built at start-up
# (tens of thousands) and stalls the event loop for tens of milliseconds, mid-scan.
# Raising the young threshold makes collections rarer; freezing start-up objects takes them
# out of every later pass. Cycles are still collected: memory stays bounded.
TUNED_THRESHOLDS = (50_000, 50, 100)


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
