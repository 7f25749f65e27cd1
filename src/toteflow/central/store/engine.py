"""Database engines: SQLite tuned for durability and one writer, PostgreSQL pooled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from toteflow.shared.sqlite import durable_sqlite_engine


def default_database_url() -> str:
    """The SQLite file in the user's data directory, used when no URL is configured."""
    folder = Path(platformdirs.user_data_dir("toteflow", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.db'}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, schema: str | None = None, pool_size: int = 10) -> Engine:
    """An engine for the URL; `schema` puts a PostgreSQL session's tables in that schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return durable_sqlite_engine(url)
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        connect_args=connect_args,
    )
