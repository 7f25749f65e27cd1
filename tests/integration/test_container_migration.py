"""Migration 0005 brings totes and carts in live work into the registry as they are, and tells
the stations the whole registry through the change feed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa

from tests.conftest import Database
from toteflow.central.store import migrate
from toteflow.central.store import tables as t
from toteflow.central.store.engine import make_engine


def _order(connection: sa.Connection, reference: str, status: str) -> int:
    return int(
        connection.execute(
            sa.insert(t.table(t.Order))
            .values(
                reference=reference,
                customer_name="C",
                ship_name="C",
                ship_line1="1 St",
                ship_city="X",
                ship_postal_code="1",
                ship_country="GB",
                carrier="dpd",
                service="next-day",
                ship_by=date(2026, 12, 4),
                status=status,
            )
            .returning(t.cols(t.Order).id)
        ).scalar_one()
    )


def _task(connection: sa.Connection, status: str, cart: str | None = None) -> int:
    return int(
        connection.execute(
            sa.insert(t.table(t.Task))
            .values(kind="cart", status=status, cart_code=cart, slots=1)
            .returning(t.cols(t.Task).id)
        ).scalar_one()
    )


def _slot(
    connection: sa.Connection, task: int, slot: int, order: int, tote: str, **values: Any
) -> None:
    connection.execute(
        sa.insert(t.table(t.TaskContainer)).values(
            task_id=task, slot=slot, order_id=order, tote_code=tote, **values
        )
    )


def test_live_totes_and_carts_come_into_the_registry_and_the_feed(database: Database) -> None:
    engine = make_engine(database.url, schema=database.schema)
    try:
        migrate.upgrade(engine, "0003")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO cart (code, slots, max_volume_l, max_weight_kg) "
                    "VALUES ('C0001', 8, 400, 150)"
                )
            )
            connection.execute(sa.text("INSERT INTO tote (code, volume_l) VALUES ('T000001', 50)"))
            picking = _order(connection, "SO-1", "picking")
            picked = _order(connection, "SO-2", "picked")
            packed = _order(connection, "SO-3", "packed")
            live = _task(connection, "in_progress", cart="C0001")
            done = _task(connection, "done")
            _slot(connection, live, 1, picking, "T000001")
            _slot(connection, done, 1, picked, "T000777", status="closed", destination="zone B")
            _slot(connection, done, 2, packed, "T000778", status="closed", destination="pack")
        migrate.upgrade(engine)
        with engine.connect() as connection:
            totes = {
                row.code: (row.state, row.task_id, row.order_id, row.destination)
                for row in connection.execute(
                    sa.text("SELECT code, state, task_id, order_id, destination FROM tote")
                )
            }
            cart = connection.execute(sa.text("SELECT state, task_id FROM cart")).one()
            changes = connection.execute(
                sa.text("SELECT kind, payload FROM change ORDER BY seq")
            ).all()
        assert totes == {
            "T000001": ("in_task", live, picking, ""),
            "T000777": ("travelling", done, picked, "zone B"),
        }
        assert tuple(cart) == ("in_task", live)
        assert [kind for kind, _ in changes] == ["containers.updated"]
        payload = changes[0][1]
        records = (payload if isinstance(payload, dict) else json.loads(payload))["containers"]
        assert [(r["kind"], r["code"], r["state"]) for r in records] == [
            ("cart", "C0001", "in_task"),
            ("tote", "T000001", "in_task"),
            ("tote", "T000777", "travelling"),
        ]
        assert records[2]["order_reference"] == "SO-2"
    finally:
        engine.dispose()
