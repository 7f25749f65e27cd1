"""`toteflow user ...` and `toteflow station ...`: set up people and stations on the server."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from toteflow.central import bootstrap
from toteflow.central.services.people import PeopleService
from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import ServiceError
from toteflow.domain.roles import Role

users = typer.Typer(help="Manage the people who log in at stations.", no_args_is_help=True)
stations = typer.Typer(help="Register floor stations with the server.", no_args_is_help=True)
app.add_typer(users, name="user")
app.add_typer(stations, name="stations")


def _people(config: ConfigOption) -> PeopleService:
    settings = settings_or_exit(config)
    try:
        engine = bootstrap.open_database(bootstrap.database_url(settings.server))
    except Exception as exc:
        fail(f"cannot open the database: {exc.__class__.__name__}: {exc}")
    return bootstrap.build_services(engine, settings).people


@users.command("add")
def add_user(
    name: Annotated[str, typer.Option(help="full name")],
    badge: Annotated[str, typer.Option(help="badge barcode, e.g. B00042")],
    pin: Annotated[str, typer.Option(help="4 to 12 digits", prompt=True, hide_input=True)],
    role: Annotated[Role, typer.Option(help="picker, packer, supervisor or admin")],
    config: ConfigOption = None,
) -> None:
    """Add a person (directly in the server's database: use it for the first admin)."""
    try:
        user = UserCreate(name=name, badge=badge, pin=pin, role=role)
    except ValidationError as exc:
        fail("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors()))
    try:
        created = _people(config).add_user(SYSTEM, user)
    except ServiceError as exc:
        fail(str(exc))
    typer.echo(
        f"added {created.role.value} {created.name} (badge {created.badge}, id {created.id})"
    )


@stations.command("register")
def register_station(
    name: Annotated[str, typer.Argument(help="station name, e.g. pick-01")],
    config: ConfigOption = None,
) -> None:
    """Register a station and print its token (shown once: give it to the station)."""
    try:
        station = StationCreate(name=name)
    except ValidationError:
        fail("a station name is letters, digits, '-' and '_' (up to 60)")
    try:
        registered = _people(config).register_station(SYSTEM, station)
    except ServiceError as exc:
        fail(str(exc))
    typer.echo(f"station {registered.station.name} registered; its token (shown once):")
    typer.echo(registered.token)
