"""`toteflow station`: the floor station app (log-in, picking), on this station's own store."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer

from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.config import ConfigError, Settings
from toteflow.domain.errors import ServiceError
from toteflow.station import bootstrap as station_bootstrap


def _register(settings: Settings, server_url: str, token: str) -> None:
    try:
        asyncio.run(station_bootstrap.register_with_token(settings.station, server_url, token))
    except ServiceError as exc:
        fail(f"cannot register this station with {server_url}: {exc}", code=1)


def _run(settings: Settings, *, demo: bool) -> None:
    # The screen is the terminal: warnings go to a log file next to the store, not over it.
    log = station_bootstrap.station_store_path(settings.station).with_name("station.log")
    logging.basicConfig(
        filename=log,
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        parts = station_bootstrap.build_station_app(settings, demo=demo)
    except (ServiceError, ConfigError) as exc:
        fail(str(exc))
    try:
        parts.app.run()
    finally:
        parts.close()


@app.command()
def station(
    config: ConfigOption = None,
    server: Annotated[
        str | None,
        typer.Option(help="server URL to register with (with --token); default: as registered"),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="the station token `toteflow stations register` printed", show_default=False
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="F9 scans what the screen asks for (no scanner needed)")
    ] = False,
) -> None:
    """Open the floor station: scan a badge to log in; pickers ask for work and pick.

    The station must be registered once (`toteflow station-setup register`, or here with
    --server and --token). It keeps working offline: picks wait in its outbox until the
    server answers again.
    """
    settings = settings_or_exit(config)
    if token is not None:
        _register(settings, server or settings.station.server_url, token)
    elif server is not None:
        fail("--server needs --token (or register with toteflow station-setup register)")
    _run(settings, demo=demo)


def run_station(
    server_url: str, token: str, *, data_dir: Path | None = None, demo: bool = True
) -> None:
    """Register with `server_url` using `token` and open the station (for `toteflow demo`)."""
    settings = settings_or_exit(None)
    if data_dir is not None:
        station = settings.station.model_copy(update={"data_dir": str(data_dir)})
        settings = settings.model_copy(update={"station": station})
    _register(settings, server_url, token)
    _run(settings, demo=demo)
