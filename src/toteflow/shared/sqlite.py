"""SQLite engines made durable and single-writer, for the central store and the station store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event


def durable_sqlite_engine(url: str) -> Engine:
    """WAL, synchronous=FULL, foreign keys on, and BEGIN IMMEDIATE for every transaction."""
    engine = create_engine(
        url,
        # Threads share the pool (server workers; a station's screens and its sync worker).
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
        # One writer at a time, decided at BEGIN: no read-then-upgrade SQLITE_BUSY midway,
        # and handing out work is as safe as SKIP LOCKED because no two writers interleave.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
