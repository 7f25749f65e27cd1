"""Zone pick-and-pass on the server (SQLite and PostgreSQL): the tote is handed zone to zone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Site
from tests.server.test_waves_api import create, event, push, release
from tests.support.wave_floor import add_locations, add_orders, add_product, add_stock, order
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role

API = "/api/v1"


@pytest.fixture
def zones(site: Site) -> Site:
    """SO-Z1 picks in zones A (aisle 2), B (aisle 8) and C (aisle 12); SO-Z2 only in zone A."""
    services = site.parts.services
    add_locations(services, ["02-005-1", "08-012-1", "12-003-1"])
    for sku, where in (("SKU-A", "02-005-1"), ("SKU-B", "08-012-1"), ("SKU-C", "12-003-1")):
        add_product(services, sku)
        add_stock(services, where, sku, 20)
    add_orders(
        services,
        [
            order("SO-Z1", [("SKU-A", 1), ("SKU-B", 2), ("SKU-C", 3)], carrier="FEDEX"),
            order("SO-Z2", [("SKU-A", 1)], carrier="FEDEX", priority=9),
        ],
    )
    return site


def zone_wave(site: Site) -> list[dict[str, Any]]:
    wave = create(site, {"filters": {"carrier": "FEDEX"}, "strategy": "zone"})
    ids = release(site, wave["id"])["task_ids"]
    boss = site.login(Role.SUPERVISOR)
    return [site.client.get(f"{API}/tasks/{i}", headers=boss).json() for i in ids]


def next_task(site: Site) -> dict[str, Any] | None:
    reply = site.client.post(f"{API}/tasks/next", headers=site.login(Role.PICKER))
    assert reply.status_code in (200, 204), reply.text
    return reply.json() if reply.status_code == 200 else None


def pick_all(site: Site, task: dict[str, Any], tote: str, first_seq: int, close_to: str) -> int:
    """Start, take `tote`, pick every line, close the tote towards `close_to`, complete."""
    events = [
        event(first_seq, "task.started", {"task_id": task["id"]}),
        event(first_seq + 1, "tote.assigned", {"task_id": task["id"], "slot": 1, "tote": tote}),
    ]
    for line in task["lines"]:
        events.append(
            event(
                first_seq + len(events),
                "pick.confirmed",
                {"task_line_id": line["id"], "quantity": line["quantity"], "tote": tote},
            )
        )
    closed = {"task_id": task["id"], "slot": 1, "tote": tote, "destination": close_to}
    events.append(event(first_seq + len(events), "tote.closed", closed))
    events.append(event(first_seq + len(events), "task.completed", {"task_id": task["id"]}))
    results = push(site, *events)
    assert [r["status"] for r in results] == ["applied"] * len(events), results
    return first_seq + len(events)


def pack_order(site: Site, key: str) -> dict[str, Any]:
    reply = site.client.get(f"{API}/shipping/pack-orders/{key}", headers=site.login(Role.PACKER))
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def test_release_chains_an_orders_zone_tasks_and_names_each_totes_next_zone(zones: Site) -> None:
    tasks = zone_wave(zones)
    by_order: dict[str, list[tuple[str, str]]] = {}
    for task in tasks:
        [container] = task["containers"]
        by_order.setdefault(container["order_reference"], []).append(
            (task["zone"], container["destination"])
        )
    assert sorted(by_order["SO-Z1"]) == [("A", "zone:B"), ("B", "zone:C"), ("C", "pack")]
    assert by_order["SO-Z2"] == [("A", "pack")]


def test_a_zone_task_waits_for_the_tote_from_the_zone_before(zones: Site) -> None:
    zone_wave(zones)
    # SO-Z1's zone A first (priority 5), then SO-Z2 (priority 9); B and C wait for A.
    first = next_task(zones)
    assert first is not None
    assert (first["zone"], first["containers"][0]["order_reference"]) == ("A", "SO-Z1")
    assert first["containers"][0]["arriving_tote"] is None
    second = next_task(zones)
    assert second is not None
    assert second["containers"][0]["order_reference"] == "SO-Z2"
    assert next_task(zones) is None  # zone B waits: the tote is still in zone A

    seq = pick_all(zones, first, "T000001", 1, "zone:B")
    trail = pack_order(zones, "SO-Z1")
    assert trail["tote_trail"] == [{"tote": "T000001", "state": "travelling", "place": "zone:B"}]
    assert trail["to_pick"] == ["zone B", "zone C"]

    zone_b = next_task(zones)
    assert zone_b is not None
    assert zone_b["zone"] == "B"
    [slot] = zone_b["containers"]
    assert (slot["arriving_tote"], slot["arriving_from"], slot["tote"]) == ("T000001", "A", None)
    assert next_task(zones) is None  # zone C waits for zone B

    seq = pick_all(zones, zone_b, "T000001", seq, "zone:C")
    zone_c = next_task(zones)
    assert zone_c is not None
    assert (zone_c["zone"], zone_c["containers"][0]["arriving_tote"]) == ("C", "T000001")
    assert zone_c["containers"][0]["arriving_from"] == "B"
    trail = pack_order(zones, "T000001")
    assert trail["reference"] == "SO-Z1"
    assert trail["tote_trail"] == [{"tote": "T000001", "state": "travelling", "place": "zone:C"}]
    assert trail["to_pick"] == ["zone C"]

    pick_all(zones, zone_c, "T000001", seq, "pack")
    done = pack_order(zones, "T000001")
    assert done["status"] == "picked"
    assert done["tote_trail"] == [{"tote": "T000001", "state": "at_packing", "place": "pack"}]
    assert done["to_pick"] == []
    assert [(line["sku"], line["picked"]) for line in done["lines"]] == [
        ("SKU-A", 1),
        ("SKU-B", 2),
        ("SKU-C", 3),
    ]


def test_a_new_tote_instead_of_the_arriving_one_sends_that_one_to_packing(zones: Site) -> None:
    zone_wave(zones)
    first = next_task(zones)
    assert first is not None
    seq = pick_all(zones, first, "T000001", 1, "zone:B")
    zone_b = next_task(zones)  # before SO-Z2: priority 5 against 9
    assert zone_b is not None
    assert zone_b["zone"] == "B"
    # Zone B's picker starts a new tote: T000001 goes on to packing, and the desk waits
    # for both totes of the order.
    pick_all(zones, zone_b, "T000002", seq, "zone:C")
    trail = pack_order(zones, "SO-Z1")
    assert trail["tote_trail"] == [
        {"tote": "T000001", "state": "at_packing", "place": "pack"},
        {"tote": "T000002", "state": "travelling", "place": "zone:C"},
    ]
    assert set(trail["totes"]) == {"T000001", "T000002"}


def test_a_zone_task_whose_lines_were_all_cancelled_is_not_handed_out(zones: Site) -> None:
    tasks = zone_wave(zones)
    zones.parts.services.orders.cancel(SYSTEM, "SO-Z1", "customer called")
    boss = zones.login(Role.SUPERVISOR)
    statuses = {
        t["id"]: zones.client.get(f"{API}/tasks/{t['id']}", headers=boss).json()["status"]
        for t in tasks
    }
    so_z1 = [t["id"] for t in tasks if t["containers"][0]["order_reference"] == "SO-Z1"]
    assert {statuses[i] for i in so_z1} == {"cancelled"}
    only = next_task(zones)
    assert only is not None
    assert only["containers"][0]["order_reference"] == "SO-Z2"
    assert next_task(zones) is None


def test_a_tote_closed_full_in_a_zone_goes_to_packing_and_its_successor_passes_on(
    zones: Site,
) -> None:
    zone_wave(zones)
    first = next_task(zones)
    assert first is not None
    task_id = first["id"]
    [line] = first["lines"]
    slot = {"task_id": task_id, "slot": 1}
    results = push(
        zones,
        event(1, "task.started", {"task_id": task_id}),
        event(2, "tote.assigned", {**slot, "tote": "T000001"}),
        event(3, "tote.closed", {**slot, "tote": "T000001", "destination": "pack"}),
        event(4, "tote.assigned", {**slot, "tote": "T000002"}),
        event(5, "pick.confirmed", {"task_line_id": line["id"], "quantity": 1}),
        event(6, "tote.closed", {**slot, "tote": "T000002", "destination": "zone:B"}),
        event(7, "task.completed", {"task_id": task_id}),
    )
    assert [r["status"] for r in results] == ["applied"] * 7
    trail = pack_order(zones, "T000001")  # found by the full tote too
    assert trail["reference"] == "SO-Z1"
    assert trail["tote_trail"] == [
        {"tote": "T000001", "state": "at_packing", "place": "pack"},
        {"tote": "T000002", "state": "travelling", "place": "zone:B"},
    ]
    zone_b = next_task(zones)
    assert zone_b is not None
    assert zone_b["containers"][0]["arriving_tote"] == "T000002"
    boss = zones.login(Role.SUPERVISOR)
    again = zones.client.get(f"{API}/tasks/{task_id}", headers=boss).json()
    assert again["containers"][0]["destination"] == "zone:B"


def test_a_station_already_holding_the_next_zone_is_sent_the_arriving_tote(zones: Site) -> None:
    tasks = zone_wave(zones)
    zone_b = next(t for t in tasks if t["zone"] == "B")
    boss = zones.login(Role.SUPERVISOR)
    picker = zones.login(Role.PICKER)
    me = zones.client.get(f"{API}/auth/me", headers=picker).json()
    # A supervisor gives zone B's task out early: it waits for nothing then, but names no tote.
    given = zones.client.post(
        f"{API}/tasks/{zone_b['id']}/reassign", json={"user_id": me["id"]}, headers=boss
    )
    assert given.status_code == 200, given.text
    assert given.json()["containers"][0]["arriving_tote"] is None
    first = next_task(zones)
    assert first is not None
    assert first["zone"] == "A"
    pick_all(zones, first, "T000001", 1, "zone:B")
    changes = zones.client.get(f"{API}/sync/changes", headers=zones.station_headers()).json()
    last = [c for c in changes["changes"] if c["entity_id"] == str(zone_b["id"])][-1]
    assert last["kind"] == "task.assigned"
    assert last["payload"]["containers"][0]["arriving_tote"] == "T000001"
