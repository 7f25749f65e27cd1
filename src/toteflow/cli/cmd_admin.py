"""`toteflow user ...` and `toteflow station ...`: set up people and stations on the server."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from toteflow.central import bootstrap
from toteflow.central.services.people import PeopleService
from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.contracts.people import StationCreate, User, UserCreate, UserUpdate
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


PinStdinOption = Annotated[
    bool,
    typer.Option(
        "--pin-stdin",
        help="read the PIN from the first line of standard input instead of asking for it",
    ),
]


def _read_pin(from_stdin: bool) -> str:
    """The PIN, asked twice at a hidden prompt, or read from standard input; checked here.

    Never an option on the command line: that would leave it in the shell's history and in
    the process list for anyone on the machine to read.
    """
    if from_stdin:
        pin = sys.stdin.readline().strip()
    else:
        try:
            pin = typer.prompt(
                "PIN (4 to 12 digits)",
                hide_input=True,
                confirmation_prompt="The same PIN again",
            ).strip()
        except typer.Abort:
            fail("no PIN given: nothing was changed")
    try:
        UserUpdate(pin=pin)  # the contract's PIN rule, checked before anything is opened
    except ValidationError:
        fail("a PIN is 4 to 12 digits: nothing was changed")
    return pin


def _find(people: PeopleService, badge: str) -> User:
    """The person with this badge, or a message and exit status 1."""
    wanted = badge.strip().casefold()
    found = next((u for u in _everyone(people) if u.badge.casefold() == wanted), None)
    if found is None:
        fail(f"no person has badge {badge}: `toteflow user list` shows who there is", code=1)
    return found


def _everyone(people: PeopleService) -> list[User]:
    found: list[User] = []
    while True:
        page = people.users(SYSTEM, offset=len(found), limit=_PAGE)
        found.extend(page.items)
        if not page.items or len(found) >= page.total:
            return found


_PAGE = 200


@users.command("add")
def add_user(
    name: Annotated[str, typer.Option(help="full name")],
    badge: Annotated[str, typer.Option(help="badge barcode, e.g. B00042")],
    role: Annotated[Role, typer.Option(help="picker, packer, receiver, supervisor or admin")],
    pin_stdin: PinStdinOption = False,
    config: ConfigOption = None,
) -> None:
    """Add a person, directly in the server's database (use it for the first admin).
    The PIN is asked at a hidden prompt."""
    try:
        UserCreate(name=name, badge=badge, pin="0000", role=role)
    except ValidationError as exc:
        fail(_invalid(exc))
    pin = _read_pin(pin_stdin)
    try:
        created = _people(config).add_user(
            SYSTEM, UserCreate(name=name, badge=badge, pin=pin, role=role)
        )
    except ServiceError as exc:
        fail(str(exc))
    typer.echo(
        f"added {created.role.value} {created.name} (badge {created.badge}, id {created.id})"
    )


@users.command("list")
def list_users(config: ConfigOption = None) -> None:
    """List the people who may log in at stations, and those deactivated."""
    everyone = _everyone(_people(config))
    if not everyone:
        typer.echo("nobody yet: add the first admin with `toteflow user add`")
        return
    width = max(len(u.badge) for u in everyone)
    typer.echo(f"{'id':>5}  {'badge':<{width}}  {'role':<10}  {'state':<11}  name")
    for user in everyone:
        state = "active" if user.active else "deactivated"
        typer.echo(
            f"{user.id:>5}  {user.badge:<{width}}  {user.role.value:<10}  {state:<11}  {user.name}"
        )


@users.command("set-pin")
def set_pin(
    badge: Annotated[str, typer.Argument(help="the person's badge barcode")],
    pin_stdin: PinStdinOption = False,
    config: ConfigOption = None,
) -> None:
    """Give a person a new PIN, asked at a hidden prompt."""
    people = _people(config)
    user = _find(people, badge)
    pin = _read_pin(pin_stdin)
    try:
        people.update_user(SYSTEM, user.id, UserUpdate(pin=pin))
    except ServiceError as exc:
        fail(str(exc))
    typer.echo(f"new PIN set for {user.name} (badge {user.badge})")


@users.command("deactivate")
def deactivate(
    badge: Annotated[str, typer.Argument(help="the person's badge barcode")],
    config: ConfigOption = None,
) -> None:
    """Stop a person from logging in; their log-ins end at once. Their history stays."""
    people = _people(config)
    user = _find(people, badge)
    if not user.active:
        typer.echo(f"{user.name} (badge {user.badge}) was deactivated already")
        return
    try:
        people.update_user(SYSTEM, user.id, UserUpdate(active=False))
    except ServiceError as exc:
        fail(str(exc))
    typer.echo(f"deactivated {user.name} (badge {user.badge}): they can no longer log in")


def _invalid(exc: ValidationError) -> str:
    return "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())


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
