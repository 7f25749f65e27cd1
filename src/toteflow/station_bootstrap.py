"""The station's composition root: its store, floor actions, read side and sync worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import Engine

from toteflow.adapters.codes import build_code_formats
from toteflow.adapters.layout_file import load_layout
from toteflow.adapters.scale.reader import ScaleCallback, ScaleReader
from toteflow.adapters.scanner.serial_reader import SerialScannerReader
from toteflow.adapters.station_store.engine import data_dir, store_path
from toteflow.adapters.station_store.migrate import open_store
from toteflow.adapters.station_store.uow import SqlStationUnitOfWorkFactory
from toteflow.adapters.sync.client import make_http_client
from toteflow.adapters.sync.pack_client import StationPackApi
from toteflow.adapters.sync.station_api import StationApi
from toteflow.adapters.sync.wave_api import WaveApi
from toteflow.adapters.sync.worker import SyncWorker
from toteflow.config import Settings, StationSettings, default_assets_dir
from toteflow.domain.layout import Layout
from toteflow.packing_bootstrap import build_packing
from toteflow.services import station_setup
from toteflow.services.errors import Refused
from toteflow.services.station_events import FloorActions, StationView
from toteflow.services.station_login import StationLogin
from toteflow.services.station_services import StationServices
from toteflow.services.station_setup import Registered

if TYPE_CHECKING:
    from toteflow.tui.app import StationApp
    from toteflow.tui.scan_input import ScannerEventSink


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


def station_http(ca_file: str = "") -> Callable[[], httpx.AsyncClient]:
    """Makes the short-lived clients the screens' server calls (log-in, new work) use."""
    return lambda: make_http_client(ca_file, timeout=10.0)


async def register_with_token(
    settings: StationSettings,
    server_url: str,
    token: str,
    *,
    http: Callable[[], httpx.AsyncClient] | None = None,
) -> Registered:
    """Register the store from a station token alone: the server says whose token it is.

    Keeps the store as it is when it already belongs to that station at that server.
    """
    api = StationApi(http or station_http(settings.ca_file), server_url.rstrip("/"), token)
    station = await api.station()
    _path, engine = open_station_store(settings)
    try:
        uow = SqlStationUnitOfWorkFactory(engine)
        current = StationView(uow).identity()
        if (
            current is not None
            and current.station_id == station.id
            and current.server_url == server_url.rstrip("/")
            and current.token == token
        ):
            return Registered(current, False, StationView(uow).sync_state().next_seq)
        last = await api.last_seq(station.id)
        return station_setup.register(
            uow,
            station_id=station.id,
            name=station.name,
            server_url=server_url,
            token=token,
            server_last_seq=last,
        )
    finally:
        engine.dispose()


def _layout(settings: Settings) -> Layout | None:
    # Only for "metres left" on screen: a station without its layout file still picks.
    try:
        return load_layout(settings.resolve(settings.layout.file))
    except (OSError, ValueError):
        return None


@dataclass
class StationAppParts:
    app: StationApp
    station: StationParts

    def close(self) -> None:
        self.station.engine.dispose()


def build_station_app(
    settings: Settings,
    *,
    demo: bool = False,
    tune_gc: bool = True,
    sync_http: httpx.AsyncClient | None = None,
    http: Callable[[], httpx.AsyncClient] | None = None,
) -> StationAppParts:
    """The station app on its registered store: services, sync worker, scanner, theme.

    Raises Refused when the store is not registered yet (`toteflow station-setup register`).
    """
    # Imported here: Textual is slow to import and station-setup does not need it.
    from toteflow.tui.app import StationApp
    from toteflow.tui.widgets.scan_capture import WedgeSettings

    station = build_station(settings.station, http=sync_http)
    identity = station.view.identity()
    if identity is None:
        station.engine.dispose()
        raise Refused(
            "this station is not registered: run toteflow station-setup register "
            "(or toteflow station --server URL --token TOKEN)"
        )
    calls = http or station_http(settings.station.ca_file)
    api = StationApi(calls, identity.server_url, identity.token)
    scanner = settings.scanner
    services = StationServices(
        login=StationLogin(api, pin_required=settings.station.pin_required),
        floor=station.floor,
        view=station.view,
        tasks=api,
        layout=_layout(settings),
        formats=build_code_formats(settings.codes),
        fnc1_replacement=scanner.fnc1_replacement or None,
        # Folder printers write into the station's data folder (the demo's label pictures).
        packing=build_packing(
            settings, station.uow, station.path.parent, on_recorded=station.worker.wake
        ),
        pack_server=StationPackApi(calls, identity.server_url, identity.token),
        waves=WaveApi(calls, identity.server_url, identity.token),
    )
    make_reader: Callable[[ScannerEventSink], SerialScannerReader] | None = None
    if scanner.device:

        def make_reader(sink: ScannerEventSink) -> SerialScannerReader:
            return SerialScannerReader.from_settings(scanner, sink)

    make_scale: Callable[[ScaleCallback], ScaleReader] | None = None
    if settings.scale.protocol != "none" and settings.scale.device:

        def make_scale(on_reading: ScaleCallback) -> ScaleReader:
            return ScaleReader.from_settings(settings.scale, on_reading)

    app = StationApp(
        services,
        wedge=WedgeSettings.from_config(scanner.wedge_prefix, scanner.wedge_suffix),
        sync=station.worker,
        scanner=make_reader,
        scale=make_scale,
        css_path=default_assets_dir() / "station.tcss",
        tune_gc=tune_gc,
        demo=demo,
    )
    return StationAppParts(app, station)
