"""`toteflow user add|list|set-pin|deactivate` on a SQLite server database: the PIN is asked at
a hidden prompt (twice) or read from standard input, never taken from the command line."""

from __future__ import annotations

from itertools import count
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from toteflow.central import bootstrap
from toteflow.cli import _register, app
from toteflow.config import load_settings
from toteflow.contracts.people import Login, StationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import Unauthenticated


@pytest.fixture(name="env")
def env_fixture(tmp_path: Path) -> dict[str, str]:
    _register()
    return {"TOTEFLOW_SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"}


def run(env: dict[str, str], *args: str, typed: str | None = None) -> Result:
    return CliRunner(env=env).invoke(app, list(args), input=typed)


_stations = count(1)


def log_in(env: dict[str, str], badge: str, pin: str) -> str:
    """Log in at a fresh station with the service the server runs; the person's name."""
    settings = load_settings(environ=env)
    engine = bootstrap.open_database(bootstrap.database_url(settings.server))
    try:
        people = bootstrap.build_services(engine, settings).people
        station = people.register_station(SYSTEM, StationCreate(name=f"s-{next(_stations)}"))
        return people.login(station.station, Login(badge=badge, pin=pin)).user.name
    finally:
        engine.dispose()


def test_add_asks_the_pin_twice_hidden_and_the_person_logs_in(env: dict[str, str]) -> None:
    added = run(
        env,
        "user",
        "add",
        "--name",
        "Ann Admin",
        "--badge",
        "B00001",
        "--role",
        "admin",
        typed="4321\n4321\n",
    )
    assert added.exit_code == 0, added.output
    assert "added admin Ann Admin (badge B00001" in added.output
    assert "4321" not in added.output  # hidden: never echoed
    assert log_in(env, "B00001", "4321") == "Ann Admin"


def test_the_pin_is_never_an_option(env: dict[str, str]) -> None:
    refused = run(
        env,
        "user",
        "add",
        "--name",
        "Ann",
        "--badge",
        "B00001",
        "--role",
        "admin",
        "--pin",
        "4321",
    )
    assert refused.exit_code == 2
    assert "No such option" in refused.output


def test_bad_pins_change_nothing(env: dict[str, str]) -> None:
    differ = run(
        env,
        "user",
        "add",
        "--name",
        "Ann",
        "--badge",
        "B00001",
        "--role",
        "admin",
        typed="4321\n1234\n4321\n4321\n",
    )
    # Typer asks again when the two differ; the second pair matches.
    assert differ.exit_code == 0, differ.output
    short = run(env, "user", "set-pin", "B00001", "--pin-stdin", typed="12\n")
    assert short.exit_code == 2
    assert "a PIN is 4 to 12 digits: nothing was changed" in short.output
    assert "Traceback" not in short.output
    assert log_in(env, "B00001", "4321") == "Ann"


def test_list_set_pin_and_deactivate(env: dict[str, str]) -> None:
    for badge, name, role in (("B00001", "Ann Admin", "admin"), ("B00101", "Pat Picker", "picker")):
        made = run(
            env,
            "user",
            "add",
            "--name",
            name,
            "--badge",
            badge,
            "--role",
            role,
            "--pin-stdin",
            typed="1111\n",
        )
        assert made.exit_code == 0, made.output
    listed = run(env, "user", "list")
    assert listed.exit_code == 0, listed.output
    rows = listed.output.splitlines()
    assert rows[0].split() == ["id", "badge", "role", "state", "name"]
    assert rows[2].split()[1:] == ["B00101", "picker", "active", "Pat", "Picker"]

    changed = run(env, "user", "set-pin", "b00101", typed="9876\n9876\n")
    assert changed.exit_code == 0, changed.output
    assert "new PIN set for Pat Picker (badge B00101)" in changed.output
    assert log_in(env, "B00101", "9876") == "Pat Picker"
    with pytest.raises(Unauthenticated):
        log_in(env, "B00101", "1111")

    gone = run(env, "user", "deactivate", "B00101")
    assert gone.exit_code == 0, gone.output
    assert "deactivated Pat Picker (badge B00101): they can no longer log in" in gone.output
    assert "deactivated" in run(env, "user", "list").output.splitlines()[2]
    with pytest.raises(Unauthenticated):
        log_in(env, "B00101", "9876")
    again = run(env, "user", "deactivate", "B00101")
    assert "was deactivated already" in again.output

    nobody = run(env, "user", "set-pin", "B99999", "--pin-stdin", typed="1234\n")
    assert nobody.exit_code == 1
    assert "no person has badge B99999" in nobody.output
