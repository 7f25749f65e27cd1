"""The stock-move ledger on SQLite and PostgreSQL: every path that moves stock writes its row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.server.conftest import Site
from tests.server.test_putaway import FACE, RACKS, RECEIVER, confirm, dock, receive, suggest
from tests.server.test_sync_api import cancelled_after_a_pick, event, push, put_back_cancelled
from tests.support.floor import released_task
from tests.support.wave_floor import add_locations, add_orders, add_product, order
from toteflow.central.bootstrap import build_importer
from toteflow.central.store import tables as t
from toteflow.central.store.counts_tables import StockMove
from toteflow.contracts import catalogue as cat
from toteflow.contracts import putaway as pa
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role

__all__ = ["dock"]  # the put-away tests' fixture, used here too
PAST = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def ledger(site: Site) -> list[tuple[str, str, int, str, str]]:
    """(location, SKU, delta, kind, reference) of every ledger row, in the order written."""
    m, loc, p = t.cols(StockMove), t.cols(t.Location), t.cols(t.Product)
    with site.parts.engine.connect() as connection:
        found = connection.execute(
            sa.select(loc.code, p.sku, m.delta, m.kind, m.reference)
            .join(t.table(t.Location), loc.id == m.location_id)
            .join(t.table(t.Product), p.id == m.product_id)
            .order_by(m.id)
        ).all()
    return [tuple(row) for row in found]  # type: ignore[misc]


def moments(site: Site) -> list[tuple[datetime, datetime]]:
    m = t.cols(StockMove)
    with site.parts.engine.connect() as connection:
        found = connection.execute(sa.select(m.at, m.posted_at).order_by(m.id)).all()
    return [(_utc(a), _utc(b)) for a, b in found]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sums_match_the_stock(site: Site, start: dict[int, int] | None = None) -> None:
    """For every stock row, its quantity is where it started plus its ledger's deltas."""
    s, m = t.cols(t.Stock), t.cols(StockMove)
    with site.parts.engine.connect() as connection:
        quantities = dict(connection.execute(sa.select(s.id, s.quantity)).all())
        moved = dict(
            connection.execute(
                sa.select(m.stock_id, sa.func.sum(m.delta)).group_by(m.stock_id)
            ).all()
        )
    begun = start or {}
    assert {sid: q - begun.get(sid, 0) for sid, q in quantities.items() if sid in moved} == {
        sid: int(d) for sid, d in moved.items()
    }


def test_an_adjustment_through_the_api_is_a_ledger_row_at_the_servers_time(site: Site) -> None:
    services = site.parts.services
    add_locations(services, ["01-001-1"])
    add_product(services, "SKU-L")
    supervisor = site.login(Role.SUPERVISOR)
    for delta, reason in ((12, "found"), (-2, "damaged")):
        reply = site.client.post(
            "/api/v1/stock/adjustments",
            json={
                "location": "01-001-1",
                "sku": "SKU-L",
                "delta": delta,
                "reason": reason,
                "note": "shelf check",
            },
            headers=supervisor,
        )
        assert reply.status_code == 201, reply.text
    # A refused adjustment (below zero) writes no row.
    refused = site.client.post(
        "/api/v1/stock/adjustments",
        json={"location": "01-001-1", "sku": "SKU-L", "delta": -50, "reason": "lost"},
        headers=supervisor,
    )
    assert refused.status_code == 409
    assert ledger(site) == [
        ("01-001-1", "SKU-L", 12, "found", "shelf check"),
        ("01-001-1", "SKU-L", -2, "damaged", "shelf check"),
    ]
    assert all(at <= posted for at, posted in moments(site))
    sums_match_the_stock(site)


def test_picks_and_undos_are_dated_by_the_station_event(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    pick = {
        **event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 3}),
        "station_time": PAST.isoformat(),
    }
    undo = event(2, "pick.undone", {"task_line_id": work.task_line_id, "quantity": 1})
    late = event(3, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 99})
    results = push(site, pick, undo, late).json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected"]
    assert ledger(site) == [
        ("01-001-1", "SKU-T1", -3, "pick", pick["id"]),
        ("01-001-1", "SKU-T1", 1, "pick_undone", undo["id"]),
    ]
    first, _second = moments(site)
    assert first[0] == PAST
    assert first[1] > PAST
    # A retried push writes nothing again.
    push(site, pick, undo)
    assert len(ledger(site)) == 2
    sums_match_the_stock(site, {work.stock_id: 10})


def test_a_put_back_moves_off_one_shelf_onto_another(site: Site) -> None:
    work, found = cancelled_after_a_pick(site)
    assert (
        push(site, put_back_cancelled(3, work, found["id"], "01-002-1")).json()["results"][0][
            "status"
        ]
        == "applied"
    )
    rows = ledger(site)
    assert rows[0][:4] == ("01-001-1", "SKU-T1", -3, "pick")
    # A cancelled pick's units are off the books: they come back where they are put.
    assert rows[1][:4] == ("01-002-1", "SKU-T1", 3, "put_back")


def test_receiving_put_away_and_cross_dock_write_their_rows(dock: Site) -> None:
    services = dock.parts.services
    services.catalogue.add_location(SYSTEM, cat.LocationCreate(code="PACK-01", kind="pack"))
    add_orders(services, [order("SO-1", [("SKU-A", 4)])])
    with dock.parts.engine.begin() as connection:
        connection.execute(sa.update(t.table(t.Order)).values(status="released"))
    plate = receive(dock, 10)
    suggest(dock, plate.code)
    confirm(dock, plate.code, "PACK-01")
    rack = confirm(dock, plate.code, RACKS[0])
    assert rack.quantity == 6
    kinds = [(loc, delta, kind) for loc, _sku, delta, kind, _ref in ledger(dock)]
    assert kinds == [
        ("DOCK-01", 10, "received"),
        ("DOCK-01", -4, "putaway"),
        ("PACK-01", 4, "putaway"),
        ("PACK-01", -4, "cross_dock"),
        ("DOCK-01", -6, "putaway"),
        (RACKS[0], 6, "putaway"),
    ]
    sums_match_the_stock(dock)
    assert FACE not in {row[0] for row in ledger(dock)}
    assert RECEIVER.role == Role.PICKER


def test_a_stock_import_writes_one_row_per_changed_position(site: Site, tmp_path: Path) -> None:
    services = site.parts.services
    add_locations(services, ["01-001-1", "01-001-2"])
    add_product(services, "SKU-I")
    counts = tmp_path / "counts.csv"
    counts.write_text("location,sku,quantity\n01-001-1,SKU-I,40\n01-001-2,SKU-I,5\n")
    importer = build_importer(site.parts.engine)
    assert importer.run(SYSTEM, "stock", counts).imported == 2
    counts.write_text("location,sku,quantity\n01-001-1,SKU-I,35\n01-001-2,SKU-I,5\n")
    assert importer.run(SYSTEM, "stock", counts).imported == 1
    rows: list[Any] = [(loc, delta, kind) for loc, _s, delta, kind, _r in ledger(site)]
    assert rows == [
        ("01-001-1", 40, "import"),
        ("01-001-2", 5, "import"),
        ("01-001-1", -5, "import"),
    ]
    sums_match_the_stock(site)


def test_held_stock_rejected_leaves_the_books_with_a_ledger_row(dock: Site) -> None:
    putaway = dock.parts.services.putaway
    plate = receive(dock, 4, location="QUAR-01", hold="damaged on receipt")
    putaway.reject(SYSTEM, plate.code, pa.RejectRequest(reason="crushed", disposition="scrap"))
    assert [(loc, delta, kind) for loc, _s, delta, kind, _r in ledger(dock)] == [
        ("QUAR-01", 4, "received"),
        ("QUAR-01", -4, "rejected"),
    ]
    sums_match_the_stock(dock)
