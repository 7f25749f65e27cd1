"""Alembic environment: runs on the connection handed over by toteflow's migrate module."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

# Importing the table modules registers their tables on the metadata.
import toteflow.central.store.counts_tables
import toteflow.central.store.notices_tables
import toteflow.central.store.putaway_tables
import toteflow.central.store.receipts_tables
import toteflow.central.store.replenishment_tables
import toteflow.central.store.shipping_tables
import toteflow.central.store.tables  # noqa: F401

config = context.config
connection = config.attributes.get("connection")


def _run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=SQLModel.metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    # Run from the alembic command line (developers): the URL comes from alembic.ini or -x url=.
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = create_engine(url or "sqlite:///toteflow-dev.db")
    with engine.begin() as conn:
        _run(conn)
