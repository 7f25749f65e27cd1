"""Cross-dock on SQLite and PostgreSQL: a receipt fills a backordered line at packing, once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.server.conftest import Site
from tests.server.test_putaway import RACKS, RECEIVER, clocked, confirm, receive, suggest
from tests.server.test_shipping_api import block, carton, close, sscc_of, statuses
from tests.server.test_sync_api import event, push
from tests.support.wave_floor import (
    add_locations,
    add_orders,
    add_product,
    add_stock,
    order,
    rows,
    stock_by_location,
)
from toteflow.central.store import tables as t
from toteflow.contracts import catalogue as cat
from toteflow.contracts import putaway as pa
from toteflow.contracts import waves as wv
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.put_back import CANCELLED_PICK
from toteflow.domain.roles import Role

PACK = "PACK-01"
BOSS = Actor(None, None, Role.SUPERVISOR, "supervisor")


@pytest.fixture
def dock(site: Site) -> Site:
    """Four empty rack locations near a dock, a packing location, products SKU-A and SKU-B."""
    services = site.parts.services
    add_locations(services, RACKS)
    services.catalogue.add_location(SYSTEM, cat.LocationCreate(code="DOCK-01", kind="dock"))
    services.catalogue.add_location(SYSTEM, cat.LocationCreate(code=PACK, kind="pack"))
    add_product(services, "SKU-A")  # 100 mm cube, 500 g
    add_product(services, "SKU-B")
    return site


def released_short(site: Site, reference: str, quantity: int) -> None:
    """Order `reference` for `quantity` of SKU-A released by hand with nothing allocated."""
    add_orders(site.parts.services, [order(reference, [("SKU-A", quantity)])])
    o = t.cols(t.Order)
    with site.parts.engine.begin() as connection:
        connection.execute(
            sa.update(t.table(t.Order)).where(o.reference == reference).values(status="released")
        )


def line_of(site: Site, reference: str) -> tuple[int, int, int]:
    """(quantity, allocated, picked) of the order's first line."""
    ln, o = t.cols(t.OrderLine), t.cols(t.Order)
    found = rows(
        site.parts.engine,
        sa.select(ln.quantity, ln.allocated, ln.picked)
        .join(t.table(t.Order), o.id == ln.order_id)
        .where(o.reference == reference)
        .order_by(ln.line_no),
    )
    return found[0].quantity, found[0].allocated, found[0].picked


def status_of(site: Site, reference: str) -> str:
    o = t.cols(t.Order)
    return str(rows(site.parts.engine, sa.select(o.status).where(o.reference == reference))[0][0])


def task_lines_of(site: Site, reference: str) -> list[Any]:
    tl, ln, o, loc = t.cols(t.TaskLine), t.cols(t.OrderLine), t.cols(t.Order), t.cols(t.Location)
    return rows(
        site.parts.engine,
        sa.select(tl.id, tl.task_id, loc.code, loc.kind, tl.quantity, tl.picked, tl.status)
        .join(t.table(t.OrderLine), ln.id == tl.order_line_id)
        .join(t.table(t.Order), o.id == ln.order_id)
        .join(t.table(t.Location), loc.id == tl.location_id)
        .where(o.reference == reference)
        .order_by(tl.id),
    )


def changes(site: Site, kind: str) -> list[dict[str, Any]]:
    reply = site.client.get("/api/v1/sync/changes", headers=site.station_headers())
    return [c for c in reply.json()["changes"] if c["kind"] == kind]


def test_a_backordered_line_gets_the_units_a_later_wave_does_not_and_the_order_packs(
    dock: Site,
) -> None:
    services = dock.parts.services
    add_stock(services, "01-002-3", "SKU-A", 2)
    add_orders(services, [order("SO-1", [("SKU-A", 5)])])
    wave = services.waves.create(BOSS, wv.WaveCreate(filters=wv.WaveFilters(carrier="UPS")))
    services.wave_release.release(BOSS, wave.id)  # partial: 2 reserved, 3 on backorder
    assert line_of(dock, "SO-1") == (5, 2, 0)
    assert status_of(dock, "SO-1") == "released"

    plate = receive(dock, 10)
    advice = suggest(dock, plate.code)
    assert [(c.order, c.quantity, c.location) for c in advice.cross_dock] == [("SO-1", 3, PACK)]
    done = confirm(dock, plate.code, PACK)
    assert (done.quantity, done.cross_dock_order, done.fallback) == (3, "SO-1", None)
    assert "cross-docked for order SO-1" in done.words
    assert (done.plate.remaining, done.plate.status) == (7, "putting_away")
    # Allocated to the line and counted as picked at packing: the shortfall is gone.
    assert line_of(dock, "SO-1") == (5, 5, 3)
    assert status_of(dock, "SO-1") == "picking"  # its shelf pick is still to do
    crossed = [r for r in task_lines_of(dock, "SO-1") if r.kind == "pack"]
    assert [(r.code, r.quantity, r.picked, r.status) for r in crossed] == [(PACK, 3, 3, "picked")]
    # Picked units are off the books of the place, as a pick's are: nothing there to allocate.
    assert stock_by_location(dock.parts.engine)[(PACK, "")] == (0, 0)
    # The line no longer waits: the next plate is not offered it.
    assert suggest(dock, receive(dock, 4).code).cross_dock == []
    rest = suggest(dock, plate.code)
    assert rest.cross_dock == []
    for leg in rest.legs:
        confirm(dock, plate.code, leg.location, quantity=leg.quantity)

    # A wave released afterwards takes the free stock on the racks, never SO-1's units.
    add_orders(services, [order("SO-2", [("SKU-A", 20)])])
    wave = services.waves.create(BOSS, wv.WaveCreate(filters=wv.WaveFilters(carrier="UPS")))
    services.wave_release.release(BOSS, wave.id)
    assert line_of(dock, "SO-1") == (5, 5, 3)
    so2 = task_lines_of(dock, "SO-2")
    assert {r.kind for r in so2} == {"reserve"}
    assert sum(r.quantity for r in so2) == 7  # the plate's rest; SO-1's shelf units stay its own
    assert line_of(dock, "SO-2") == (20, 7, 0)

    # The shelf pick, then the pack desk sees all five and packs them.
    shelf = next(r for r in task_lines_of(dock, "SO-1") if r.kind == "reserve")
    with dock.parts.engine.begin() as connection:
        connection.execute(
            sa.update(t.table(t.Task))
            .where(t.cols(t.Task).id == shelf.task_id)
            .values(status="in_progress")
        )
    reply = push(dock, event(1, "pick.confirmed", {"task_line_id": shelf.id, "quantity": 2}))
    assert statuses(reply) == ["applied"], reply.text
    assert status_of(dock, "SO-1") == "picked"
    packer = dock.login(Role.PACKER)
    pack = dock.client.get("/api/v1/shipping/pack-orders/SO-1", headers=packer).json()
    assert [(li["sku"], li["ordered"], li["picked"]) for li in pack["lines"]] == [("SKU-A", 5, 5)]
    assert pack["cross_docked"] == [{"sku": "SKU-A", "quantity": 3, "location": PACK}]
    assert pack["to_pick"] == []
    b = block(dock)
    key = str(uuid.uuid4())
    reply = push(
        dock,
        event(2, "carton.packed", carton(key, "SO-1", 1, sscc_of(b, 0), {"SKU-A": 5})),
        event(3, "shipment.closed", close(key, "SO-1", 1)),
    )
    assert statuses(reply) == ["applied", "applied"], reply.text
    assert status_of(dock, "SO-1") == "packed"

    # Audited on the order, and told to stations with the order as the pack desk sees it.
    audit = services.people.audit(BOSS, "order", "SO-1", "order.cross_docked", 0, 5).items
    assert [(e.detail["units"], e.detail["from"], e.detail["to"]) for e in audit] == [
        (3, "released", "picking")
    ]
    told = changes(dock, "order.cross_docked")
    assert [c["entity_id"] for c in told] == ["SO-1"]
    assert told[0]["payload"]["pack_order"]["cross_docked"][0]["quantity"] == 3


def test_a_cancelled_order_falls_back_to_a_normal_put_away(dock: Site) -> None:
    released_short(dock, "SO-1", 4)
    plate = receive(dock, 10)
    assert [c.quantity for c in suggest(dock, plate.code).cross_dock] == [4]
    dock.parts.services.orders.cancel(BOSS, "SO-1", "customer changed their mind")
    done = confirm(dock, plate.code, PACK)
    assert (done.quantity, done.cross_dock_order) == (0, None)
    assert done.fallback is not None
    assert "order SO-1 is cancelled now" in done.fallback
    assert "4 units stay on plate" in done.fallback  # the ones brought for it
    assert (done.plate.remaining, done.plate.status) == (10, "putting_away")
    stock = stock_by_location(dock.parts.engine)
    assert stock[("DOCK-01", "")] == (10, 0)
    assert stock.get((PACK, ""), (0, 0)) == (0, 0)
    assert line_of(dock, "SO-1") == (4, 0, 0)
    assert task_lines_of(dock, "SO-1") == []
    audit = dock.parts.services.people.audit(
        BOSS, "plate", plate.code, "putaway.cross_dock_fallback", 0, 5
    )
    assert len(audit.items) == 1
    # Asked again: a normal put-away, all of it.
    again = suggest(dock, plate.code)
    assert again.cross_dock == []
    assert sum(leg.quantity for leg in again.legs) == 10
    assert confirm(dock, plate.code, again.legs[0].location).plate.status == "stored"


def test_a_line_filled_meanwhile_takes_only_its_shortfall_from_a_pushed_confirmation(
    dock: Site,
) -> None:
    released_short(dock, "SO-1", 4)
    now = [datetime.now(UTC) - timedelta(hours=1)]
    service = clocked(dock, now)
    first, second = receive(dock, 3), receive(dock, 3)
    assert [c.quantity for c in suggest(dock, first.code, service).cross_dock] == [3]
    now[0] += timedelta(minutes=20)  # the first plate's promise lapsed: the line is offered again
    assert [c.quantity for c in suggest(dock, second.code, service).cross_dock] == [3]
    assert confirm(dock, first.code, PACK).quantity == 3
    reply = push(
        dock,
        event(1, "putaway.confirmed", {"plate": second.code, "location": PACK, "quantity": 3}),
    )
    result = reply.json()["results"][0]
    assert result["status"] == "applied", reply.text
    assert result["result"]["quantity"] == 1
    assert result["result"]["cross_dock_order"] == "SO-1"
    assert "short only 1 unit" in result["result"]["fallback"]
    assert line_of(dock, "SO-1") == (4, 4, 4)
    assert status_of(dock, "SO-1") == "picked"
    assert dock.parts.services.putaway.plate(RECEIVER, second.code).remaining == 2
    fe = t.cols(t.FloorException)
    kinds = rows(dock.parts.engine, sa.select(fe.kind, fe.status, fe.reason))
    assert [(k.kind, k.status) for k in kinds] == [("cross_dock_fallback", "open")]
    assert "2 units stay on plate" in kinds[0].reason


def confirm_at_once(
    dock: Site, plates: list[str], also: Callable[[], object] | None = None
) -> list[pa.Confirmed]:
    """Every plate confirmed at packing by its own receiver thread, released together (with
    `also` on one more thread); their answers, once none of them raised."""
    results: list[pa.Confirmed] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(plates) + (also is not None))

    def guarded(job: Callable[[], object]) -> None:
        start.wait()
        try:
            done = job()
        except BaseException as exc:
            with lock:
                errors.append(exc)
            return
        if isinstance(done, pa.Confirmed):
            with lock:
                results.append(done)

    def receiver(number: int, code: str) -> Callable[[], object]:
        actor = Actor(None, None, Role.PICKER, f"receiver {number}")
        request = pa.ConfirmRequest(plate=code, location=PACK, quantity=3)
        return lambda: dock.parts.services.putaway.confirm(actor, request)

    jobs = [receiver(n, c) for n, c in enumerate(plates)] + ([also] if also else [])
    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_receivers_cross_docking_to_one_line_at_once_never_over_allocate(dock: Site) -> None:
    """Six plates each promised the same line (each promise lapsed before the next), all
    confirmed at packing at once: the line gets exactly its shortfall, the rest falls back."""
    released_short(dock, "SO-1", 4)
    now = [datetime.now(UTC) - timedelta(hours=3)]
    service = clocked(dock, now)
    plates = [receive(dock, 3).code for _ in range(6)]
    for code in plates:
        assert [c.quantity for c in suggest(dock, code, service).cross_dock] == [3]
        now[0] += timedelta(minutes=20)
    results = confirm_at_once(dock, plates)
    assert sorted(r.quantity for r in results) == [0, 0, 0, 0, 1, 3]
    assert sum(1 for r in results if r.fallback) == 5
    assert line_of(dock, "SO-1") == (4, 4, 4)
    crossed = task_lines_of(dock, "SO-1")
    assert sum(r.picked for r in crossed) == 4
    stock = stock_by_location(dock.parts.engine)
    assert stock[("DOCK-01", "")] == (18 - 4, 0)
    assert stock[(PACK, "")] == (0, 0)
    print(
        f"\n{dock.parts.engine.dialect.name}: {len(plates)} cross-docks to one line at once, "
        f"{sum(r.quantity for r in results)} units given (short 4), 0 over-allocated"
    )


def test_a_cancel_racing_cross_docks_leaves_every_unit_accounted_for(dock: Site) -> None:
    """Three cross-docks to one line and the order's cancel, at once: whatever lands first,
    units given before the cancel become put-backs, those after fall back, none is lost."""
    released_short(dock, "SO-1", 4)
    now = [datetime.now(UTC) - timedelta(hours=2)]
    service = clocked(dock, now)
    plates = [receive(dock, 3).code for _ in range(3)]
    for code in plates:
        assert [c.quantity for c in suggest(dock, code, service).cross_dock] == [3]
        now[0] += timedelta(minutes=20)
    results = confirm_at_once(
        dock,
        plates,
        also=lambda: dock.parts.services.orders.cancel(BOSS, "SO-1", "customer cancelled"),
    )
    assert status_of(dock, "SO-1") == "cancelled"
    given = sum(r.quantity for r in results)
    assert given <= 4
    _, allocated, picked = line_of(dock, "SO-1")
    assert (allocated, picked) == (given, given)  # a cancel leaves allocated at what was picked
    fe = t.cols(t.FloorException)
    put_backs = rows(dock.parts.engine, sa.select(fe.detail).where(fe.kind == CANCELLED_PICK))
    assert sum(p.detail["quantity"] for p in put_backs) == given
    assert all(r.fallback for r in results if r.quantity < 3)
    assert stock_by_location(dock.parts.engine)[("DOCK-01", "")] == (9 - given, 0)
    print(f"\n{dock.parts.engine.dialect.name}: {given} units cross-docked before the cancel")
