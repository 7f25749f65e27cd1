"""kill -9 of the server while a backlog drains, then a restart on the same port and database."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults.harness import (
    LiveStation,
    ServerDb,
    ServerProcess,
    check_exactly_once,
    register_station,
    seed_floor,
    wait_for,
)
from tests.faults.proxy import FaultProxy

RecordProperty = Callable[[str, object], None]


def restart_mid_push(db: ServerDb, folder: Path, *, backlog: int, kills: int, seed: int) -> str:
    rng = random.Random(seed)
    engine = db.engine()
    floor = seed_floor(engine, 1)
    server = ServerProcess(db, folder).start()
    # A faithful proxy in between, only to see when a push is at the server unanswered.
    proxy = FaultProxy(server.port, seed=seed).start()
    station: LiveStation | None = None
    try:
        register_station(folder / "station", floor, proxy.url)
        # Small batches: the backlog takes many pushes, so there is a middle to kill in.
        station = LiveStation(folder / "station", floor, batch_size=7)
        station.pick(backlog)  # offline: the worker is not running yet
        assert station.view.events_waiting() == backlog
        station.start()
        mid_push = 0
        for kill in range(kills):
            target = (kill + rng.uniform(0.3, 0.9)) * backlog // (kills + 1)
            wait_for(
                lambda target=target: station.view.sync_state().last_acked_seq >= target,  # type: ignore[misc]
                deadline=240,
                what=f"the station to push past seq {target}",
            )
            wait_for(
                lambda: proxy.counters.in_flight > 0,
                deadline=60,
                what="a push to be at the server",
                every=0.001,
            )
            mid_push += proxy.counters.in_flight > 0
            server.kill()  # SIGKILL, whatever transaction it was in
            # The picker goes on while the server is away; these wait in the outbox.
            station.pick(rng.randint(1, 5))
            wait_for(
                lambda: station.status.state == "offline",
                deadline=120,
                what="the station to notice the server is gone",
            )
            time.sleep(rng.uniform(0, 1.0))
            server.start()  # same port, same database
        station.wait_drained("the backlog to drain after the server's restarts")
        assert "offline" in station.states
        figures = check_exactly_once(
            engine, floor, folder / "station", station.acknowledged, kills=kills
        )
        assert figures.committed == len(station.acknowledged)
        return (
            f"{db.kind}: {kills} server kills ({mid_push} with a push at the server), "
            f"{figures.acknowledged} events acknowledged, {figures.lost} lost, "
            f"{figures.applied_twice} applied twice, "
            f"{figures.notes['answered as duplicates']} answered as duplicates"
        )
    finally:
        if station is not None:
            station.close()
        proxy.close()
        server.stop()
        engine.dispose()


@pytest.mark.faults
def test_server_killed_in_the_middle_of_a_push_then_restarted(
    server_db: ServerDb, tmp_path: Path, record_property: RecordProperty
) -> None:
    line = restart_mid_push(server_db, tmp_path, backlog=60, kills=1, seed=11)
    print(line)
    record_property("fault figures", line)


@pytest.mark.faults
@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_server_killed_again_and_again_while_a_long_backlog_drains(
    server_db: ServerDb, tmp_path: Path, record_property: RecordProperty
) -> None:
    line = restart_mid_push(server_db, tmp_path, backlog=1500, kills=12, seed=12)
    print(line)
    record_property("fault figures", line)
