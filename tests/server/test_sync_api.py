"""Sync on the server: events applied exactly once, gaps refused, rejections explained, feed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tests.server.conftest import Site
from tests.support.floor import Work, released_task
from toteflow.central.store import tables as t
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role


def event(
    seq: int, type_: str, payload: dict[str, Any], *, id_: str | None = None
) -> dict[str, Any]:
    return {
        "id": id_ or str(uuid.uuid4()),
        "seq": seq,
        "user_id": 1,
        "type": type_,
        "payload": payload,
        "station_time": datetime.now(UTC).isoformat(),
    }


def push(site: Site, *events: dict[str, Any], station_id: int | None = None) -> Any:
    return site.client.post(
        "/api/v1/sync/push",
        json={"station_id": station_id or site.station_id, "events": list(events)},
        headers=site.station_headers(),
    )


def stock_of(site: Site, work: Work) -> tuple[int, int]:
    with site.parts.engine.connect() as connection:
        row = connection.execute(
            sa.select(t.cols(t.Stock).quantity, t.cols(t.Stock).reserved).where(
                t.cols(t.Stock).id == work.stock_id
            )
        ).one()
    return row.quantity, row.reserved


def order_status(site: Site, work: Work) -> str:
    with site.parts.engine.connect() as connection:
        return str(
            connection.execute(
                sa.select(t.cols(t.Order).status).where(t.cols(t.Order).id == work.order_id)
            ).scalar_one()
        )


def test_next_task_goes_to_one_picker_and_into_the_station_feed(site: Site) -> None:
    work = released_task(site.parts.engine)
    picker = site.login(Role.PICKER)
    first = site.client.post("/api/v1/tasks/next", headers=picker)
    assert first.status_code == 200, first.text
    task = first.json()
    assert task["id"] == work.task_id
    assert task["status"] == "assigned"
    assert task["lines"][0]["units"][0]["barcode"] == "4006381333931"
    assert task["lines"][0]["location"] == "01-001-1"
    none_left = site.client.post("/api/v1/tasks/next", headers=site.login(Role.SUPERVISOR))
    assert none_left.status_code == 204

    feed = site.client.get("/api/v1/sync/changes", headers=site.station_headers()).json()
    assert [c["kind"] for c in feed["changes"]] == ["task.assigned"]
    assert feed["changes"][0]["payload"]["id"] == work.task_id
    later = site.client.get(
        "/api/v1/sync/changes", params={"since": feed["cursor"]}, headers=site.station_headers()
    ).json()
    assert later["changes"] == []
    assert later["cursor"] == feed["cursor"]


def test_pick_is_applied_once_and_a_retry_gets_the_same_answer(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    pick = event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 2})

    first = push(site, pick).json()
    assert first["results"][0]["status"] == "applied"
    assert first["last_seq"] == 1
    assert stock_of(site, work) == (8, 2)
    assert order_status(site, work) == "picking"

    again = push(site, pick).json()
    assert again["results"][0]["status"] == "duplicate"
    assert again["results"][0]["result"]["outcome"] == "applied"
    assert stock_of(site, work) == (8, 2)

    rest = event(2, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 2})
    push(site, rest)
    assert stock_of(site, work) == (6, 0)
    assert order_status(site, work) == "picked"


def test_a_gap_stops_the_batch_and_says_where_to_resume(site: Site) -> None:
    work = released_task(site.parts.engine)
    reply = push(
        site, event(3, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1})
    )
    assert reply.json() == {"results": [], "last_seq": 0, "gap": True}
    assert stock_of(site, work) == (10, 4)


def test_rejections_explain_themselves_and_do_not_block_later_events(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    too_many = event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 5})
    unknown = event(2, "label.teleported", {})
    malformed = event(3, "pick.confirmed", {"task_line_id": "x"})
    fine = event(4, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1})
    results = push(site, too_many, unknown, malformed, fine).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert results[0]["reason"] == "only 4 left to pick on this line, not 5: put 1 back at 01-001-1"
    assert "does not know event type label.teleported" in results[1]["reason"]
    assert "malformed" in results[2]["reason"]
    assert stock_of(site, work) == (9, 3)
    with site.parts.engine.connect() as connection:
        kinds = connection.execute(sa.select(t.cols(t.FloorException).kind)).scalars().all()
    assert kinds == ["rejected_event"] * 3


def test_pick_after_cancellation_is_rejected_with_where_to_return(site: Site) -> None:
    work = released_task(site.parts.engine)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    with site.parts.engine.begin() as connection:
        connection.execute(
            sa.update(t.Order).where(t.cols(t.Order).id == work.order_id).values(status="cancelled")
        )
    reply = push(
        site, event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 2})
    )
    result = reply.json()["results"][0]
    assert result["status"] == "rejected"
    assert result["reason"] == "order SO-1 was cancelled: put the 2 units back at 01-001-1"
    assert stock_of(site, work) == (10, 4)


def test_short_releases_the_reservation_and_opens_an_exception(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    results = push(
        site,
        event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1}),
        event(
            2, "pick.shorted", {"task_line_id": work.task_line_id, "missing": 3, "reason": "empty"}
        ),
        event(3, "pick.undone", {"task_line_id": work.task_line_id, "quantity": 1}),
    ).json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    assert stock_of(site, work) == (10, 1)
    with site.parts.engine.connect() as connection:
        reasons = connection.execute(sa.select(t.cols(t.FloorException).reason)).scalars().all()
    assert reasons == ["3 short at 01-001-1 for order SO-1 (empty)"]


def last_seq(site: Site, station_id: int) -> int:
    with site.parts.engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(t.cols(t.Station).last_seq).where(t.cols(t.Station).id == station_id)
            ).scalar_one()
        )


def audit(site: Site, action: str) -> list[dict[str, Any]]:
    reply = site.client.get(
        "/api/v1/audit", params={"action": action}, headers=site.login(Role.ADMIN)
    )
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def test_a_station_cannot_push_for_another(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    other = site.client.post("/api/v1/stations", json={"name": "other-02"}, headers=admin).json()
    other_id = other["station"]["id"]
    for station_id in (other_id, other_id + 1):  # another station's, and one that is not there
        reply = push(site, event(1, "task.started", {"task_id": 1}), station_id=station_id)
        assert reply.status_code == 403
        assert reply.json()["detail"] == (
            f"this token belongs to station {site.station_id}, not {station_id}"
        )
    assert last_seq(site, other_id) == 0
    # The refusal is recorded against the station whose token it was.
    denied = audit(site, "request.forbidden")
    assert [d["station_id"] for d in denied] == [site.station_id] * 2


def test_a_push_with_a_revoked_or_unknown_token_changes_nothing(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    first = event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1})
    second = event(2, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1})
    unknown = {"Authorization": "Bearer not-a-token"}
    body = {"station_id": site.station_id, "events": [second]}
    refused = site.client.post("/api/v1/sync/push", json=body, headers=unknown)
    assert refused.status_code == 401
    assert "not registered" in refused.json()["detail"]
    # A bad token is refused whatever the body, as on every other route, and audited.
    malformed = site.client.post("/api/v1/sync/push", json={"events": "x"}, headers=unknown)
    assert malformed.status_code == 401
    assert len(audit(site, "request.unauthenticated")) == 2

    # Revoked after a push found it good: refused all the same.
    assert push(site, first).json()["results"][0]["status"] == "applied"
    admin = site.login(Role.ADMIN)
    assert site.client.post(f"/api/v1/stations/{site.station_id}/revoke", headers=admin).is_success
    revoked = push(site, second)
    assert revoked.status_code == 401
    assert "revoked: re-register it" in revoked.json()["detail"]
    assert stock_of(site, work) == (9, 3)
    assert last_seq(site, site.station_id) == 1


def test_a_push_marks_the_station_seen(site: Site) -> None:
    work = released_task(site.parts.engine)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    with site.parts.engine.begin() as connection:
        connection.execute(sa.update(t.Station).values(last_seen_at=None))
    push(site, event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1}))
    with site.parts.engine.connect() as connection:
        seen = connection.execute(
            sa.select(t.cols(t.Station).last_seen_at).where(t.cols(t.Station).id == site.station_id)
        ).scalar_one()
    assert seen is not None


# Text a bulk load must escape: COPY's own delimiters, its NULL marker, quotes, non-ASCII.
AWKWARD = 'tab\there, new\nline, back\\slash, \\N, "quoted", \u00e9t\u00e9 \u2603'


def test_stored_answers_and_audit_keep_awkward_text_exactly(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    payload = {"task_line_id": work.task_line_id, "quantity": 1, "lot": AWKWARD, "x": None}
    pick = event(1, "pick.confirmed", payload)
    odd = event(2, "label.teleported", {"note": AWKWARD, "nested": {"list": [AWKWARD, 1.5]}})
    first = push(site, pick, odd).json()["results"]
    assert [r["status"] for r in first] == ["applied", "rejected"]

    again = push(site, pick, odd).json()["results"]
    assert [r["result"] for r in again] == [
        {**first[0]["result"], "outcome": "applied"},
        {"outcome": "rejected"},
    ]
    assert again[1]["reason"] == first[1]["reason"]
    entries = {e["event_id"]: e for e in audit(site, "pick.confirmed")}
    assert entries[pick["id"]]["detail"]["payload"] == payload
    assert entries[pick["id"]]["detail"]["seq"] == 1
    (rejected,) = audit(site, "event.rejected")
    assert rejected["event_id"] == odd["id"]
    assert rejected["detail"]["type"] == "label.teleported"


def test_cancelling_an_order_frees_its_stock_and_tells_every_station(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    push(site, event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1}))
    supervisor = site.login(Role.SUPERVISOR)
    cancelled = site.client.post(
        "/api/v1/orders/SO-1/cancel", json={"reason": "customer called"}, headers=supervisor
    )
    assert cancelled.status_code == 200, cancelled.text
    assert stock_of(site, work) == (9, 0)  # the 3 still reserved are free again
    feed = site.client.get("/api/v1/sync/changes", headers=site.station_headers()).json()
    change = feed["changes"][-1]
    assert change["kind"] == "order.cancelled"
    (told,) = change["payload"]["picked"]
    assert {k: v for k, v in told.items() if k != "exception_id"} == {
        "task_id": work.task_id,
        "task_line_id": work.task_line_id,
        "picked": 1,
        "location": "01-001-1",
        "tote": "",
    }
    late = push(
        site, event(2, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 1})
    )
    assert late.json()["results"][0]["status"] == "rejected"


def test_events_in_one_batch_see_each_other(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    line = work.task_line_id
    results = push(
        site,
        event(1, "pick.confirmed", {"task_line_id": line, "quantity": 3}),
        event(2, "pick.confirmed", {"task_line_id": line, "quantity": 2}),
        event(3, "pick.confirmed", {"task_line_id": 999_999, "quantity": 1}),
        event(4, "task.completed", {"task_id": work.task_id}),
        event(5, "pick.confirmed", {"task_line_id": line, "quantity": 1}),
    ).json()["results"]
    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "rejected",
        "applied",
        "rejected",
    ]
    assert results[1]["reason"] == "only 1 left to pick on this line, not 2: put 1 back at 01-001-1"
    assert results[2]["reason"] == "there is no task line 999999 on the server"
    assert results[4]["reason"] == "the task is done: its lines cannot be picked"
    assert stock_of(site, work) == (7, 1)


def test_a_refused_picks_units_are_put_back_once_where_the_picker_scanned(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    released_task(
        site.parts.engine,
        reference="SO-2",
        sku="SKU-T2",
        location="01-002-1",
        barcode="4006381333948",
    )
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    site.parts.services.orders.cancel(SYSTEM, "SO-1", "customer called")
    assert stock_of(site, work) == (10, 0)
    pick = event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 2})
    assert push(site, pick).json()["results"][0]["status"] == "rejected"

    def put_back(seq: int, location: str, quantity: int = 2) -> dict[str, Any]:
        return event(
            seq,
            "stock.put_back",
            {
                "refused_event": pick["id"],
                "task_line_id": work.task_line_id,
                "quantity": quantity,
                "location": location,
            },
        )

    nowhere, too_few = put_back(2, "09-099-9"), put_back(3, "01-002-1", quantity=1)
    shelf, again = put_back(4, "01-002-1"), put_back(5, "01-001-1")
    results = push(site, nowhere, too_few, shelf, again).json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "there is no location 09-099-9: put the units on a shelf"),
        ("rejected", "the refused pick held 2 units: put back all 2"),
        ("applied", ""),
        ("rejected", f"these units were put back already (event {shelf['id']})"),
    ]
    assert results[2]["result"] == {"location": "01-002-1", "quantity": 2, "moved_from": "01-001-1"}
    # A retry of the applied one changes nothing.
    assert push(site, shelf).json()["results"][0]["status"] == "duplicate"
    assert stock_of(site, work) == (8, 0)
    stock, loc, product = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Product)
    with site.parts.engine.connect() as connection:
        moved = connection.execute(
            sa.select(stock.quantity, stock.reserved)
            .join(t.table(t.Location), loc.id == stock.location_id)
            .join(t.table(t.Product), product.id == stock.product_id)
            .where(loc.code == "01-002-1", product.sku == "SKU-T1")
        ).all()
        fe = t.cols(t.FloorException)
        refusal = connection.execute(
            sa.select(fe.status, fe.resolution).where(fe.event_id == pick["id"])
        ).one()
    assert [tuple(row) for row in moved] == [(2, 0)]
    assert tuple(refusal) == ("resolved", f"2 put back at 01-002-1 (station {site.station_id})")


def test_units_put_back_where_they_were_taken_move_no_stock(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    site.parts.services.orders.cancel(SYSTEM, "SO-1", "customer called")
    pick = event(1, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 3})
    back = event(
        2,
        "stock.put_back",
        {
            "refused_event": pick["id"],
            "task_line_id": work.task_line_id,
            "quantity": 3,
            "location": "01-001-1",
        },
    )
    results = push(site, pick, back).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied"]
    # The refused pick never left the books: back on its own shelf, nothing moves.
    assert stock_of(site, work) == (10, 0)


def cancelled_after_a_pick(site: Site) -> tuple[Work, dict[str, Any]]:
    """SO-1: 3 of 4 picked (into tote T-9) and applied, then cancelled; its exception."""
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    released_task(
        site.parts.engine,
        reference="SO-2",
        sku="SKU-T2",
        location="01-002-1",
        barcode="4006381333948",
    )
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    tote = event(1, "tote.assigned", {"task_id": work.task_id, "slot": 1, "tote": "T-9"})
    pick = event(2, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": 3})
    assert [r["status"] for r in push(site, tote, pick).json()["results"]] == [
        "applied",
        "applied",
    ]
    assert stock_of(site, work) == (7, 1)
    supervisor = site.login(Role.SUPERVISOR)
    cancelled = site.client.post(
        "/api/v1/orders/SO-1/cancel", json={"reason": "customer called"}, headers=supervisor
    )
    assert cancelled.status_code == 200, cancelled.text
    # The 3 picked are off the shelf's books and in the tote; the 1 reserved is free again.
    assert stock_of(site, work) == (7, 0)
    listed = site.client.get(
        "/api/v1/exceptions", params={"kind": "put_back_cancelled"}, headers=supervisor
    ).json()["items"]
    (found,) = listed
    return work, found


def test_cancelling_after_a_pick_opens_a_put_back_and_tells_the_station(site: Site) -> None:
    work, found = cancelled_after_a_pick(site)
    assert found["status"] == "open"
    assert found["order_reference"] == "SO-1"
    assert found["task_line_id"] == work.task_line_id
    assert found["station_id"] == site.station_id
    assert found["reason"] == (
        "order SO-1 was cancelled (customer called) after 3 x SKU-T1 were picked "
        "from 01-001-1 (tote T-9): put them back"
    )
    assert {k: found["detail"][k] for k in ("sku", "quantity", "location", "tote")} == {
        "sku": "SKU-T1",
        "quantity": 3,
        "location": "01-001-1",
        "tote": "T-9",
    }
    feed = site.client.get("/api/v1/sync/changes", headers=site.station_headers()).json()
    (told,) = feed["changes"][-1]["payload"]["picked"]
    assert told["exception_id"] == found["id"]
    assert (told["picked"], told["tote"]) == (3, "T-9")


def put_back_cancelled(
    seq: int, work: Work, exception_id: int, location: str, quantity: int = 3
) -> dict[str, Any]:
    return event(
        seq,
        "stock.put_back",
        {
            "exception_id": exception_id,
            "task_line_id": work.task_line_id,
            "quantity": quantity,
            "location": location,
        },
    )


def test_a_cancelled_picks_units_count_again_once_where_they_are_put(site: Site) -> None:
    work, found = cancelled_after_a_pick(site)
    unknown = put_back_cancelled(3, work, found["id"] + 1000, "01-001-1")
    too_few = put_back_cancelled(4, work, found["id"], "01-001-1", quantity=2)
    both = event(
        5,
        "stock.put_back",
        {
            "exception_id": found["id"],
            "refused_event": str(uuid.uuid4()),
            "task_line_id": work.task_line_id,
            "quantity": 3,
            "location": "01-001-1",
        },
    )
    back = put_back_cancelled(6, work, found["id"], "01-001-1")
    again = put_back_cancelled(7, work, found["id"], "01-002-1")
    results = push(site, unknown, too_few, both, back, again).json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        (
            "rejected",
            f"there is no cancelled pick to put back under exception {found['id'] + 1000}",
        ),
        ("rejected", "the cancelled pick held 3 units: put back all 3"),
        (
            "rejected",
            "stock.put_back event is malformed: name either refused_event or exception_id",
        ),
        ("applied", ""),
        ("rejected", f"these units were put back already (event {back['id']})"),
    ]
    # Back on their own shelf they count again: the pick took them off, the put-back adds
    # them, and nothing takes them off a second time.
    assert stock_of(site, work) == (10, 0)
    assert push(site, back).json()["results"][0]["status"] == "duplicate"
    assert stock_of(site, work) == (10, 0)
    supervisor = site.login(Role.SUPERVISOR)
    resolved = site.client.get(
        "/api/v1/exceptions",
        params={"kind": "put_back_cancelled", "status": "resolved"},
        headers=supervisor,
    ).json()["items"]
    assert [(e["id"], e["resolution"]) for e in resolved] == [
        (found["id"], f"3 put back at 01-001-1 (station {site.station_id})")
    ]


def test_a_cancelled_pick_put_back_elsewhere_counts_there_only(site: Site) -> None:
    work, found = cancelled_after_a_pick(site)
    result = push(site, put_back_cancelled(3, work, found["id"], "01-002-1")).json()["results"]
    assert result[0]["status"] == "applied"
    assert stock_of(site, work) == (7, 0)  # not taken off its own shelf a second time
    stock, loc, product = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Product)
    with site.parts.engine.connect() as connection:
        there = connection.execute(
            sa.select(stock.quantity)
            .join(t.table(t.Location), loc.id == stock.location_id)
            .join(t.table(t.Product), product.id == stock.product_id)
            .where(loc.code == "01-002-1", product.sku == "SKU-T1")
        ).scalars()
        assert list(there) == [3]


def test_a_supervisor_resolves_a_cancelled_pick_and_a_late_put_back_still_counts_once(
    site: Site,
) -> None:
    work, found = cancelled_after_a_pick(site)
    supervisor = site.login(Role.SUPERVISOR)
    closed = site.client.post(
        f"/api/v1/exceptions/{found['id']}/resolve",
        json={"action": "close", "note": "units back on 01-001-1"},
        headers=supervisor,
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["exception"]["status"] == "resolved"
    assert stock_of(site, work) == (7, 0)  # closing it is a note: no stock moves
    again = site.client.post(
        f"/api/v1/exceptions/{found['id']}/resolve", json={"action": "close"}, headers=supervisor
    )
    assert again.status_code == 409, again.text
    # The picker scans the shelf afterwards: the units count once, and the record says so.
    first = put_back_cancelled(3, work, found["id"], "01-001-1")
    second = put_back_cancelled(4, work, found["id"], "01-001-1")
    results = push(site, first, second).json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert stock_of(site, work) == (10, 0)
    listed = site.client.get(
        "/api/v1/exceptions",
        params={"kind": "put_back_cancelled", "status": "resolved"},
        headers=supervisor,
    ).json()["items"]
    assert [e["resolution"] for e in listed] == [
        f"units back on 01-001-1; then 3 put back at 01-001-1 (station {site.station_id})"
    ]
