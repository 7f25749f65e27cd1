"""Alembic environment of the station store: its own metadata, never the central tables."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

# Importing the pack, receiving and stock tables registers them on the station metadata too.
import toteflow.station.store.packing_tables
import toteflow.station.store.receiving_tables
import toteflow.station.store.replen_tables
import toteflow.station.store.stock_tables  # noqa: F401
from toteflow.station.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")


def _run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    # From the alembic command line (developers): -x url=sqlite:///station-dev.db.
    url = context.get_x_argument(as_dictionary=True).get("url") or "sqlite:///station-dev.db"
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
