"""Many stations at once on PostgreSQL (and SQLite): no task twice, no unit picked twice."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from tests.conftest import Database
from tests.support.floor import released_task
from toteflow.central import bootstrap
from toteflow.central.store import tables as t
from toteflow.config import Settings
from toteflow.contracts import sync
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.roles import Role

CLIENTS = 50


def _stations(services: bootstrap.Services, count: int) -> list[tuple[int, int]]:
    """(user id, station id) pairs, one picker per station."""
    pairs = []
    for n in range(count):
        user = services.people.add_user(
            SYSTEM, UserCreate(name=f"Picker {n}", badge=f"P{n:05d}", pin="1234", role=Role.PICKER)
        )
        station = services.people.register_station(SYSTEM, StationCreate(name=f"s-{n}"))
        pairs.append((user.id, station.station.id))
    return pairs


def test_fifty_clients_asking_for_work_never_share_a_task(
    settings: Settings, database: Database
) -> None:
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    try:
        for n in range(30):
            released_task(engine, reference=f"SO-{n}", location=f"01-{n + 1:03d}-1")
        pairs = _stations(services, CLIENTS)
        start = threading.Barrier(CLIENTS)

        def ask(pair: tuple[int, int]) -> int | None:
            start.wait()
            task = services.tasks.next(Actor(pair[0], pair[1], Role.PICKER))
            return task.id if task else None

        with ThreadPoolExecutor(CLIENTS) as pool:
            got = list(pool.map(ask, pairs))
        handed = [task_id for task_id in got if task_id is not None]
        assert len(handed) == 30
        assert len(set(handed)) == 30, Counter(handed).most_common(3)
        with engine.connect() as connection:
            owners = (
                connection.execute(
                    sa.select(t.cols(t.Task).user_id).where(t.cols(t.Task).status == "assigned")
                )
                .scalars()
                .all()
            )
        assert len(owners) == len(set(owners)) == 30
    finally:
        engine.dispose()


def test_fifty_clients_picking_the_last_unit_only_one_gets_it(
    settings: Settings, database: Database
) -> None:
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    try:
        work = released_task(engine, on_hand=1, quantity=1)
        # Forty-nine more lines claim the same last unit (as a broken reservation would):
        # the stock row itself must decide, and only one pick may take the unit.
        with Session(engine) as session:
            line = session.get(t.TaskLine, work.task_line_id)
            assert line is not None
            extra = []
            for _ in range(CLIENTS - 1):
                copy = t.TaskLine(
                    task_id=line.task_id,
                    stop_no=line.stop_no,
                    order_line_id=line.order_line_id,
                    stock_id=line.stock_id,
                    location_id=line.location_id,
                    product_id=line.product_id,
                    quantity=1,
                )
                session.add(copy)
                extra.append(copy)
            session.execute(
                sa.update(t.Task)
                .where(t.cols(t.Task).id == work.task_id)
                .values(status="in_progress")
            )
            session.commit()
            line_ids = [work.task_line_id] + [row.id for row in extra if row.id is not None]
        pairs = _stations(services, CLIENTS)
        stations = {p.id: p for p in services.people.stations(SYSTEM, 0, 500).items}
        start = threading.Barrier(CLIENTS)

        def pick(job: tuple[tuple[int, int], int]) -> str:
            (user_id, station_id), line_id = job
            request = sync.PushRequest(
                station_id=station_id,
                events=[
                    sync.Event(
                        id=uuid.uuid4(),
                        seq=1,
                        user_id=user_id,
                        type="pick.confirmed",
                        payload={"task_line_id": line_id, "quantity": 1},
                        station_time=datetime.now(UTC),
                    )
                ],
            )
            start.wait()
            reply = services.sync.push(stations[station_id], request)
            return reply.results[0].status

        with ThreadPoolExecutor(CLIENTS) as pool:
            outcomes = Counter(pool.map(pick, zip(pairs, line_ids, strict=True)))
        assert outcomes == {"applied": 1, "rejected": CLIENTS - 1}
        with engine.connect() as connection:
            quantity, reserved = connection.execute(
                sa.select(t.cols(t.Stock).quantity, t.cols(t.Stock).reserved).where(
                    t.cols(t.Stock).id == work.stock_id
                )
            ).one()
        assert (quantity, reserved) == (0, 0)
    finally:
        engine.dispose()


def test_waves_whose_last_two_tasks_finish_at_once_are_done(
    settings: Settings, database: Database
) -> None:
    """Two stations finish a wave's two tasks at the same moment, for ten waves at once."""
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    clients = 20
    try:
        works = [
            released_task(engine, reference=f"SO-{n}", location=f"01-{n + 1:03d}-1")
            for n in range(clients)
        ]
        pairs = _stations(services, clients)
        task = t.cols(t.Task)
        with Session(engine) as session:
            wave_ids = []
            for n in range(clients // 2):
                wave = t.Wave(name=f"w-{n}", status="released", strategy="discrete")
                session.add(wave)
                session.flush()
                wave_ids.append(wave.id)
            for n, (work, (user_id, station_id)) in enumerate(zip(works, pairs, strict=True)):
                session.execute(
                    sa.update(t.Task)
                    .where(task.id == work.task_id)
                    .values(
                        wave_id=wave_ids[n // 2],
                        status="in_progress",
                        user_id=user_id,
                        station_id=station_id,
                    )
                )
            session.commit()
        stations = {p.id: p for p in services.people.stations(SYSTEM, 0, 500).items}
        start = threading.Barrier(clients)

        def finish(job: tuple[tuple[int, int], int, int]) -> list[str]:
            (user_id, station_id), task_id, line_id = job
            request = sync.PushRequest(
                station_id=station_id,
                events=[
                    sync.Event(
                        id=uuid.uuid4(),
                        seq=seq,
                        user_id=user_id,
                        type=kind,
                        payload=payload,
                        station_time=datetime.now(UTC),
                    )
                    for seq, kind, payload in [
                        (1, "pick.confirmed", {"task_line_id": line_id, "quantity": 4}),
                        (2, "task.completed", {"task_id": task_id}),
                    ]
                ],
            )
            start.wait()
            reply = services.sync.push(stations[station_id], request)
            return [r.status for r in reply.results]

        jobs = [(pair, w.task_id, w.task_line_id) for pair, w in zip(pairs, works, strict=True)]
        with ThreadPoolExecutor(clients) as pool:
            outcomes = list(pool.map(finish, jobs))
        assert outcomes == [["applied", "applied"]] * clients
        wave = t.cols(t.Wave)
        with engine.connect() as connection:
            states = list(connection.execute(sa.select(wave.status)).scalars())
        assert states == ["done"] * (clients // 2)
    finally:
        engine.dispose()
