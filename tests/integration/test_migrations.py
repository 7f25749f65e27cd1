"""Migrations take an empty SQLite or PostgreSQL to exactly the models; the server insists on it."""

from __future__ import annotations

import importlib
import pkgutil
import threading
import warnings
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import toteflow.central.store
from tests.conftest import Database
from toteflow.central.bootstrap import SchemaBehind, build_server
from toteflow.central.store import migrate
from toteflow.central.store.engine import make_engine
from toteflow.config import Settings

# Every module of the store may define tables: import them all, as env.py must, so that a
# table module env.py forgets shows up here as a difference.
for _module in pkgutil.iter_modules(toteflow.central.store.__path__):
    importlib.import_module(f"toteflow.central.store.{_module.name}")

# SQLite cannot reflect expression indexes, so autogenerate skips this one there (with a
# warning); test_stock_positions_are_unique checks it by behaviour instead.
EXPRESSION_INDEXES = {"uq_stock_position"}


def differences(engine: sa.Engine) -> list[Any]:
    """What `alembic revision --autogenerate` would write, with the options env.py uses."""
    with engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found: list[Any] = compare_metadata(context, SQLModel.metadata)
    return found


def revisions() -> list[str]:
    """Revision ids from the first migration to head."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_upgrade_from_empty_gives_exactly_the_models(database: Database) -> None:
    engine = make_engine(database.url, schema=database.schema)
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.is_current(engine)
        assert differences(engine) == []
        tables = set(sa.inspect(engine).get_table_names())
        assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}
        if database.kind == "postgres":
            indexes = {ix["name"] for ix in sa.inspect(engine).get_indexes("stock")}
            assert indexes >= EXPRESSION_INDEXES
        # Running it again (a second server starting) changes nothing.
        migrate.upgrade(engine)
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_every_step_applies_in_order_and_downgrades_back_to_empty(database: Database) -> None:
    engine = make_engine(database.url, schema=database.schema)
    try:
        steps = revisions()
        assert len(steps) >= 1
        for step in steps:
            migrate.upgrade(engine, step)
            assert migrate.current_revision(engine) == step
        config = migrate.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_the_database_enforces_the_stock_invariants(database: Database) -> None:
    engine = make_engine(database.url, schema=database.schema)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO location (id, code, kind, x, y, active) "
                    "VALUES (1, '01-001-1', 'pick_face', 0, 0, true)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO product (id, sku, description, lot_tracked, expiry_tracked, "
                    "serial_tracked, lot_substitution, upright, created_at) "
                    "VALUES (1, 'SKU-1', 'x', false, false, false, false, false, CURRENT_TIMESTAMP)"
                )
            )

        def insert(quantity: int, reserved: int = 0, expiry: str | None = None) -> None:
            with engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO stock (location_id, product_id, lot, expiry, received_on, "
                        "quantity, reserved, version) "
                        "VALUES (1, 1, '', :expiry, CURRENT_DATE, :quantity, :reserved, 0)"
                    ),
                    {"expiry": expiry, "quantity": quantity, "reserved": reserved},
                )

        for quantity, reserved in [(-1, 0), (5, -1), (5, 6)]:
            with pytest.raises(IntegrityError):
                insert(quantity, reserved)
        insert(5)
        # The same position twice, even with no expiry (NULL would slip past a plain UNIQUE).
        with pytest.raises(IntegrityError):
            insert(3)
        insert(3, expiry="2027-01-31")
        with pytest.raises(IntegrityError):
            insert(1, expiry="2027-01-31")
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(sa.text("UPDATE stock SET quantity = quantity - 6"))
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_several_servers_migrating_at_once_all_succeed(database: Database) -> None:
    """Several server processes on one PostgreSQL: the advisory lock lets one migrate at a time."""
    engines = [make_engine(database.url, schema=database.schema, pool_size=1) for _ in range(3)]
    start = threading.Barrier(len(engines))
    failures: list[BaseException] = []

    def boot(engine: sa.Engine) -> None:
        start.wait()
        try:
            migrate.upgrade(engine)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=boot, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert migrate.is_current(engines[0])
        assert differences(engines[0]) == []
    finally:
        for engine in engines:
            engine.dispose()


def test_without_migrations_the_server_refuses_a_schema_that_is_behind(
    settings: Settings, database: Database
) -> None:
    with pytest.raises(SchemaBehind) as empty:
        build_server(settings, schema=database.schema, migrate_schema=False)
    message = str(empty.value)
    assert "the database schema is at empty" in message
    assert migrate.head_revision() in message
    assert "run `toteflow migrate`" in message

    engine = make_engine(database.url, schema=database.schema)
    try:
        steps = revisions()
        if len(steps) > 1:
            migrate.upgrade(engine, steps[-2])
            with pytest.raises(SchemaBehind, match=f"schema is at {steps[-2]}"):
                build_server(settings, schema=database.schema, migrate_schema=False)
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    parts = build_server(settings, schema=database.schema, migrate_schema=False)
    parts.engine.dispose()
