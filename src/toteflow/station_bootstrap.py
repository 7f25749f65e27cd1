"""The station's composition root: its store, floor actions, read side and sync worker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine

from toteflow.adapters.station_store.engine import data_dir, store_path
from toteflow.adapters.station_store.migrate import open_store
from toteflow.adapters.station_store.uow import SqlStationUnitOfWorkFactory
from toteflow.adapters.sync.client import make_http_client
from toteflow.adapters.sync.worker import SyncWorker
from toteflow.config import StationSettings
from toteflow.services.station_events import FloorActions, StationView


@dataclass
class StationParts:
    """Everything a station app needs; screens get `floor` and `view`, never the engine."""

    path: Path
    engine: Engine
    uow: SqlStationUnitOfWorkFactory
    view: StationView
    floor: FloorActions
    worker: SyncWorker


def station_store_path(settings: StationSettings) -> Path:
    return store_path(data_dir(settings.data_dir))


def open_station_store(settings: StationSettings) -> tuple[Path, Engine]:
    """The station's store, created and migrated as needed."""
    path = station_store_path(settings)
    return path, open_store(path)


def build_station(
    settings: StationSettings, *, http: httpx.AsyncClient | None = None
) -> StationParts:
    """Store, use cases and a sync worker (not started) wired together.

    Start the worker on a thread (`worker.run_forever`) or as a task (`await worker.run()`);
    every floor action wakes it so that events go out at once when the network is there.
    """
    path, engine = open_station_store(settings)
    uow = SqlStationUnitOfWorkFactory(engine)
    worker = SyncWorker(
        uow,
        http or make_http_client(settings.ca_file),
        interval=settings.sync_interval_seconds,
        # A client made here belongs to the worker's event loop and is closed with it.
        close_http=http is None,
    )
    floor = FloorActions(uow, on_recorded=worker.wake)
    return StationParts(path, engine, uow, StationView(uow), floor, worker)
