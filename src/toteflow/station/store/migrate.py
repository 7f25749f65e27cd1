"""The station store's migrations: a second Alembic history, run when the store opens."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import toteflow.station.store.migrations
from toteflow.station.store.engine import make_station_engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(Path(toteflow.station.store.migrations.__file__).parent)
    )
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the station migration history is empty"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the station store to `revision` (BEGIN IMMEDIATE keeps two openers apart)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def open_store(path: Path) -> Engine:
    """The station store at `path`, created or migrated to the current schema."""
    engine = make_station_engine(path)
    upgrade(engine)
    return engine
