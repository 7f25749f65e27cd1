"""Fifty pick events at once taking one face below its minimum: exactly one replenishment."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Database
from tests.support.replenishment import face_with_picks, pick_event, replenishments, stock_of
from toteflow.central import bootstrap
from toteflow.config import Settings
from toteflow.contracts import sync
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role

CLIENTS = 50


def test_fifty_picks_at_once_below_minimum_make_exactly_one_replenishment(
    settings: Settings, database: Database
) -> None:
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    try:
        # 60 on the face, min 20, max 60: the 41st pick takes it below, and all fifty land at
        # once, each from its own station.
        floor = face_with_picks(
            engine, picks=CLIENTS, on_face=60, in_reserve=500, minimum=20, maximum=60
        )
        pairs = []
        for n in range(CLIENTS):
            user = services.people.add_user(
                SYSTEM,
                UserCreate(name=f"Picker {n}", badge=f"P{n:05d}", pin="1234", role=Role.PICKER),
            )
            station = services.people.register_station(SYSTEM, StationCreate(name=f"s-{n}"))
            pairs.append((user.id, station.station.id))
        stations = {p.id: p for p in services.people.stations(SYSTEM, 0, 500).items}
        start = threading.Barrier(CLIENTS)

        def pick(job: tuple[tuple[int, int], int]) -> str:
            (user_id, station_id), line_id = job
            request = sync.PushRequest(
                station_id=station_id, events=[pick_event(1, user_id, line_id)]
            )
            start.wait()
            return services.sync.push(stations[station_id], request).results[0].status

        with ThreadPoolExecutor(CLIENTS) as pool:
            outcomes = Counter(pool.map(pick, zip(pairs, floor.lines, strict=True)))
        assert outcomes == {"applied": CLIENTS}
        assert stock_of(engine, floor.face_stock) == (10, 0)
        made = replenishments(engine)
        assert len(made) == 1, [(r.id, r.quantity, r.status) for r in made]
        (only,) = made
        assert (only.status, only.trigger, only.location_id) == ("open", "pick", floor.face_id)
        # Up to the maximum from what was on the face when it was made, reserved at the source.
        assert only.source_stock_id == floor.reserve_stock
        assert stock_of(engine, floor.reserve_stock) == (500, only.quantity)
        assert 40 <= only.quantity <= 50
        # Once more: a sweep now finds the face covered by the open one and makes none.
        swept = services.replenishment.sweep(SYSTEM)
        assert swept.created == []
        assert len(replenishments(engine)) == 1
    finally:
        engine.dispose()


def test_triggers_firing_at_once_make_one_replenishment_and_reserve_once(
    settings: Settings, database: Database
) -> None:
    """Sweeps and supervisors' requests at the same moment: the unique index decides."""
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    workers = 20
    try:
        floor = face_with_picks(engine, picks=0, on_face=5, in_reserve=500, minimum=20, maximum=60)
        start = threading.Barrier(workers)

        def fire(n: int) -> int:
            start.wait()
            if n % 2:
                return len(services.replenishment.sweep(SYSTEM).created)
            return len(services.replenishment.request(SYSTEM, "01-001-1", "SKU-R1").created)

        with ThreadPoolExecutor(workers) as pool:
            made = sum(pool.map(fire, range(workers)))
        assert made == 1
        (only,) = replenishments(engine)
        assert only.quantity == 55
        assert stock_of(engine, floor.reserve_stock) == (500, 55)
    finally:
        engine.dispose()
