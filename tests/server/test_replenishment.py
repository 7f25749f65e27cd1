"""Replenishment on SQLite and PostgreSQL: min/max by API, the schedule, a wave's release,
and a replenisher's steps pushed from a station (applied once, short sources re-sourced)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tests.server.conftest import Site
from tests.support.replenishment import event, replenishments
from tests.support.wave_floor import (
    TODAY,
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
from toteflow.contracts import sync
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.roles import Role

API = "/api/v1"
FACE, RESERVE, OTHER_RESERVE = "05-030-1", "05-030-3", "05-031-3"


@pytest.fixture
def face(site: Site) -> Site:
    """SKU-B: 3 on its face, 50 in reserve (and 30 in another reserve, received later)."""
    services = site.parts.services
    add_locations(services, [FACE, RESERVE, OTHER_RESERVE, "02-005-1"])
    add_product(services, "SKU-A")
    add_product(services, "SKU-B")
    add_stock(services, "02-005-1", "SKU-A", 20)
    add_stock(services, FACE, "SKU-B", 3)
    add_stock(services, RESERVE, "SKU-B", 50, received_ago=90)
    add_stock(services, OTHER_RESERVE, "SKU-B", 30, received_ago=10)
    return site


def boss(site: Site) -> dict[str, str]:
    return site.login(Role.SUPERVISOR)


def put_limit(site: Site, location: str, sku: str, body: Any) -> Any:
    return site.client.put(f"{API}/face-limits/{location}/{sku}", json=body, headers=boss(site))


def test_min_max_set_and_read_by_api(face: Site) -> None:
    reply = put_limit(face, FACE, "SKU-B", {"minimum": 10, "maximum": 40})
    assert reply.status_code == 200, reply.text
    got = face.client.get(f"{API}/face-limits/{FACE}/SKU-B", headers=face.login(Role.PICKER))
    assert (got.json()["minimum"], got.json()["maximum"]) == (10, 40)
    again = put_limit(face, FACE, "SKU-B", {"minimum": 5, "maximum": 30})
    assert again.status_code == 200
    listed = face.client.get(f"{API}/face-limits", headers=boss(face)).json()
    assert [(i["location"], i["sku"], i["minimum"], i["maximum"]) for i in listed["items"]] == [
        (FACE, "SKU-B", 5, 30)
    ]


@pytest.mark.parametrize(
    ("location", "sku", "body", "status", "where"),
    [
        (FACE, "SKU-B", {"minimum": 50, "maximum": 40}, 422, ["body", "minimum"]),
        (FACE, "SKU-B", {"minimum": 5, "maximum": 600}, 422, ["body", "maximum"]),
        (FACE, "SKU-B", {"minimum": "5", "maximum": 40}, 422, ["body", "minimum"]),
        (FACE, "SKU-B", {"minimum": -1, "maximum": 40}, 422, ["body", "minimum"]),
        (FACE, "SKU-B", {"minimum": 1, "maximum": 0}, 422, ["body", "maximum"]),
        (FACE, "SKU-B", {"minimum": 1}, 422, ["body", "maximum"]),
        (FACE, "SKU-B", [1, 4], 422, ["body"]),
        (RESERVE, "SKU-B", {"minimum": 1, "maximum": 4}, 409, "not a pick face"),
        ("99-999-9", "SKU-B", {"minimum": 1, "maximum": 4}, 404, "no location 99-999-9"),
        (FACE, "SKU-NONE", {"minimum": 1, "maximum": 4}, 404, "no product with SKU SKU-NONE"),
    ],
)
def test_bad_min_max_is_refused_saying_why_and_changes_nothing(
    face: Site, location: str, sku: str, body: Any, status: int, where: Any
) -> None:
    # The face holds at most 500 of its home product, SKU-B.
    face.parts.services.catalogue.set_location_storage(
        SYSTEM, FACE, cat.LocationStorageUpdate(home_sku="SKU-B", max_quantity=500)
    )
    assert put_limit(face, FACE, "SKU-B", {"minimum": 2, "maximum": 20}).status_code == 200
    reply = put_limit(face, location, sku, body)
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    if status == 422:
        assert detail[0]["loc"] == where
    else:
        assert where in detail
    got = face.client.get(f"{API}/face-limits/{FACE}/SKU-B", headers=boss(face)).json()
    assert (got["minimum"], got["maximum"]) == (2, 20)


def test_only_supervisors_and_admins_set_limits(face: Site) -> None:
    for role in (Role.PICKER, Role.REPLENISHER, Role.RECEIVER):
        reply = face.client.put(
            f"{API}/face-limits/{FACE}/SKU-B",
            json={"minimum": 1, "maximum": 5},
            headers=face.login(role),
        )
        assert reply.status_code == 403, role
    admin = face.client.put(
        f"{API}/face-limits/{FACE}/SKU-B",
        json={"minimum": 1, "maximum": 5},
        headers=face.login(Role.ADMIN),
    )
    assert admin.status_code == 200


def test_the_schedule_makes_one_replenishment_and_not_a_second(face: Site) -> None:
    assert put_limit(face, FACE, "SKU-B", {"minimum": 10, "maximum": 40}).status_code == 200
    first = face.client.post(f"{API}/replenishments/sweep", headers=boss(face))
    assert first.status_code == 200, first.text
    assert first.json()["below_minimum"] == 1
    assert len(first.json()["created"]) == 1
    second = face.client.post(f"{API}/replenishments/sweep", headers=boss(face)).json()
    assert second["created"] == []
    listed = face.client.get(f"{API}/replenishments", headers=face.login(Role.REPLENISHER))
    (only,) = listed.json()["items"]
    # FIFO from reserve: the older reserve row; up to the maximum: 40 - 3 on the face.
    assert (only["location"], only["source"], only["quantity"], only["trigger"]) == (
        FACE,
        RESERVE,
        37,
        "schedule",
    )
    assert stock_by_location(face.parts.engine)[(RESERVE, "")] == (50, 37)


def test_a_face_at_its_minimum_is_left_alone(face: Site) -> None:
    assert put_limit(face, FACE, "SKU-B", {"minimum": 3, "maximum": 40}).status_code == 200
    swept = face.client.post(f"{API}/replenishments/sweep", headers=boss(face)).json()
    assert (swept["below_minimum"], swept["created"]) == (0, [])


def test_a_wave_the_face_cannot_cover_releases_a_replenishment_before_its_first_pick(
    face: Site,
) -> None:
    assert put_limit(face, FACE, "SKU-B", {"minimum": 4, "maximum": 20}).status_code == 200
    services = face.parts.services
    add_orders(
        services,
        [
            order("SO-1", [("SKU-A", 1)], priority=1),
            order("SO-2", [("SKU-B", 2)], priority=5),
            order("SO-3", [("SKU-B", 5)], priority=3),
        ],
    )
    wave = face.client.post(
        f"{API}/waves", json={"filters": {}, "strategy": "discrete"}, headers=boss(face)
    )
    assert wave.status_code == 201, wave.text
    released = face.client.post(f"{API}/waves/{wave.json()['id']}/release", headers=boss(face))
    assert released.status_code == 200, released.text
    tl, loc, task = t.cols(t.TaskLine), t.cols(t.Location), t.cols(t.Task)
    at_face = rows(
        face.parts.engine,
        sa.select(task.id, task.priority)
        .join(t.table(t.TaskLine), tl.task_id == task.id)
        .join(t.table(t.Location), loc.id == tl.location_id)
        .where(loc.code == FACE)
        .order_by(task.priority, task.id),
    )
    assert at_face, "the wave picks at the face"
    (made,) = face.client.get(f"{API}/replenishments", headers=boss(face)).json()["items"]
    assert made["trigger"] == "wave"
    assert made["wave_id"] == wave.json()["id"]
    # Ordered before the first task that picks at the face: it is handed out first.
    assert made["before_task_id"] == at_face[0].id
    assert made["source"] in (RESERVE, OTHER_RESERVE)
    # The wave's reservations and the replenishment's never share a unit.
    stock = stock_by_location(face.parts.engine)
    for code in (RESERVE, OTHER_RESERVE):
        quantity, reserved = stock[(code, "")]
        assert reserved <= quantity


def _replenisher(site: Site) -> int:
    people = site.parts.services.people
    return next(u.id for u in people.users(SYSTEM, 0, 100).items if u.role == Role.REPLENISHER)


def _push(site: Site, events: list[sync.Event]) -> list[dict[str, Any]]:
    body = sync.PushRequest(station_id=site.station_id, events=events)
    reply = site.client.post(
        f"{API}/sync/push",
        content=body.model_dump_json(),
        headers={**site.station_headers(), "Content-Type": "application/json"},
    )
    assert reply.status_code == 200, reply.text
    return list(reply.json()["results"])


def _one_open(site: Site) -> dict[str, Any]:
    assert put_limit(site, FACE, "SKU-B", {"minimum": 10, "maximum": 40}).status_code == 200
    site.client.post(f"{API}/replenishments/sweep", headers=boss(site))
    (made,) = site.client.get(f"{API}/replenishments", headers=boss(site)).json()["items"]
    return dict(made)


def test_a_replenisher_moves_the_stock_once_however_often_the_push_is_sent(face: Site) -> None:
    made = _one_open(face)
    user = _replenisher(face)
    steps = [
        event(
            1,
            user,
            "replenish.taken",
            {"replenishment": made["id"], "source": RESERVE, "quantity": 37},
        ),
        event(
            2,
            user,
            "replenish.placed",
            {"replenishment": made["id"], "location": FACE, "quantity": 37},
        ),
    ]
    assert [r["status"] for r in _push(face, steps)] == ["applied", "applied"]
    assert [r["status"] for r in _push(face, steps)] == ["duplicate", "duplicate"]
    stock = stock_by_location(face.parts.engine)
    assert stock[(FACE, "")] == (40, 0)
    assert stock[(RESERVE, "")] == (13, 0)
    (row,) = replenishments(face.parts.engine)
    assert (row.status, row.moved) == ("done", 37)
    # Done: the face is at its maximum, so the schedule leaves it alone.
    swept = face.client.post(f"{API}/replenishments/sweep", headers=boss(face)).json()
    assert swept["created"] == []


def test_a_step_that_does_not_fit_is_refused_alone_and_changes_nothing(face: Site) -> None:
    made = _one_open(face)
    user = _replenisher(face)
    results = _push(
        face,
        [
            event(
                1,
                user,
                "replenish.placed",
                {"replenishment": made["id"], "location": FACE, "quantity": 37},
            ),
            event(
                2,
                user,
                "replenish.taken",
                {"replenishment": made["id"], "source": OTHER_RESERVE, "quantity": 37},
            ),
            event(3, user, "replenish.taken", {"replenishment": made["id"], "source": RESERVE}),
        ],
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected"]
    assert "not been taken" in results[0]["reason"]
    assert f"comes from {RESERVE}, not {OTHER_RESERVE}" in results[1]["reason"]
    assert "malformed: quantity" in results[2]["reason"]
    assert stock_by_location(face.parts.engine)[(RESERVE, "")] == (50, 37)
    (row,) = replenishments(face.parts.engine)
    assert row.status == "open"


def test_a_short_source_is_resourced_then_becomes_an_exception(face: Site) -> None:
    made = _one_open(face)
    user = _replenisher(face)
    nothing = {"replenishment": made["id"], "source": RESERVE, "quantity": 0}
    (first,) = _push(face, [event(1, user, "replenish.taken", nothing)])
    assert first["status"] == "applied"
    assert first["result"]["resourced"]["source"] == OTHER_RESERVE
    stock = stock_by_location(face.parts.engine)
    assert stock[(RESERVE, "")] == (50, 0)
    assert stock[(OTHER_RESERVE, "")] == (30, 30)
    # The count finds the first reserve empty indeed; then the second is short too.
    add_stock(face.parts.services, RESERVE, "SKU-B", -50)
    again = {"replenishment": made["id"], "source": OTHER_RESERVE, "quantity": 0}
    (second,) = _push(face, [event(2, user, "replenish.taken", again)])
    assert second["status"] == "applied"
    assert second["result"]["status"] == "cancelled"
    assert stock_by_location(face.parts.engine)[(OTHER_RESERVE, "")] == (30, 0)
    exceptions = face.client.get(f"{API}/exceptions", headers=boss(face)).json()["items"]
    shorts = [e["reason"] for e in exceptions if e["kind"] == "replenishment_short"]
    assert len(shorts) == 2
    assert "re-sourced from 05-031-3" in shorts[0] or "re-sourced from 05-031-3" in shorts[1]
    assert any("no other source: cancelled" in text for text in shorts)
    # Each source found short is counted: the book said there was stock there.
    counts = face.parts.services.counts.open_counts(SYSTEM)
    assert sorted((c.location, c.reason) for c in counts) == [
        (RESERVE, "short"),
        (OTHER_RESERVE, "short"),
    ]


def test_a_whole_plate_goes_first_and_moves_to_the_face_with_its_units(site: Site) -> None:
    from toteflow.central.services.putaway import Receipt
    from toteflow.contracts import putaway as pa

    services = site.parts.services
    plated, loose = "05-032-3", "05-033-3"
    add_locations(services, [FACE, plated, loose])
    services.catalogue.add_location(SYSTEM, cat.LocationCreate(code="DOCK-01", kind="dock"))
    add_product(services, "SKU-B")
    add_stock(services, FACE, "SKU-B", 3)
    receiver = Actor(None, None, Role.RECEIVER, "receiver")
    plate = services.putaway.receive_to_plate(receiver, Receipt("SKU-B", 24, "DOCK-01")).code
    # Received the same day as the plate (today by the server's clock, which may have passed
    # midnight since this module's TODAY): equals by FIFO, so the whole plate goes first.
    add_stock(services, loose, "SKU-B", 40, received_ago=(TODAY - datetime.now(UTC).date()).days)
    services.putaway.confirm(
        receiver,
        pa.ConfirmRequest(plate=plate, location=plated, quantity=24, reason="supervisor_directed"),
    )
    assert put_limit(site, FACE, "SKU-B", {"minimum": 10, "maximum": 40}).status_code == 200
    site.client.post(f"{API}/replenishments/sweep", headers=boss(site))
    (made,) = site.client.get(f"{API}/replenishments", headers=boss(site)).json()["items"]
    assert (made["source"], made["plate"], made["quantity"]) == (plated, plate, 24)
    user = _replenisher(site)
    steps = [
        event(
            1,
            user,
            "replenish.taken",
            {"replenishment": made["id"], "source": plated, "plate": plate, "quantity": 24},
        ),
        event(
            2,
            user,
            "replenish.placed",
            {"replenishment": made["id"], "location": FACE, "quantity": 24},
        ),
    ]
    assert [r["status"] for r in _push(site, steps)] == ["applied", "applied"]
    moved = site.client.get(f"{API}/plates/{plate}", headers=boss(site)).json()
    assert moved["location"] == FACE
    stock = stock_by_location(site.parts.engine)
    assert stock[(FACE, "")] == (27, 0)
    assert stock[(plated, "")] == (0, 0)


def test_only_replenishers_and_supervisors_replenish_unless_pickers_are_allowed(
    face: Site,
) -> None:
    made = _one_open(face)
    people = face.parts.services.people.users(SYSTEM, 0, 100).items
    ids = {u.role: u.id for u in people}
    taken = {"replenishment": made["id"], "source": RESERVE, "quantity": 37}
    results = _push(
        face,
        [
            event(1, ids[Role.PICKER], "replenish.taken", taken),
            event(2, ids[Role.PACKER], "replenish.taken", taken),
        ],
    )
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert "pickers_replenish is off" in results[0]["reason"]
    assert "packer may not replenish" in results[1]["reason"]
    (r,) = _push(face, [event(3, ids[Role.SUPERVISOR], "replenish.taken", taken)])
    assert r["status"] == "applied"
