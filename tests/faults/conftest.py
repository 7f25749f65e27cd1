"""Fault-test fixtures: the server's database (a SQLite file, or a fresh PostgreSQL schema)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, require_postgres
from tests.faults.harness import ServerDb
from tests.server.conftest import site  # noqa: F401  (the real server app, in-process)


def make_server_db(kind: str, folder: Path) -> Iterator[ServerDb]:
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'server.db'}"
        yield ServerDb("sqlite", url, url, None)
        return
    require_postgres()
    schema = f"f_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        # The server process gets the schema through the connection's search_path.
        separator = "&" if "?" in PG_URL else "?"
        process_url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
        yield ServerDb("postgres", process_url, PG_URL, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerDb]:
    yield from make_server_db(request.param, tmp_path)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[ServerDb]:
    yield from make_server_db("sqlite", tmp_path)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The closing figures of each fault test that passed (`make faults` shows them)."""
    lines = [
        str(value)
        for report in terminalreporter.stats.get("passed", [])
        for name, value in getattr(report, "user_properties", [])
        if name == "fault figures"
    ]
    if lines:
        terminalreporter.section("fault figures")
        for line in lines:
            terminalreporter.write_line(line)
