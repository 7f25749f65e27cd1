"""The station's SQLite engine: WAL, synchronous=FULL, foreign keys, one writer at a time."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event

STORE_FILE = "station.db"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("toteflow", appauthor=False)) / "station"


def data_dir(configured: str) -> Path:
    """The station's data folder: the configured one, else the user's data directory."""
    return Path(configured).expanduser() if configured else default_data_dir()


def store_path(folder: Path) -> Path:
    return folder / STORE_FILE


def make_station_engine(path: Path) -> Engine:
    """An engine on the store file; the folder is made private (the token lives in it)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Create it empty with owner-only rights before SQLite does (with the umask's rights);
        # SQLite gives the -wal and -shm files the database file's rights.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    engine = create_engine(
        f"sqlite:///{path}",
        # The sync worker's thread and the screens' thread share the pool.
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so that BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit that returned survives a power cut, so an acknowledged scan is kept.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # The worker and the screens both write: deciding the writer at BEGIN avoids the
        # read-then-upgrade SQLITE_BUSY that a deferred transaction can hit midway.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
