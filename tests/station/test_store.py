"""The station store: durability settings really applied, its own schema and migrations."""

from __future__ import annotations

import stat
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import SQLModel

import toteflow.central.store.tables  # noqa: F401  (puts the central tables on SQLModel.metadata)
from toteflow.station.services import setup as station_setup
from toteflow.station.store import migrate
from toteflow.station.store.tables import metadata
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory


def test_every_connection_runs_wal_synchronous_full_and_foreign_keys(engine: Engine) -> None:
    # Several pooled connections at once: the settings come from the connect hook, not luck.
    connections = [engine.raw_connection() for _ in range(3)]
    try:
        for connection in connections:
            cursor = connection.cursor()
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            cursor.close()
    finally:
        for connection in connections:
            connection.close()


def test_the_store_file_and_folder_are_private(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "station" / "station.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_opening_migrates_to_the_head_of_the_station_history(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(sa.inspect(engine).get_table_names())
    assert {"identity", "sync_state", "outbox", "task", "task_line", "station_exception"} <= tables
    # None of the central server's tables come along.
    assert not tables & {"orders", "stock", "applied_event", "app_user", "change"}


def test_opening_twice_is_harmless(tmp_path: Path, engine: Engine) -> None:
    again = migrate.open_store(tmp_path / "station" / "station.db")
    try:
        assert migrate.current_revision(again) == migrate.head_revision()
    finally:
        again.dispose()


def test_station_tables_live_on_their_own_metadata() -> None:
    station = set(metadata.tables)
    central = set(SQLModel.metadata.tables)
    assert "outbox" in station
    assert "outbox" not in central
    # Same names on both sides (task, product, location) are different tables.
    assert metadata.tables["task"] is not SQLModel.metadata.tables.get("task")


def test_the_migration_matches_the_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_the_token_is_never_in_a_repr(uow: SqlStationUnitOfWorkFactory) -> None:
    done = station_setup.register(
        uow,
        station_id=4,
        name="pick-04",
        server_url="http://server.test/",
        token="s3cret-token-value",
        server_last_seq=None,
    )
    assert "s3cret" not in repr(done)
    with uow() as unit:
        identity = unit.identity.get()
    assert identity is not None
    assert identity.token == "s3cret-token-value"
    assert identity.server_url == "http://server.test"
    assert "s3cret" not in repr(identity)
