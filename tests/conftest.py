"""Shared fixtures: databases (SQLite and PostgreSQL, one schema per test) and servers."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fastapi.dependencies.models as fastapi_models
import pytest
import sqlalchemy as sa

from toteflow.central.services import people as people_service
from toteflow.config import Settings, load_settings
from toteflow.domain import credentials

PG_URL = os.environ.get("TOTEFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Every server test adds one person per role and logs some in: seven scrypt hashes and a few
# checks, a third of a second of each test's set-up. The same PIN hashes once per worker here
# (a real hash, its salt reused) and a PIN checked against a hash is checked once; the
# lock-out and wrong-PIN paths are unchanged (a wrong PIN still fails, and is counted).
# tests/unit tests the hashing itself, uncached.
setattr(people_service, "hash_pin", functools.lru_cache(maxsize=None)(credentials.hash_pin))  # noqa: B010
setattr(people_service, "verify_pin", functools.lru_cache(maxsize=4096)(credentials.verify_pin))  # noqa: B010
_pg_state: dict[str, str | None] = {}


def postgres_problem() -> str | None:
    """None when the test PostgreSQL answers, else why not (checked once per process)."""
    if "problem" not in _pg_state:
        try:
            engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            engine.dispose()
            _pg_state["problem"] = None
        except Exception as exc:
            _pg_state["problem"] = f"PostgreSQL at {PG_URL} not reachable: {exc.__class__.__name__}"
    return _pg_state["problem"]


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (CI=true: PostgreSQL tests must run, not skip)")
    pytest.skip(problem)


@dataclass(frozen=True)
class Database:
    kind: str  # "sqlite" or "postgres"
    url: str
    schema: str | None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database: a fresh SQLite file, or a fresh schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield Database("sqlite", f"sqlite:///{tmp_path / 'server.db'}", None)
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Database("postgres", PG_URL, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    env = {
        "TOTEFLOW_SERVER_DATABASE_URL": database.url,
        "TOTEFLOW_STATION_DATA_DIR": str(tmp_path / "station"),
    }
    return load_settings(environ=env)


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Forget the FastAPI apps a test built.

    FastAPI classifies each endpoint and dependency callable in module-level LRU caches of
    4,096 entries. Our endpoints are closures over their app's services, so those caches kept
    every test's server (engine, services, routes) alive: a worker grew past 2 GB, and the
    full collections of that heap stalled a live test server long enough for a station's
    request to time out. A server process builds one app, so this only matters here.
    """
    del item, nextitem
    for value in vars(fastapi_models).values():
        if isinstance(value, functools._lru_cache_wrapper):
            value.cache_clear()
