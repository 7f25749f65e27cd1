"""The station's composition root: its store, floor actions, read side and sync worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import Engine

from toteflow.config import ConfigError, Settings, StationSettings, default_assets_dir
from toteflow.domain.errors import Refused
from toteflow.domain.labels import Address
from toteflow.domain.layout import Layout
from toteflow.domain.scan import ScanResult, interpret
from toteflow.shared.codes import build_code_formats
from toteflow.shared.labels import LabelRenderer
from toteflow.shared.layout_file import load_layout
from toteflow.shared.shipping_files import ShippingFileError, load_boxes, load_carrier_rules
from toteflow.station.devices.printer import make_printer, parse_printer
from toteflow.station.devices.scale.reader import ScaleCallback, ScaleReader
from toteflow.station.devices.scanner.serial_reader import SerialScannerReader
from toteflow.station.ports.packing import Printer
from toteflow.station.ports.store import StationIdentity, StationUnitOfWorkFactory
from toteflow.station.server_client.client import make_http_client
from toteflow.station.server_client.counts_api import CountsApi
from toteflow.station.server_client.pack_client import PackClient, StationPackApi
from toteflow.station.server_client.putaway_api import PutawayApi
from toteflow.station.server_client.receiving_api import ReceivingApi
from toteflow.station.server_client.station_api import StationApi
from toteflow.station.server_client.stock_api import StockApi
from toteflow.station.server_client.wave_api import WaveApi
from toteflow.station.server_client.worker import SyncWorker
from toteflow.station.services import setup as station_setup
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.login import StationLogin
from toteflow.station.services.packing.policy import PackingPolicy
from toteflow.station.services.packing.service import PackingService
from toteflow.station.services.setup import Registered
from toteflow.station.store.engine import data_dir, store_path
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

if TYPE_CHECKING:
    from toteflow.station.tui.app import StationApp
    from toteflow.station.tui.scan_input import ScannerEventSink


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
    from toteflow.station.tui.app import StationApp
    from toteflow.station.tui.widgets.scan_capture import WedgeSettings

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
    waves = WaveApi(calls, identity.server_url, identity.token)
    scanner = settings.scanner
    services = StationServices(
        login=StationLogin(api, pin_required=settings.station.pin_required),
        floor=station.floor,
        view=station.view,
        tasks=api,
        layout=_layout(settings),
        formats=build_code_formats(settings.codes),
        fnc1_replacement=scanner.fnc1_replacement or None,
        allow_keyed_items=settings.station.allow_keyed_items,
        # Folder printers write into the station's data folder (the demo's label pictures).
        packing=build_packing(
            settings, station.uow, station.path.parent, on_recorded=station.worker.wake
        ),
        pack_server=StationPackApi(calls, identity.server_url, identity.token),
        waves=waves,
        held_server=waves,
        receiving_server=ReceivingApi(calls, identity.server_url, identity.token),
        plate_printer=_plate_printer(settings, station.path.parent),
        putaway_server=PutawayApi(calls, identity.server_url, identity.token),
        stock_server=StockApi(calls, identity.server_url, identity.token),
        count_server=CountsApi(calls, identity.server_url, identity.token),
        anyone_may_count=settings.counts.anyone_may_count,
        pickers_replenish=settings.station.pickers_replenish,
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


# The pack station's parts: box and carrier files, printers and the packing service.


def ship_from(settings: Settings) -> Address:
    labels = settings.labels
    return Address(
        labels.ship_from_name,
        labels.ship_from_line1,
        labels.ship_from_line2,
        labels.ship_from_city,
        labels.ship_from_region,
        labels.ship_from_postal_code,
        labels.ship_from_country,
    )


def build_printers(settings: Settings, folder: Path) -> dict[str, Printer]:
    """The configured printers; relative folders live in the station's data folder."""
    printers: dict[str, Printer] = {}
    for name, uri in settings.printing.printers.items():
        try:
            spec = parse_printer(name, uri, base=folder)
        except ValueError as exc:
            raise ConfigError(f"[printing] printers: {exc}") from None
        printers[name] = make_printer(spec, settings.printing.timeout_seconds)
    return printers


def _plate_printer(settings: Settings, folder: Path) -> Printer | None:
    # Plate labels go to the station's label printer, as the pack station's box labels do.
    chosen = settings.printing.label_printer
    return build_printers(settings, folder).get(chosen) if chosen else None


def packing_policy(settings: Settings) -> PackingPolicy:
    shipping = settings.shipping
    try:
        boxes = load_boxes(settings.resolve(shipping.boxes_file))
        carriers = load_carrier_rules(settings.resolve(shipping.carriers_file))
    except ShippingFileError as exc:
        raise ConfigError(f"[shipping]: {exc}") from None
    return PackingPolicy(
        boxes=tuple(boxes),
        carriers=carriers,
        ship_from=ship_from(settings),
        weight_tolerance_pct=shipping.weight_tolerance_pct,
        weight_tolerance_g=shipping.weight_tolerance_g,
        weight_supervisor_pct=shipping.weight_supervisor_pct,
        weight_supervisor_g=shipping.weight_supervisor_g,
        allow_keyed_items=settings.station.allow_keyed_items,
        short_policy=shipping.short_policy,
        label_printer=settings.printing.label_printer,
        slip_printer=settings.printing.slip_printer,
        sscc_block_size=settings.labels.sscc_block_size,
    )


def build_packing(
    settings: Settings,
    uow: StationUnitOfWorkFactory,
    folder: Path,
    *,
    on_recorded: Callable[[], None] | None = None,
) -> PackingService:
    """The pack station's use cases, wired; `folder` is the station's data folder."""
    formats = build_code_formats(settings.codes)
    fnc1 = settings.scanner.fnc1_replacement or None

    def read(raw: str) -> ScanResult:
        return interpret(raw, formats, fnc1_replacement=fnc1)

    return PackingService(
        uow,
        packing_policy(settings),
        LabelRenderer(),
        build_printers(settings, folder),
        on_recorded=on_recorded,
        read=read,
    )


def pack_client(http: httpx.AsyncClient, identity: StationIdentity) -> PackClient:
    """The server calls a pack station makes (pack orders, SSCC blocks) as this station."""
    return PackClient(http, identity.server_url, identity.token)
