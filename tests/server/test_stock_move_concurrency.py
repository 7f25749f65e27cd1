"""A move by hand and a pick of the same stock at once: never below reserved, never negative."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from tests.conftest import Database
from tests.support.floor import released_task
from toteflow.central import bootstrap
from toteflow.central.store import tables as t
from toteflow.config import Settings
from toteflow.contracts import catalogue as cat
from toteflow.contracts import stock as st
from toteflow.contracts import sync
from toteflow.contracts.people import Station, StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Role

ROUNDS = 6


@dataclass(frozen=True)
class Pick:
    station: Station
    user_id: int
    seq: int
    task_line_id: int


def race(
    services: bootstrap.Services, pick: Pick, mover: Actor, move: st.MoveRequest
) -> tuple[str, str]:
    """The pick pushed and the move made at once, each on its own thread and connection."""
    start = threading.Barrier(2)

    def picking() -> str:
        request = sync.PushRequest(
            station_id=pick.station.id,
            events=[
                sync.Event(
                    id=uuid.uuid4(),
                    seq=pick.seq,
                    user_id=pick.user_id,
                    type="pick.confirmed",
                    payload={"task_line_id": pick.task_line_id, "quantity": 4},
                    station_time=datetime.now(UTC),
                )
            ],
        )
        start.wait()
        return services.sync.push(pick.station, request).results[0].status

    def moving() -> str:
        start.wait()
        try:
            services.stock.move(mover, move)
        except Refused:
            return "refused"
        return "moved"

    with ThreadPoolExecutor(2) as pool:
        picked, went = pool.submit(picking), pool.submit(moving)
        return picked.result(), went.result()


@pytest.mark.parametrize("same_station", [False, True], ids=["elsewhere", "same_station"])
@pytest.mark.parametrize(("moving", "moved"), [(6, True), (7, False)])
def test_a_move_and_a_pick_at_once_never_take_what_orders_hold(
    settings: Settings, database: Database, moving: int, moved: bool, same_station: bool
) -> None:
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    try:
        picker = services.people.add_user(
            SYSTEM, UserCreate(name="Picker", badge="P00001", pin="1234", role=Role.PICKER)
        )
        mover = services.people.add_user(
            SYSTEM, UserCreate(name="Mover", badge="P00002", pin="1234", role=Role.RECEIVER)
        )
        station = services.people.register_station(SYSTEM, StationCreate(name="s-1")).station
        # The move is made at another station, or over the API at the pushing one (whose row
        # the push holds throughout: the move waits for it, never deadlocks with it).
        other = services.people.register_station(SYSTEM, StationCreate(name="s-2")).station
        mover_at = station.id if same_station else other.id
        for n in range(1, ROUNDS + 1):
            source, target = f"01-{n:03d}-1", f"02-{n:03d}-3"
            services.catalogue.add_location(SYSTEM, cat.LocationCreate(code=target, kind="reserve"))
            # 10 on hand, 4 of them reserved for the task's line.
            work = released_task(engine, reference=f"SO-{n}", location=source)
            with Session(engine) as session:
                session.execute(
                    sa.update(t.Task)
                    .where(t.cols(t.Task).id == work.task_id)
                    .values(status="in_progress")
                )
                session.commit()
            picked, went = race(
                services,
                Pick(station, picker.id, n, work.task_line_id),
                Actor(mover.id, mover_at, Role.RECEIVER),
                st.MoveRequest(
                    from_location=source, to_location=target, sku="SKU-T1", quantity=moving
                ),
            )
            assert picked == "applied"
            assert went == ("moved" if moved else "refused")
            s, loc = t.cols(t.Stock), t.cols(t.Location)
            with engine.connect() as connection:
                found = {
                    row.code: (row.quantity, row.reserved)
                    for row in connection.execute(
                        sa.select(loc.code, s.quantity, s.reserved).join(
                            t.table(t.Location), loc.id == s.location_id
                        )
                    )
                }
            left = 10 - 4 - (moving if moved else 0)
            assert found[source] == (left, 0)
            assert found.get(target, (0, 0)) == ((moving, 0) if moved else (0, 0))
    finally:
        engine.dispose()
