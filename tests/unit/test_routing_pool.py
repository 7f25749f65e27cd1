"""The parallel router gives the same tours as routing in-process, in the same order."""

from __future__ import annotations

import random
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from toteflow.central.integrations.routing_pool import ParallelRouter
from toteflow.domain.batching import route_all
from toteflow.shared.layout_file import load_layout

LAYOUT = load_layout(Path(__file__).resolve().parents[2] / "config" / "warehouse.toml")


def stop_lists(count: int) -> list[list[tuple[int, int]]]:
    rng = random.Random(count)
    return [
        [(rng.randint(1, 20), rng.randint(1, 40)) for _ in range(rng.randint(0, 12))]
        for _ in range(count)
    ]


def test_worker_processes_route_like_one_process() -> None:
    lists = stop_lists(37)
    router = ParallelRouter(workers=2, pool_from=10)
    try:
        assert router(LAYOUT, lists) == route_all(LAYOUT, lists)
        assert router._pool is not None
    finally:
        router.close()


def test_few_lists_stay_in_process() -> None:
    router = ParallelRouter(workers=2, pool_from=10)
    lists = stop_lists(5)
    assert router(LAYOUT, lists) == route_all(LAYOUT, lists)
    assert router._pool is None


def test_workers_that_cannot_start_fall_back_to_routing_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = ParallelRouter(workers=2, pool_from=1)

    def broken() -> None:
        raise BrokenProcessPool("no workers")

    monkeypatch.setattr(router, "_started", broken)
    lists = stop_lists(8)
    assert router(LAYOUT, lists) == route_all(LAYOUT, lists)
    assert router.workers == 1
