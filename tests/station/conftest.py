"""Station fixtures: a migrated store in a temporary folder, registered with a test server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.server.conftest import Site, site  # noqa: F401  (the real server, for integration)
from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.tasks import Task, TaskContainer, TaskLine
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.sync import store_task
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

SERVER = "http://server.test"
TOKEN = "station-token-0123456789"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(tmp_path / "station" / "station.db")
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> SqlStationUnitOfWorkFactory:
    return SqlStationUnitOfWorkFactory(engine)


@pytest.fixture
def registered(uow: SqlStationUnitOfWorkFactory) -> SqlStationUnitOfWorkFactory:
    station_setup.register(
        uow, station_id=1, name="pick-01", server_url=SERVER, token=TOKEN, server_last_seq=0
    )
    return uow


@pytest.fixture
def floor(registered: SqlStationUnitOfWorkFactory) -> FloorActions:
    return FloorActions(registered)


@pytest.fixture
def view(registered: SqlStationUnitOfWorkFactory) -> StationView:
    return StationView(registered)


def make_task(
    task_id: int = 10,
    *,
    lines: int = 1,
    quantity: int = 4,
    status: str = "assigned",
    reference: str = "SO-1",
    user_id: int = 7,
) -> Task:
    """A task as the server sends it: `lines` stops of `quantity` units, one slot."""
    return Task(
        id=task_id,
        wave=None,
        kind="discrete",
        zone=None,
        status=status,  # type: ignore[arg-type]
        cart=None,
        slots=1,
        distance_m=12.5,
        user_id=user_id,
        station_id=1,
        assigned_at=datetime(2026, 1, 1, tzinfo=UTC),
        lines=[
            TaskLine(
                id=task_id * 100 + n,
                stop_no=n,
                location=f"01-{n:03d}-1",
                zone=None,
                aisle=1,
                bay=n,
                level=1,
                sku=f"SKU-{task_id}-{n}",
                description=f"Item {n}",
                units=[
                    ProductUnit(
                        uom="EA", units=1, barcode=f"B{task_id:04d}{n:04d}", barcode_kind="internal"
                    )
                ],
                lot_tracked=False,
                expiry_tracked=False,
                lot_substitution=False,
                lot="",
                expiry=None,
                quantity=quantity,
                picked=0,
                shorted=0,
                slot=1,
                order_reference=reference,
                status="open",
            )
            for n in range(1, lines + 1)
        ],
        containers=[TaskContainer(slot=1, order_reference=reference, tote=None, status="open")],
    )


def keep_task(uow: SqlStationUnitOfWorkFactory, task: Task) -> None:
    with uow() as unit:
        store_task(unit, task)
        unit.commit()
