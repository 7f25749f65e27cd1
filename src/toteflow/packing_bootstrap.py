"""The pack station's composition: box and carrier files, printers and the packing service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from toteflow.adapters.labels import LabelRenderer
from toteflow.adapters.printer import make_printer, parse_printer
from toteflow.adapters.shipping_files import ShippingFileError, load_boxes, load_carrier_rules
from toteflow.adapters.sync.pack_client import PackClient
from toteflow.config import ConfigError, Settings
from toteflow.domain.labels import Address
from toteflow.services.packing import PackingPolicy, PackingService
from toteflow.services.packing_ports import Printer
from toteflow.services.station_ports import StationIdentity, StationUnitOfWorkFactory


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
    """The pack screens' one service; `folder` is the station's data folder."""
    return PackingService(
        uow,
        packing_policy(settings),
        LabelRenderer(),
        build_printers(settings, folder),
        on_recorded=on_recorded,
    )


def pack_client(http: httpx.AsyncClient, identity: StationIdentity) -> PackClient:
    """The server calls a pack station makes (pack orders, SSCC blocks) as this station."""
    return PackClient(http, identity.server_url, identity.token)
