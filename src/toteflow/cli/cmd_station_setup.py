"""`toteflow station-setup ...`: register this station with its server, show and run its sync."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from datetime import datetime
from typing import Annotated

import typer

from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.domain.errors import ServiceError
from toteflow.domain.words import plural
from toteflow.station import bootstrap as station_bootstrap
from toteflow.station.server_client.client import SyncClient, SyncError, make_http_client
from toteflow.station.server_client.worker import SyncStatus
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import StationView
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

setup = typer.Typer(
    help="Set up this floor station: its credentials, its sync state.", no_args_is_help=True
)
app.add_typer(setup, name="station-setup")


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "never"


async def _ask(
    server_url: str, token: str, station_id: int | None, ca_file: str
) -> tuple[int, str, int]:
    """The station's id and name on the server, and the server's last seq for it."""
    async with make_http_client(ca_file, timeout=10.0) as http:
        client = SyncClient(http, server_url, token)
        name = ""
        if station_id is None:
            station = await client.this_station()
            station_id, name = station.id, station.name
        # Also proves that the token belongs to that station id (403 otherwise).
        return station_id, name, await client.probe_last_seq(station_id)


@setup.command("register")
def register(
    token: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            help="the token `toteflow stations register` printed (asked for when left out)",
        ),
    ],
    server: Annotated[
        str | None, typer.Option(help="server URL; default: [station] server_url")
    ] = None,
    station_id: Annotated[
        int | None,
        typer.Option(
            "--station-id", min=1, help="the station's id on the server; default: ask the server"
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="default: the station's name on the server")] = "",
    offline: Annotated[
        bool, typer.Option("--offline", help="store the credentials without asking the server")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Store this station's credentials (again, after a token was rotated or revoked)."""
    settings = settings_or_exit(config).station
    server_url = (server or settings.server_url).rstrip("/")
    if not server_url.startswith(("http://", "https://")):
        fail(f"the server URL must start with http:// or https://, not {server_url!r}")
    last_seq: int | None = None
    if offline:
        if station_id is None:
            fail("--offline needs --station-id: the server cannot be asked for it")
    else:
        try:
            station_id, server_name, last_seq = asyncio.run(
                _ask(server_url, token.strip(), station_id, settings.ca_file)
            )
        except SyncError as exc:
            fail(f"{exc} (use --offline with --station-id to store the credentials anyway)")
        name = name or server_name
    path, engine = station_bootstrap.open_station_store(settings)
    try:
        done = station_setup.register(
            SqlStationUnitOfWorkFactory(engine),
            station_id=station_id,
            name=name,
            server_url=server_url,
            token=token,
            server_last_seq=last_seq,
        )
    except ServiceError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    checked = "checked with the server" if last_seq is not None else "not checked (offline)"
    typer.echo(
        f"this station is station {station_id} at {server_url} ({checked}); "
        f"its next event is number {done.next_seq}; store: {path}"
    )


@setup.command("status")
def status(config: ConfigOption = None) -> None:
    """Show the sync state: registration, events waiting, feed cursor, last error, exceptions."""
    settings = settings_or_exit(config).station
    path, engine = station_bootstrap.open_station_store(settings)
    try:
        view = StationView(SqlStationUnitOfWorkFactory(engine))
        identity = view.identity()
        state = view.sync_state()
        waiting = view.events_waiting()
        exceptions = view.exceptions()
    finally:
        engine.dispose()
    typer.echo(f"store:             {path}")
    if identity is None:
        typer.echo("registered:        no (run: toteflow station-setup register)")
    else:
        typer.echo(f"station:           {identity.station_id} {identity.name}".rstrip())
        typer.echo(f"server:            {identity.server_url}")
        typer.echo(f"registered at:     {_when(identity.registered_at)}")
    if state.needs_reregistration:
        typer.secho(
            "needs re-registration: the server refused the token (events are kept)",
            fg=typer.colors.RED,
        )
    typer.echo(f"events waiting:    {waiting}")
    typer.echo(f"next event number: {state.next_seq}")
    typer.echo(f"last acknowledged: {state.last_acked_seq}")
    typer.echo(f"change cursor:     {state.cursor}")
    typer.echo(f"last push:         {_when(state.last_push_at)}")
    typer.echo(f"last pull:         {_when(state.last_pull_at)}")
    typer.echo(f"last error:        {state.last_error or '-'}")
    typer.echo(f"open exceptions:   {len(exceptions)}")
    for item in exceptions[:20]:
        typer.echo(f"  #{item.id} event {item.event_seq} {item.event_type}: {item.reason}")


@setup.command("sync")
def run_sync(
    once: Annotated[bool, typer.Option("--once", help="push and pull once, then stop")] = False,
    config: ConfigOption = None,
) -> None:
    """Run the sync worker in the foreground (the station app runs it itself); Ctrl-C stops."""
    settings = settings_or_exit(config).station
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parts = station_bootstrap.build_station(settings)
    worker = parts.worker

    def show(status: SyncStatus) -> None:
        error = f" ({status.last_error})" if status.state in ("offline", "error") else ""
        typer.echo(f"{status.label}{error}")

    worker.subscribe(show)
    try:
        if once:
            asyncio.run(_once(parts))
            waiting = parts.view.events_waiting()
            if waiting:
                fail(f"{plural(waiting, 'event')} still waiting", code=1)
            return
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: worker.stop())
        try:
            worker.run_forever()
        except KeyboardInterrupt:
            worker.stop()
    finally:
        parts.engine.dispose()


async def _once(parts: station_bootstrap.StationParts) -> None:
    try:
        await parts.worker.sync_once()
    except SyncError as exc:
        fail(str(exc), code=1)
    finally:
        await parts.worker.http.aclose()
