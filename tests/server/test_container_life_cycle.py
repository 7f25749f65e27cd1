"""Totes and carts on the server: registered by ranges, followed through their life by the
station's events, a conflict refused (a floor exception), and every change in the feed."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from tests.server.conftest import Site
from tests.server.test_shipping_api import block, carton, close, sscc_of, statuses
from tests.server.test_sync_api import event, order_status, push
from tests.support.floor import Work, released_task
from toteflow.central.store import tables as t
from toteflow.domain.roles import Role


def register(site: Site, **body: Any) -> Any:
    return site.client.post("/api/v1/containers", json=body, headers=site.login(Role.ADMIN))


def tote(site: Site, code: str) -> dict[str, Any]:
    reply = site.client.get(f"/api/v1/totes/{code}", headers=site.login(Role.PICKER))
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def started(site: Site, reference: str, quantity: int = 1) -> Work:
    work = released_task(
        site.parts.engine,
        reference=reference,
        quantity=quantity,
        sku=f"SKU-{reference}",
        barcode=f"B-{reference}",
    )
    with site.parts.engine.begin() as connection:
        connection.execute(
            sa.update(t.table(t.Task))
            .where(t.cols(t.Task).id == work.task_id)
            .values(status="in_progress")
        )
    return work


def registry_changes(site: Site) -> list[dict[str, Any]]:
    feed = site.client.get(
        "/api/v1/sync/changes", params={"limit": 500}, headers=site.station_headers()
    ).json()
    return [
        record
        for change in feed["changes"]
        if change["kind"] == "containers.updated"
        for record in change["payload"]["containers"]
    ]


def open_exceptions(site: Site) -> list[str]:
    with site.parts.engine.connect() as connection:
        rows = connection.execute(
            sa.select(t.cols(t.FloorException).reason).order_by(t.cols(t.FloorException).id)
        )
        return [str(reason) for reason in rows.scalars()]


def test_ranges_register_once_and_reach_the_stations_and_a_bad_range_changes_nothing(
    site: Site,
) -> None:
    reply = register(
        site,
        tote_ranges=[{"labels": "T000001-T000200"}],
        cart_ranges=[{"labels": "C0001-C0003", "slots": 4}],
        totes=[{"code": "T000007"}],
    )
    assert reply.status_code == 201, reply.text
    assert reply.json() == {"carts_added": 3, "totes_added": 200}
    assert register(site, tote_ranges=[{"labels": "T000190-T000210"}]).json()["totes_added"] == 10
    records = registry_changes(site)
    assert len(records) == 213
    assert records[0] == {
        "kind": "cart",
        "code": "C0001",
        "state": "free",
        "task_id": None,
        "slot": None,
        "order_reference": "",
        "destination": "",
        "units": 0,
    }
    bad = register(site, tote_ranges=[{"labels": "T000300-T000299"}])
    assert bad.status_code == 422
    assert "tote_ranges" in bad.text
    assert "the first label comes after the last" in bad.text
    mixed = register(site, tote_ranges=[{"labels": "T000300-X000399"}])
    assert mixed.status_code == 422
    assert "both ends must start alike" in mixed.text
    totes = site.client.get("/api/v1/totes", headers=site.login(Role.PICKER)).json()
    assert totes["total"] == 210
    free = site.client.get(
        "/api/v1/totes", params={"state": "travelling"}, headers=site.login(Role.PICKER)
    )
    assert free.json()["total"] == 0
    assert (
        site.client.get("/api/v1/totes/T999999", headers=site.login(Role.PICKER)).status_code == 404
    )


def test_a_tote_holding_an_order_is_refused_for_another_and_the_supervisor_is_told(
    site: Site,
) -> None:
    register(site, tote_ranges=[{"labels": "T000001-T000020"}])
    first, second = started(site, "SO-100013"), started(site, "SO-100030")
    reply = push(
        site,
        event(1, "tote.assigned", {"task_id": first.task_id, "slot": 1, "tote": "T000014"}),
        event(2, "pick.confirmed", {"task_line_id": first.task_line_id, "quantity": 1}),
        event(
            3,
            "tote.closed",
            {"task_id": first.task_id, "slot": 1, "tote": "T000014", "destination": "pack"},
        ),
    )
    assert statuses(reply) == ["applied"] * 3, reply.text
    closed = tote(site, "T000014")
    assert closed["state"] == "travelling"
    assert closed["travelling_to"] == "pack"
    assert closed["order_reference"] == "SO-100013"
    assert closed["units"] == 1
    assert closed["description"] == "waiting at packing"

    # The station's cache was behind (offline): the server refuses the second order.
    again = push(
        site, event(4, "tote.assigned", {"task_id": second.task_id, "slot": 1, "tote": "T000014"})
    )
    result = again.json()["results"][0]
    assert result["status"] == "rejected"
    assert result["reason"] == (
        "tote T000014 holds order SO-100013 (1 unit), waiting at packing: take an empty tote"
    )
    assert open_exceptions(site) == [result["reason"]]
    assert tote(site, "T000014")["order_reference"] == "SO-100013"
    with site.parts.engine.connect() as connection:
        second_tote = connection.execute(
            sa.select(t.cols(t.TaskContainer).tote_code).where(
                t.cols(t.TaskContainer).task_id == second.task_id
            )
        ).scalar_one()
    assert second_tote is None

    unknown = push(
        site, event(5, "tote.assigned", {"task_id": second.task_id, "slot": 1, "tote": "T999999"})
    )
    assert unknown.json()["results"][0]["status"] == "rejected"
    assert "tote T999999 is not registered" in unknown.json()["results"][0]["reason"]
    # One change per push, with each tote as the push left it; refusals change nothing.
    last = registry_changes(site)[-1]
    assert (last["code"], last["state"], last["units"]) == ("T000014", "travelling", 1)


def test_a_cart_in_another_task_is_refused_and_a_finished_task_frees_cart_and_empty_totes(
    site: Site,
) -> None:
    register(
        site, cart_ranges=[{"labels": "C0001-C0002"}], tote_ranges=[{"labels": "T000001-T000009"}]
    )
    first, second = started(site, "SO-1"), started(site, "SO-2")
    reply = push(
        site,
        event(1, "cart.assigned", {"task_id": first.task_id, "cart": "C0001"}),
        event(2, "tote.assigned", {"task_id": first.task_id, "slot": 1, "tote": "T000001"}),
        event(3, "cart.assigned", {"task_id": second.task_id, "cart": "C0001"}),
        event(4, "cart.assigned", {"task_id": second.task_id, "cart": "C0009"}),
    )
    assert statuses(reply) == ["applied", "applied", "rejected", "rejected"], reply.text
    results = reply.json()["results"]
    assert results[2]["reason"].startswith(f"cart C0001 is in task {first.task_id}: take another")
    assert "cart C0009 is not registered" in results[3]["reason"]
    cart = site.client.get("/api/v1/carts/C0001", headers=site.login(Role.PICKER)).json()
    assert (cart["state"], cart["task_id"]) == ("in_task", first.task_id)

    # Every line shorted: the tote never closed (nothing in it); finishing frees both.
    done = push(
        site,
        event(5, "pick.shorted", {"task_line_id": first.task_line_id, "missing": 1}),
        event(6, "task.completed", {"task_id": first.task_id}),
    )
    assert statuses(done) == ["applied", "applied"], done.text
    cart = site.client.get("/api/v1/carts/C0001", headers=site.login(Role.PICKER)).json()
    assert (cart["state"], cart["task_id"]) == ("free", None)
    assert tote(site, "T000001")["state"] == "free"
    taken = push(site, event(7, "cart.assigned", {"task_id": second.task_id, "cart": "C0001"}))
    assert statuses(taken) == ["applied"]


def test_a_tote_at_packing_is_free_again_once_its_order_is_packed(site: Site) -> None:
    register(site, tote_ranges=[{"labels": "T000001-T000009"}])
    work = started(site, "SO-1", quantity=2)
    b = block(site)
    key = str(uuid.uuid4())
    task = work.task_id
    reply = push(
        site,
        event(1, "tote.assigned", {"task_id": task, "slot": 1, "tote": "T000003"}),
        event(2, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 2}),
        event(3, "tote.closed", {"task_id": task, "slot": 1, "tote": "T000003"}),
        event(4, "tote.arrived", {"tote": "T000003"}),
    )
    assert statuses(reply) == ["applied"] * 4, reply.text
    assert tote(site, "T000003")["state"] == "at_packing"
    assert tote(site, "T000003")["units"] == 2
    packed = push(
        site,
        event(5, "carton.packed", carton(key, "SO-1", 1, sscc_of(b, 0), {"SKU-SO-1": 2})),
        event(6, "shipment.closed", close(key, "SO-1", 1)),
    )
    assert statuses(packed) == ["applied", "applied"], packed.text
    assert order_status(site, work) == "packed"
    assert tote(site, "T000003") | {"id": 0} == tote(site, "T000003") | {
        "id": 0,
        "state": "free",
        "order_reference": "",
        "units": 0,
        "task_id": None,
        "slot": None,
    }


def test_a_supervisor_frees_an_emptied_tote_but_not_one_still_in_a_task(site: Site) -> None:
    register(site, tote_ranges=[{"labels": "T000001-T000009"}])
    first, second = started(site, "SO-1"), started(site, "SO-2")
    push(
        site,
        event(1, "tote.assigned", {"task_id": first.task_id, "slot": 1, "tote": "T000001"}),
        event(2, "pick.confirmed", {"task_line_id": first.task_line_id, "quantity": 1}),
        event(3, "tote.closed", {"task_id": first.task_id, "slot": 1, "tote": "T000001"}),
        event(4, "tote.assigned", {"task_id": second.task_id, "slot": 1, "tote": "T000002"}),
    )
    supervisor = site.login(Role.SUPERVISOR)
    url = "/api/v1/totes/{}/empty"
    body = {"reason": "found empty at packing"}
    denied = site.client.post(url.format("T000001"), json=body, headers=site.login(Role.PICKER))
    assert denied.status_code == 403
    busy = site.client.post(url.format("T000002"), json=body, headers=supervisor)
    assert busy.status_code == 409
    assert busy.json()["detail"] == (
        f"tote T000002 is in slot 1 of task {second.task_id}: it is freed when that task is "
        "finished"
    )
    assert site.client.post(url.format("T000404"), json=body, headers=supervisor).status_code == 404
    freed = site.client.post(url.format("T000001"), json=body, headers=supervisor)
    assert freed.status_code == 200, freed.text
    assert freed.json()["state"] == "free"
    assert registry_changes(site)[-1]["code"] == "T000001"


def test_one_push_that_takes_a_cart_and_finishes_its_task_leaves_the_cart_free(
    site: Site,
) -> None:
    # An offline station pushes its whole walk at once: the cart taken at set-up must not
    # stay with the task the same push completes.
    register(site, cart_ranges=[{"labels": "C0001-C0002"}], tote_ranges=[{"labels": "T1-T9"}])
    work = started(site, "SO-1")
    task = work.task_id
    reply = push(
        site,
        event(1, "cart.assigned", {"task_id": task, "cart": "C0001"}),
        event(2, "tote.assigned", {"task_id": task, "slot": 1, "tote": "T3"}),
        event(3, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1}),
        event(4, "tote.closed", {"task_id": task, "slot": 1, "tote": "T3"}),
        event(5, "task.completed", {"task_id": task}),
    )
    assert statuses(reply) == ["applied"] * 5, reply.text
    cart = site.client.get("/api/v1/carts/C0001", headers=site.login(Role.PICKER)).json()
    assert (cart["state"], cart["task_id"]) == ("free", None)
    assert tote(site, "T3")["state"] == "travelling"
    last = {(r["kind"], r["code"]): r["state"] for r in registry_changes(site)}
    assert last[("cart", "C0001")] == "free"
    assert last[("tote", "T3")] == "travelling"
