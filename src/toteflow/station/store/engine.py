"""The station's SQLite engine: WAL, synchronous=FULL, foreign keys, one writer at a time."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs
from sqlalchemy import Engine

from toteflow.shared.sqlite import durable_sqlite_engine

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
    return durable_sqlite_engine(f"sqlite:///{path}")
