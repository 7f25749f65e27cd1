"""Waves through the API and the service on SQLite and PostgreSQL, release to reassignment."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.server.conftest import BADGES, PINS, Site
from tests.support.wave_floor import (
    LAYOUT,
    TODAY,
    add_locations,
    add_orders,
    add_product,
    add_stock,
    check_reservations,
    order,
    order_states,
    rows,
    stock_by_location,
)
from toteflow.central.services.waves import WaveServices, wave_services
from toteflow.central.store import tables as t
from toteflow.contracts import waves as wv
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.allocation import ShortagePolicy
from toteflow.domain.batching import tour, zone_layout
from toteflow.domain.layout import LocationCode
from toteflow.domain.roles import Role

API = "/api/v1"
BOSS = Actor(None, None, Role.SUPERVISOR, "supervisor")


@pytest.fixture
def floor(site: Site) -> Site:
    """Six products in four zones; SKU-B's face is low (reserve behind it), SKU-E runs short."""
    services = site.parts.services
    add_locations(
        services,
        [
            "02-005-1",
            "05-030-1",
            "05-030-3",
            "08-012-1",
            "12-003-1",
            "12-003-3",
            "17-025-2",
            "19-038-1",
            "20-040-1",
        ],
    )
    for sku in ("SKU-A", "SKU-B", "SKU-D", "SKU-E", "SKU-F"):
        add_product(services, sku)
    add_product(services, "SKU-C", expiry_tracked=True)
    add_stock(services, "02-005-1", "SKU-A", 20)
    add_stock(services, "05-030-1", "SKU-B", 3)
    add_stock(services, "05-030-3", "SKU-B", 50, received_ago=90)
    # FEFO among the faces: L30 expires first though received last; the reserve row expires
    # sooner still but faces come first.
    add_stock(services, "08-012-1", "SKU-C", 5, expiry_in=100, received_ago=20, lot="L100")
    add_stock(services, "08-012-1", "SKU-C", 5, expiry_in=30, received_ago=1, lot="L30")
    add_stock(services, "12-003-3", "SKU-C", 100, expiry_in=10, received_ago=50, lot="L10")
    add_stock(services, "17-025-2", "SKU-D", 10)
    add_stock(services, "19-038-1", "SKU-E", 2)
    add_orders(
        services,
        [
            order("SO-1", [("SKU-A", 1)]),
            order("SO-2", [("SKU-B", 5)], priority=3),
            order("SO-3", [("SKU-C", 4)]),
            order("SO-4", [("SKU-D", 1), ("SKU-E", 5)]),
            order("SO-5", [("SKU-A", 2), ("SKU-D", 2)], carrier="FEDEX", service="HOME"),
            order("SO-6", [("SKU-F", 1)]),  # nothing in stock at all
        ],
    )
    return site


def supervisor(site: Site) -> dict[str, str]:
    return site.login(Role.SUPERVISOR)


def create(site: Site, body: dict[str, Any]) -> dict[str, Any]:
    reply = site.client.post(f"{API}/waves", json=body, headers=supervisor(site))
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def release(site: Site, wave_id: int) -> dict[str, Any]:
    reply = site.client.post(f"{API}/waves/{wave_id}/release", headers=supervisor(site))
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def task_lines(site: Site) -> list[Any]:
    tl, loc, ol, o = t.cols(t.TaskLine), t.cols(t.Location), t.cols(t.OrderLine), t.cols(t.Order)
    return rows(
        site.parts.engine,
        sa.select(tl.task_id, tl.stop_no, tl.quantity, tl.lot, tl.status, loc.code, o.reference)
        .join(t.table(t.Location), loc.id == tl.location_id)
        .join(t.table(t.OrderLine), ol.id == tl.order_line_id)
        .join(t.table(t.Order), o.id == ol.order_id)
        .order_by(tl.task_id, tl.stop_no),
    )


def service(site: Site, **policy: Any) -> WaveServices:
    """The site's wave use cases with another policy or clock."""
    base = site.parts.services.waves
    clock = policy.pop("clock", base.planner.clock)
    return wave_services(
        base.uow,
        lambda: LAYOUT,
        base.templates(BOSS),
        replace(base.planner.policy, **policy),
        clock=clock,
    )


def event(seq: int, type_: str, payload: dict[str, Any], user_id: int = 1) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "user_id": user_id,
        "type": type_,
        "payload": payload,
        "station_time": datetime.now(UTC).isoformat(),
    }


def push(site: Site, *events: dict[str, Any]) -> list[dict[str, Any]]:
    reply = site.client.post(
        f"{API}/sync/push",
        json={"station_id": site.station_id, "events": list(events)},
        headers=site.station_headers(),
    )
    assert reply.status_code == 200, reply.text
    return list(reply.json()["results"])


def picker_id_of(site: Site, headers: dict[str, str]) -> int:
    return int(site.client.get(f"{API}/auth/me", headers=headers).json()["id"])


def pickers(site: Site, headers: dict[str, str]) -> list[dict[str, Any]]:
    reply = site.client.get(f"{API}/pickers", headers=headers)
    assert reply.status_code == 200, reply.text
    return list(reply.json())


def feed(site: Site) -> list[dict[str, Any]]:
    reply = site.client.get(f"{API}/sync/changes", headers=site.station_headers())
    return list(reply.json()["changes"])


# ---------------------------------------------------------------------------------------------


def test_templates_and_the_order_pool(floor: Site) -> None:
    headers = floor.login(Role.PICKER)
    names = [t["name"] for t in floor.client.get(f"{API}/waves/templates", headers=headers).json()]
    assert "ups-ground-1500" in names
    pool = floor.client.get(f"{API}/waves/pool", headers=headers).json()
    assert (pool["waiting"], pool["orders"], pool["left_out"]) == (6, 6, [])
    ups = next(g for g in pool["groups"] if g["carrier"] == "UPS")
    assert (ups["orders"], ups["lines"], ups["units"]) == (5, 6, 17)
    assert (ups["single_unit"], ups["single_line"], ups["multi_line"]) == (2, 4, 1)


def test_the_profile_narrows_the_pool(floor: Site) -> None:
    headers = floor.login(Role.PICKER)
    reply = floor.client.get(f"{API}/waves/pool", params={"profile": "multi_line"}, headers=headers)
    assert reply.status_code == 200, reply.text
    pool = reply.json()
    # SO-4 (UPS) and SO-5 (FEDEX) have two lines; the four one-line orders are left out.
    assert [(g["carrier"], g["orders"], g["lines"]) for g in pool["groups"]] == [
        ("FEDEX", 1, 2),
        ("UPS", 1, 2),
    ]
    assert (pool["waiting"], pool["orders"], pool["lines"], pool["units"]) == (6, 2, 4, 10)
    assert pool["left_out"] == [{"filter": "profile", "words": "profile multi line", "orders": 4}]
    both = floor.client.get(
        f"{API}/waves/pool", params={"carrier": "UPS", "priorities": [1, 3]}, headers=headers
    ).json()
    assert [(o["filter"], o["orders"]) for o in both["left_out"]] == [
        ("carrier", 1),
        ("priorities", 4),
    ]
    assert both["orders"] == 1  # SO-2, priority 3


def test_the_pool_refuses_what_is_not_a_filter(floor: Site) -> None:
    headers = floor.login(Role.PICKER)
    for params, field in (
        ({"max_lines": "0"}, "max_lines"),
        ({"profile": "fragile"}, "profile"),
        ({"priorities": "12"}, "priorities"),
        ({"cutoff": "25:00"}, "cutoff"),
        ({"colour": "red"}, "colour"),
    ):
        reply = floor.client.get(f"{API}/waves/pool", params=params, headers=headers)
        assert reply.status_code == 422, (params, reply.text)
        assert field in reply.text


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"carrier": "UPS"},
        {"profile": "single_line", "max_orders": 2},
        {"priorities": [5], "zones": ["A", "D"]},
        {"profile": "multi_line", "max_lines": 3},
    ],
)
def test_the_pool_and_the_preview_agree(floor: Site, filters: dict[str, Any]) -> None:
    boss = supervisor(floor)
    pool = floor.client.get(f"{API}/waves/pool", params=filters, headers=boss).json()
    reply = floor.client.post(f"{API}/waves/preview", json={"filters": filters}, headers=boss)
    assert reply.status_code == 200, reply.text
    preview = reply.json()
    assert (preview["waiting"], preview["matched"]) == (pool["waiting"], pool["orders"])
    assert preview["left_out"] == pool["left_out"]
    # What the filters take and the preview does not release, it names: nothing reservable.
    taken = preview["orders"] + len(preview["orders_left"]) + len(preview["orders_cancelled"])
    assert taken == pool["orders"]
    assert pool["waiting"] - pool["orders"] == sum(o["orders"] for o in pool["left_out"])


def test_a_maximum_skips_an_order_that_does_not_fit_and_takes_the_next(floor: Site) -> None:
    add_orders(
        floor.parts.services,
        [
            order(
                "SO-BIG",
                [(sku, 1) for sku in ("SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E", "SKU-F")],
                priority=1,
            )
        ],
    )
    boss = supervisor(floor)
    filters = {"profile": "multi_line", "max_lines": 5}
    preview = floor.client.post(f"{API}/waves/preview", json={"filters": filters}, headers=boss)
    figures = preview.json()
    # SO-BIG comes first but has six lines: skipped; SO-4 and SO-5 (two each) fit.
    assert (figures["orders"], figures["matched"]) == (2, 2), figures
    assert [(o["filter"], o["orders"]) for o in figures["left_out"]] == [
        ("profile", 4),
        ("max_lines", 1),
    ]
    two = floor.client.post(
        f"{API}/waves/preview", json={"filters": {"max_orders": 2}}, headers=boss
    ).json()
    assert two["left_out"] == [{"filter": "max_orders", "words": "max orders 2", "orders": 5}]


def test_a_wave_nothing_matches_is_not_created(floor: Site) -> None:
    boss = supervisor(floor)
    reply = floor.client.post(f"{API}/waves", json={"filters": {"carrier": "DHL"}}, headers=boss)
    assert reply.status_code == 409, reply.text
    assert reply.json()["detail"] == (
        "none of the 6 waiting orders matches these filters (carrier DHL leaves out 6): "
        "no wave was created"
    )
    both = floor.client.post(
        f"{API}/waves",
        json={"name": "multi-fedex", "filters": {"carrier": "FEDEX", "profile": "single_line"}},
        headers=boss,
    )
    assert both.status_code == 409
    assert "carrier FEDEX leaves out 5, profile single line leaves out 1" in both.text
    assert floor.client.get(f"{API}/waves", headers=boss).json()["total"] == 0


def test_preview_changes_nothing_and_release_makes_routed_tasks(floor: Site) -> None:
    wave = create(floor, {"name": "ups-now", "filters": {"carrier": "UPS"}, "strategy": "cart"})
    assert (wave["status"], wave["strategy"], wave["cart"]["slots"]) == ("planned", "cart", 8)
    preview = floor.client.get(f"{API}/waves/{wave['id']}/preview", headers=supervisor(floor))
    assert preview.status_code == 200, preview.text
    figures = preview.json()
    # SO-6 has nothing in stock: it stays in the pool; SO-4 goes with 2 of its 5 SKU-E.
    assert figures["orders"] == 4
    assert figures["orders_left"] == ["SO-6"]
    assert figures["units"] == 1 + 5 + 4 + 1 + 2
    assert sorted(
        (s["order_reference"], s["sku"], s["missing"], s["action"]) for s in figures["shortages"]
    ) == [
        ("SO-4", "SKU-E", 3, "backorder"),
        ("SO-6", "SKU-F", 1, "order_waits"),
    ]
    assert {z["zone"] for z in figures["zones"]} == {"A", "B", "D"}
    assert (figures["tasks"], figures["carts"], figures["totes"]) == (1, 1, 4)
    assert figures["distance_m"] > 0
    assert figures["pick_seconds"] == pytest.approx(
        figures["walking_seconds"] + figures["picking_seconds"]
    )
    assert order_states(floor.parts.engine)["SO-1"] == "received"
    assert all(reserved == 0 for _, reserved in stock_by_location(floor.parts.engine).values())

    released = release(floor, wave["id"])
    assert released["wave"]["status"] == "released"
    assert released["result"]["orders"] == 4
    assert len(released["task_ids"]) == 1
    states = order_states(floor.parts.engine)
    assert [states[r] for r in ("SO-1", "SO-2", "SO-3", "SO-4", "SO-5", "SO-6")] == [
        "released",
        "released",
        "released",
        "released",
        "received",
        "received",
    ]
    stock = stock_by_location(floor.parts.engine)
    assert stock[("05-030-1", "")] == (3, 3)  # the face first ...
    assert stock[("05-030-3", "")] == (50, 2)  # ... then reserve for the rest
    assert stock[("08-012-1", "L30")] == (5, 4)  # FEFO among the faces
    assert stock[("08-012-1", "L100")] == (5, 0)
    assert stock[("12-003-3", "L10")] == (100, 0)  # reserve, though it expires first
    assert stock[("19-038-1", "")] == (2, 2)
    check_reservations(floor.parts.engine)

    lines = task_lines(floor)
    assert [line.stop_no for line in lines] == list(range(1, len(lines) + 1))
    stops = list(dict.fromkeys((int(ln.code[:2]), int(ln.code[3:6])) for ln in lines))
    walked = tour(LAYOUT, stops)
    assert stops == list(walked.stops) or stops == list(reversed(walked.stops))
    task = floor.client.get(
        f"{API}/tasks/{released['task_ids'][0]}", headers=supervisor(floor)
    ).json()
    assert task["kind"] == "cart"
    assert task["wave"] == "ups-now"
    assert task["distance_m"] == pytest.approx(walked.distance_m, abs=0.01)
    assert sorted(c["order_reference"] for c in task["containers"]) == [
        "SO-1",
        "SO-2",
        "SO-3",
        "SO-4",
    ]
    with floor.parts.engine.connect() as connection:
        ol = t.cols(t.OrderLine)
        allocated = {r.id: r.allocated for r in connection.execute(sa.select(ol.id, ol.allocated))}
    assert sorted(allocated.values()) == [0, 0, 0, 1, 1, 2, 4, 5]


def test_discrete_and_zone_strategies(floor: Site) -> None:
    discrete = release(
        floor, create(floor, {"filters": {"carrier": "UPS"}, "strategy": "discrete"})["id"]
    )
    assert discrete["result"]["tasks"] == 4
    assert discrete["result"]["carts"] == 0
    zone = release(
        floor, create(floor, {"filters": {"carrier": "FEDEX"}, "strategy": "zone"})["id"]
    )
    # SO-5 picks in zone A (aisle 2) and zone D (aisle 17): one task per zone, one tote.
    tasks = [
        floor.client.get(f"{API}/tasks/{i}", headers=supervisor(floor)).json()
        for i in zone["task_ids"]
    ]
    assert sorted(task["zone"] for task in tasks) == ["A", "D"]
    for task in tasks:
        assert {line["zone"] for line in task["lines"]} == {task["zone"]}
        stops = [LocationCode.parse(line["location"]) for line in task["lines"]]
        walked = tour(zone_layout(LAYOUT, task["zone"]), [(s.aisle, s.bay) for s in stops])
        assert task["distance_m"] == pytest.approx(walked.distance_m, abs=0.01)
    check_reservations(floor.parts.engine)


def test_refusals_name_what_is_wrong(floor: Site) -> None:
    boss = supervisor(floor)
    unknown = floor.client.post(f"{API}/waves", json={"template": "nope"}, headers=boss)
    assert unknown.status_code == 404
    assert "no wave template nope" in unknown.json()["detail"]
    assert floor.client.get(f"{API}/waves/999999", headers=boss).status_code == 404
    # A wave whose orders another wave took meanwhile has nothing left to release.
    empty = create(floor, {"filters": {"carrier": "FEDEX"}})
    release(floor, create(floor, {"name": "fedex-first", "filters": {"carrier": "FEDEX"}})["id"])
    refused = floor.client.post(f"{API}/waves/{empty['id']}/release", headers=boss)
    assert refused.status_code == 409
    assert refused.json()["detail"].endswith(
        "no received order matches its filters, carrier FEDEX leaves out 5"
    )
    assert (
        floor.client.get(f"{API}/waves/{empty['id']}", headers=boss).json()["status"] == "planned"
    )
    wave = create(floor, {"name": "once", "filters": {"carrier": "UPS"}})
    duplicate = floor.client.post(f"{API}/waves", json={"name": "once"}, headers=boss)
    assert duplicate.status_code == 409
    release(floor, wave["id"])
    again = floor.client.post(f"{API}/waves/{wave['id']}/release", headers=boss)
    assert again.status_code == 409
    assert again.json()["detail"] == "wave once is released: only a planned wave is released"
    assert floor.client.get(f"{API}/waves/{wave['id']}/preview", headers=boss).status_code == 409
    listed = floor.client.get(f"{API}/waves", params={"status": "released"}, headers=boss).json()
    assert [w["name"] for w in listed["items"]] == ["once", "fedex-first"]
    assert listed["items"][0]["orders"] == 4


def test_a_release_whose_routing_fails_changes_nothing(floor: Site) -> None:
    """The reservations are written while the carts are routed: a failure undoes them too."""
    routed: list[int] = []
    written = threading.Event()
    waves = service(floor)
    reserve = waves.release._reserve

    def reserving(*args: Any) -> None:
        reserve(*args)
        written.set()

    def broken(layout: Any, stop_lists: Any) -> Any:
        # Fails only once the reservations are written in the release's transaction.
        assert written.wait(timeout=30)
        routed.append(len(stop_lists))
        raise RuntimeError("no route today")

    waves.release._reserve = reserving  # type: ignore[method-assign]
    waves.planner.router = broken
    wave = waves.building.create(BOSS, wv.WaveCreate(filters=wv.WaveFilters(carrier="UPS")))
    with pytest.raises(RuntimeError, match="no route today"):
        waves.release.release(BOSS, wave.id)
    assert routed == [1]  # it got as far as routing the one cart
    assert waves.building.get(BOSS, wave.id).status == "planned"
    assert set(order_states(floor.parts.engine).values()) == {"received"}
    assert all(reserved == 0 for _, reserved in stock_by_location(floor.parts.engine).values())
    ol = t.cols(t.OrderLine)
    assert rows(floor.parts.engine, sa.select(ol.id).where(ol.allocated > 0)) == []
    assert task_lines(floor) == []
    # Routing again, the same wave releases.
    waves.planner.router = floor.parts.services.waves.planner.router
    assert waves.release.release(BOSS, wave.id).result.orders == 4


@pytest.mark.parametrize("policy", list(ShortagePolicy))
def test_shortage_policies(floor: Site, policy: ShortagePolicy) -> None:
    waves = service(floor, shortage_policy=policy)
    wave = waves.building.create(BOSS, wv.WaveCreate(filters=wv.WaveFilters(carrier="UPS")))
    result = waves.release.release(BOSS, wave.id).result
    states = order_states(floor.parts.engine)
    stock = stock_by_location(floor.parts.engine)
    exceptions = {
        (e.order_reference, e.detail["sku"]): e
        for e in waves.exceptions.find(BOSS, None, "shortage", 0, 50).items
    }
    short_e = exceptions[("SO-4", "SKU-E")]
    assert short_e.detail["missing"] == 3
    if policy == ShortagePolicy.PARTIAL:
        assert states["SO-4"] == "released"
        assert states["SO-6"] == "received"
        assert stock[("19-038-1", "")] == (2, 2)
        assert short_e.status == "open"
        assert "backorder" in short_e.reason
    elif policy == ShortagePolicy.WAIT:
        assert states["SO-4"] == "received"
        assert result.orders_left == ["SO-4", "SO-6"]
        # Nothing is held back for a waiting order: its SKU-D and SKU-E stay free.
        assert stock[("17-025-2", "")] == (10, 0)
        assert stock[("19-038-1", "")] == (2, 0)
        assert short_e.status == "open"
    else:
        assert states["SO-4"] == "released"
        assert states["SO-6"] == "cancelled"
        assert result.orders_cancelled == ["SO-6"]
        ol, o = t.cols(t.OrderLine), t.cols(t.Order)
        quantities = rows(
            floor.parts.engine,
            sa.select(o.reference, ol.line_no, ol.quantity)
            .join(t.table(t.Order), o.id == ol.order_id)
            .where(o.reference == "SO-4")
            .order_by(ol.line_no),
        )
        assert [(r.line_no, r.quantity) for r in quantities] == [(1, 1), (2, 2)]
        assert short_e.status == "resolved"
    check_reservations(floor.parts.engine)


def test_cutoff_profile_zone_and_size_filters(floor: Site) -> None:
    add_orders(
        floor.parts.services,
        [
            order("SO-T1", [("SKU-A", 1)], ship_by=TODAY + timedelta(days=1)),
            order("SO-T2", [("SKU-D", 1)], ship_by=TODAY + timedelta(days=1), priority=1),
        ],
    )
    local = datetime.now().astimezone().tzinfo
    morning = datetime.combine(TODAY, time(9, 0), tzinfo=local)
    evening = datetime.combine(TODAY, time(18, 0), tzinfo=local)
    cutoff = wv.WaveFilters(carrier="UPS", service="GROUND", cutoff="15:00")

    def preview(at: datetime, filters: wv.WaveFilters) -> wv.WavePreview:
        return service(floor, clock=lambda: at).building.preview_spec(
            BOSS, wv.WaveCreate(filters=filters)
        )

    before = preview(morning, cutoff)
    assert before.cutoff_at == datetime.combine(TODAY, time(15, 0), tzinfo=local)
    assert before.orders == 4  # today's UPS ground orders that can be reserved
    after = preview(evening, cutoff)
    assert after.cutoff_at == datetime.combine(TODAY + timedelta(days=1), time(15, 0), tzinfo=local)
    assert after.orders == 6  # tomorrow's pick-up takes tomorrow's orders too

    singles = preview(morning, wv.WaveFilters(profile="single_unit"))
    assert singles.orders == 3  # SO-1, SO-T1, SO-T2 (SO-6 has no stock)
    multi = preview(morning, wv.WaveFilters(profile="multi_line"))
    assert multi.orders == 2  # SO-4 and SO-5
    urgent = preview(morning, wv.WaveFilters(priorities=[1, 3]))
    assert urgent.orders == 2  # SO-T2 and SO-2
    first_two = preview(morning, wv.WaveFilters(max_orders=2))
    assert first_two.orders == 2
    assert first_two.units == 1 + 5  # the most urgent first: SO-T2, then SO-2
    few_lines = preview(morning, wv.WaveFilters(max_lines=3))
    assert few_lines.lines == 3
    zone_d = preview(morning, wv.WaveFilters(zones=["D"]))
    assert zone_d.orders == 2  # SO-T2 and SO-4: SKU-D and SKU-E are both in aisles 16-20
    assert [z.zone for z in zone_d.zones] == ["D"]


def test_hold_stops_hand_out_and_resume_restores_it(floor: Site) -> None:
    wave = create(floor, {"filters": {"carrier": "UPS"}, "strategy": "discrete"})
    release(floor, wave["id"])
    picker = floor.login(Role.PICKER)
    boss = supervisor(floor)
    taken = floor.client.post(f"{API}/tasks/next", headers=picker)
    assert taken.status_code == 200
    held = floor.client.post(
        f"{API}/waves/{wave['id']}/hold", json={"reason": "dock full"}, headers=boss
    )
    assert held.json()["status"] == "on_hold"
    assert floor.client.post(f"{API}/tasks/next", headers=picker).status_code == 204
    # The task already in hand carries on.
    assert (
        floor.client.get(f"{API}/tasks/{taken.json()['id']}", headers=boss).json()["status"]
        == "assigned"
    )
    refused = floor.client.post(
        f"{API}/waves/{wave['id']}/hold", json={"reason": "x"}, headers=boss
    )
    assert refused.status_code == 409
    resumed = floor.client.post(f"{API}/waves/{wave['id']}/resume", headers=boss)
    assert resumed.json()["status"] == "released"
    assert floor.client.post(f"{API}/tasks/next", headers=picker).status_code == 200


def test_cancel_returns_unpicked_orders_and_frees_their_stock(floor: Site) -> None:
    wave = create(floor, {"name": "to-cancel", "filters": {"carrier": "UPS"}, "strategy": "cart"})
    release(floor, wave["id"])
    picker = floor.login(Role.PICKER)
    task = floor.client.post(f"{API}/tasks/next", headers=picker).json()
    so1 = next(line for line in task["lines"] if line["order_reference"] == "SO-1")
    results = push(
        floor,
        event(1, "task.started", {"task_id": task["id"]}),
        event(2, "pick.confirmed", {"task_line_id": so1["id"], "quantity": 1}),
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    reply = floor.client.post(
        f"{API}/waves/{wave['id']}/cancel",
        json={"reason": "carrier late"},
        headers=supervisor(floor),
    )
    assert reply.status_code == 200, reply.text
    cancelled = reply.json()
    assert cancelled["wave"]["status"] == "cancelled"
    assert cancelled["orders_kept"] == ["SO-1"]  # picked: the goods are in a tote
    assert sorted(cancelled["orders_returned"]) == ["SO-2", "SO-3", "SO-4"]
    assert cancelled["tasks_cancelled"] == 0  # the cart goes on with SO-1 in it
    states = order_states(floor.parts.engine)
    assert [states[r] for r in ("SO-1", "SO-2", "SO-3", "SO-4")] == [
        "picked",
        "received",
        "received",
        "received",
    ]
    stock = stock_by_location(floor.parts.engine)
    assert stock[("02-005-1", "")] == (19, 0)
    assert stock[("05-030-1", "")] == (3, 0)
    check_reservations(floor.parts.engine)
    with floor.parts.engine.connect() as connection:
        ol = t.cols(t.OrderLine)
        assert connection.execute(sa.select(sa.func.sum(ol.allocated))).scalar_one() == 1
    # The station holding the cart gets the task again, with the returned orders' lines off.
    resent = [c for c in feed(floor) if c["kind"] == "task.assigned"][-1]["payload"]
    assert {line["order_reference"]: line["status"] for line in resent["lines"]}[
        "SO-2"
    ] == "cancelled"
    # A cancelled wave is final; its returned orders can go in the next wave.
    again = floor.client.post(
        f"{API}/waves/{wave['id']}/cancel", json={"reason": "x"}, headers=supervisor(floor)
    )
    assert again.status_code == 409
    assert (
        release(floor, create(floor, {"filters": {"carrier": "UPS"}})["id"])["result"]["orders"]
        == 3
    )


def test_progress_by_zone_and_picker(floor: Site) -> None:
    wave = create(floor, {"filters": {"carrier": "UPS"}, "strategy": "cart"})
    release(floor, wave["id"])
    picker = floor.login(Role.PICKER)
    me = floor.client.get(f"{API}/auth/me", headers=picker).json()
    task = floor.client.post(f"{API}/tasks/next", headers=picker).json()
    first, second = task["lines"][0], task["lines"][1]
    push(
        floor,
        event(
            1,
            "pick.confirmed",
            {"task_line_id": first["id"], "quantity": first["quantity"]},
            me["id"],
        ),
        event(
            2,
            "pick.confirmed",
            {"task_line_id": second["id"], "quantity": second["quantity"]},
            me["id"],
        ),
    )
    progress = floor.client.get(f"{API}/waves/{wave['id']}/progress", headers=picker).json()
    total = len(task["lines"])
    assert (progress["lines"], progress["lines_done"], progress["tasks"]) == (total, 2, 1)
    assert progress["percent_done"] == pytest.approx(round(200 / total, 1))
    assert progress["finished"] is False
    assert sum(z["lines"] for z in progress["zones"]) == total
    assert sum(z["lines_done"] for z in progress["zones"]) == 2
    (person,) = progress["pickers"]
    assert (person["user_id"], person["lines_done"], person["tasks"]) == (me["id"], 2, 1)
    assert person["name"] == "picker one"
    assert person["lines_per_hour"] > 0
    assert progress["lines_per_hour"] > 0
    (held,) = progress["open_tasks"]
    assert (held["id"], held["user_id"], held["name"]) == (task["id"], me["id"], "picker one")
    assert (held["lines"], held["lines_done"], held["status"]) == (total, 2, "assigned")
    brief = floor.client.get(
        f"{API}/waves/{wave['id']}/progress?open_tasks=false", headers=picker
    ).json()
    assert brief == {**progress, "open_tasks": []}


def test_a_wave_is_done_when_its_last_task_is(floor: Site) -> None:
    wave = create(floor, {"filters": {"carrier": "FEDEX"}, "strategy": "discrete"})
    release(floor, wave["id"])  # SO-5 alone: one task of two lines
    picker = floor.login(Role.PICKER)
    me = floor.client.get(f"{API}/auth/me", headers=picker).json()
    task = floor.client.post(f"{API}/tasks/next", headers=picker).json()
    first, second = task["lines"]
    events = [
        event(1, "task.started", {"task_id": task["id"]}, me["id"]),
        event(2, "pick.confirmed", {"task_line_id": first["id"], "quantity": 2}, me["id"]),
        event(3, "pick.confirmed", {"task_line_id": second["id"], "quantity": 2}, me["id"]),
    ]
    assert [r["status"] for r in push(floor, *events)] == ["applied"] * 3
    url = f"{API}/waves/{wave['id']}"
    assert floor.client.get(url, headers=picker).json()["status"] == "released"
    done = event(4, "task.completed", {"task_id": task["id"]}, me["id"])
    assert [r["status"] for r in push(floor, done)] == ["applied"]
    assert floor.client.get(url, headers=picker).json()["status"] == "done"
    progress = floor.client.get(f"{url}/progress", headers=picker).json()
    assert (progress["finished"], progress["open_tasks"]) == (True, [])
    held = floor.client.post(f"{url}/hold", json={"reason": "x"}, headers=supervisor(floor))
    assert held.status_code == 409
    assert "is done" in held.json()["detail"]


def test_a_short_pick_is_reallocated_to_other_stock(floor: Site) -> None:
    wave = create(floor, {"filters": {"carrier": "UPS", "priorities": [3]}, "strategy": "discrete"})
    release(floor, wave["id"])  # SO-2: 3 from the face 05-030-1, 2 from reserve 05-030-3
    picker = floor.login(Role.PICKER)
    task = floor.client.post(f"{API}/tasks/next", headers=picker).json()
    face = next(line for line in task["lines"] if line["location"] == "05-030-1")
    results = push(
        floor,
        event(1, "task.started", {"task_id": task["id"]}),
        event(2, "pick.shorted", {"task_line_id": face["id"], "missing": 3, "reason": "empty"}),
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    lines = task_lines(floor)
    assert [(ln.code, ln.quantity, ln.status) for ln in lines] == [
        ("05-030-1", 3, "short"),
        ("05-030-3", 2, "open"),
        ("05-030-3", 3, "open"),  # the 3 missing, from reserve, at the end of the same task
    ]
    assert {ln.task_id for ln in lines} == {task["id"]}
    assert stock_by_location(floor.parts.engine)[("05-030-3", "")] == (50, 5)
    check_reservations(floor.parts.engine)
    assert order_states(floor.parts.engine)["SO-2"] == "released"
    # No exception: the units were found elsewhere. The station gets the longer task.
    assert floor.client.get(f"{API}/exceptions", headers=supervisor(floor)).json()["items"] == []
    resent = [c for c in feed(floor) if c["kind"] == "task.assigned"][-1]["payload"]
    assert [line["location"] for line in resent["lines"]][-1] == "05-030-3"


def test_a_short_with_no_stock_elsewhere_stays_an_exception(floor: Site) -> None:
    wave = create(floor, {"filters": {"carrier": "UPS"}, "strategy": "discrete"})
    release(floor, wave["id"])
    picker = floor.login(Role.PICKER)
    while True:
        task = floor.client.post(f"{API}/tasks/next", headers=picker).json()
        if task["lines"][0]["order_reference"] == "SO-1":
            break
    (line,) = task["lines"]
    push(
        floor,
        event(1, "pick.shorted", {"task_line_id": line["id"], "missing": 1, "reason": "empty"}),
    )
    (short,) = floor.client.get(
        f"{API}/exceptions", params={"kind": "short"}, headers=supervisor(floor)
    ).json()["items"]
    assert short["order_reference"] == "SO-1"
    assert short["detail"]["missing"] == 1


def test_resolving_shortages(floor: Site) -> None:
    release(floor, create(floor, {"filters": {"carrier": "UPS"}, "strategy": "cart"})["id"])
    boss = supervisor(floor)
    listed = floor.client.get(f"{API}/exceptions", params={"kind": "shortage"}, headers=boss).json()
    by_order = {e["order_reference"]: e for e in listed["items"]}
    # Stock arrives for SKU-E: re-allocate the 3 units SO-4 is missing.
    add_stock(floor.parts.services, "20-040-1", "SKU-E", 10)
    reply = floor.client.post(
        f"{API}/exceptions/{by_order['SO-4']['id']}/resolve",
        json={"action": "reallocate", "note": "delivery came"},
        headers=boss,
    )
    assert reply.status_code == 200, reply.text
    resolved = reply.json()
    assert resolved["reallocated"] == 3
    assert resolved["exception"]["status"] == "resolved"
    assert resolved["exception"]["resolution"] == "3 re-allocated: delivery came"
    new_task = floor.client.get(f"{API}/tasks/{resolved['task_id']}", headers=boss).json()
    assert [(ln["location"], ln["quantity"]) for ln in new_task["lines"]] == [("20-040-1", 3)]
    assert new_task["status"] == "ready"
    check_reservations(floor.parts.engine)
    # SO-6 was never released: it cannot be re-allocated, only closed.
    refused = floor.client.post(
        f"{API}/exceptions/{by_order['SO-6']['id']}/resolve",
        json={"action": "reallocate"},
        headers=boss,
    )
    assert refused.status_code == 409
    closed = floor.client.post(
        f"{API}/exceptions/{by_order['SO-6']['id']}/resolve",
        json={"note": "waits for stock"},
        headers=boss,
    )
    assert closed.json()["exception"]["status"] == "resolved"
    twice = floor.client.post(
        f"{API}/exceptions/{by_order['SO-6']['id']}/resolve", json={}, headers=boss
    )
    assert twice.status_code == 409
    assert floor.client.get(f"{API}/exceptions", headers=boss).json()["items"] == []


def test_cutting_a_shortage_from_the_order(floor: Site) -> None:
    release(floor, create(floor, {"filters": {"carrier": "UPS"}})["id"])
    boss = supervisor(floor)
    items = floor.client.get(f"{API}/exceptions", params={"kind": "shortage"}, headers=boss).json()[
        "items"
    ]
    so4 = next(e for e in items if e["order_reference"] == "SO-4")
    reply = floor.client.post(
        f"{API}/exceptions/{so4['id']}/resolve", json={"action": "cancel_line"}, headers=boss
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["exception"]["resolution"] == "3 of SKU-E cut from order SO-4"
    lines = floor.client.get(f"{API}/orders/SO-4", headers=boss).json()["lines"]
    assert [(ln["sku"], ln["quantity"], ln["allocated"]) for ln in lines] == [
        ("SKU-D", 1, 1),
        ("SKU-E", 2, 2),
    ]


def test_a_supervisor_takes_a_task_back_and_gives_it_to_someone_else(floor: Site) -> None:
    release(floor, create(floor, {"filters": {"carrier": "UPS"}, "strategy": "discrete"})["id"])
    picker = floor.login(Role.PICKER)
    boss = supervisor(floor)
    task = floor.client.post(f"{API}/tasks/next", headers=picker).json()
    taken_back = floor.client.post(
        f"{API}/tasks/{task['id']}/unassign", json={"reason": "break"}, headers=boss
    )
    assert taken_back.status_code == 200, taken_back.text
    assert (taken_back.json()["status"], taken_back.json()["user_id"]) == ("ready", None)
    kinds = [(c["kind"], c["entity_id"]) for c in feed(floor)]
    assert kinds[-1] == ("task.unassigned", str(task["id"]))
    again = floor.client.post(f"{API}/tasks/{task['id']}/unassign", json={}, headers=boss)
    assert again.status_code == 409

    packer = floor.client.get(f"{API}/auth/me", headers=floor.login(Role.PACKER)).json()
    refused = floor.client.post(
        f"{API}/tasks/{task['id']}/reassign", json={"user_id": packer["id"]}, headers=boss
    )
    assert refused.status_code == 409
    assert "cannot take pick tasks" in refused.json()["detail"]
    # Everyone here logs in at the one test station: only the newest log-in there counts
    # (the packer's, now), as on the floor, where a terminal shows one person at a time.
    stale = floor.client.post(
        f"{API}/tasks/{task['id']}/reassign",
        json={"user_id": picker_id_of(floor, picker)},
        headers=boss,
    )
    assert stale.status_code == 409
    assert "is not logged in at any station" in stale.json()["detail"]
    boss = supervisor(floor)
    assert [p["name"] for p in pickers(floor, boss)] == ["supervisor one"]
    me = floor.client.get(f"{API}/auth/me", headers=boss).json()
    given = floor.client.post(
        f"{API}/tasks/{task['id']}/reassign", json={"user_id": me["id"]}, headers=boss
    )
    assert given.status_code == 200, given.text
    assert (given.json()["status"], given.json()["user_id"]) == ("assigned", me["id"])
    assert given.json()["station_id"] == floor.station_id
    last = feed(floor)[-1]
    assert (last["kind"], last["payload"]["user_id"]) == ("task.assigned", me["id"])
    # The picker logs out: a task cannot be given to someone at no station.
    picker_id = picker_id_of(floor, picker)
    assert floor.client.post(f"{API}/auth/logout", headers=picker).status_code in (200, 204)
    nobody = floor.client.post(
        f"{API}/tasks/{task['id']}/reassign", json={"user_id": picker_id}, headers=boss
    )
    assert nobody.status_code == 409
    assert nobody.json()["detail"] == "picker one is not logged in at any station"


def login_at(site: Site, role: Role, station: str) -> tuple[dict[str, str], int]:
    """A person logged in at another station of their own: its headers and id."""
    made = site.parts.services.people.register_station(SYSTEM, StationCreate(name=station))
    headers = {"Authorization": f"Bearer {made.token}"}
    reply = site.client.post(
        f"{API}/auth/login", json={"badge": BADGES[role], "pin": PINS[role]}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    return {**headers, "X-Toteflow-Session": reply.json()["token"]}, made.station.id


def test_only_people_logged_in_at_a_station_are_offered_a_task(floor: Site) -> None:
    boss = supervisor(floor)
    assert [p["name"] for p in pickers(floor, boss)] == ["supervisor one"]
    picker, pick_02 = login_at(floor, Role.PICKER, "pick-02")
    login_at(floor, Role.PACKER, "pack-01")  # logged in, but packers do not pick
    found = pickers(floor, boss)
    assert [(p["name"], p["station"], p["station_id"]) for p in found] == [
        ("picker one", "pick-02", pick_02),
        ("supervisor one", "pick-01", floor.station_id),
    ]
    # Logged in at a second station as well: offered once, at the newer log-in's station.
    again, pick_03 = login_at(floor, Role.PICKER, "pick-03")
    found = pickers(floor, boss)
    assert [(p["name"], p["station_id"]) for p in found] == [
        ("picker one", pick_03),
        ("supervisor one", floor.station_id),
    ]
    for headers in (again, picker):
        assert floor.client.post(f"{API}/auth/logout", headers=headers).status_code in (200, 204)
    assert [p["name"] for p in pickers(floor, boss)] == ["supervisor one"]
    refused = floor.client.get(f"{API}/pickers", headers=floor.login(Role.PICKER))
    assert refused.status_code == 403


def test_exceptions_list_the_open_ones_unless_asked_for_all(floor: Site) -> None:
    release(floor, create(floor, {"filters": {"carrier": "UPS"}})["id"])
    boss = supervisor(floor)

    def listed(**params: str) -> list[str]:
        reply = floor.client.get(f"{API}/exceptions", params=params, headers=boss)
        assert reply.status_code == 200, reply.text
        return [e["status"] for e in reply.json()["items"]]

    assert listed() == ["open", "open"]  # SO-4's SKU-E and SO-6's SKU-F, short at release
    first = floor.client.get(f"{API}/exceptions", headers=boss).json()["items"][0]
    closed = floor.client.post(
        f"{API}/exceptions/{first['id']}/resolve", json={"action": "close"}, headers=boss
    )
    assert closed.status_code == 200, closed.text
    assert listed() == ["open"]
    assert listed(status="resolved") == ["resolved"]
    assert sorted(listed(status="all")) == ["open", "resolved"]
    bad = floor.client.get(f"{API}/exceptions", params={"status": "closed"}, headers=boss)
    assert bad.status_code == 422
    assert "status" in bad.text
    described = floor.client.get("/openapi.json").json()["paths"][f"{API}/exceptions"]["get"]
    assert "Without `status` only the open ones are listed" in described["description"]
