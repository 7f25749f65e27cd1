"""A push's events: one naming an unknown user is refused alone, an id sent twice is a 4xx."""

from __future__ import annotations

import sqlalchemy as sa

from tests.server.conftest import Site
from tests.server.test_sync_api import event, push, stock_of
from tests.support.floor import released_task
from toteflow.central.store import tables as t
from toteflow.domain.roles import Role

STRANGER = 999_999


def test_an_event_of_an_unknown_user_is_refused_alone_with_its_reason(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post("/api/v1/tasks/next", headers=site.login(Role.PICKER))
    line = work.task_line_id
    first = event(1, "pick.confirmed", {"task_line_id": line, "quantity": 1})
    stranger = {**event(2, "pick.confirmed", {"task_line_id": line, "quantity": 1})}
    stranger["user_id"] = STRANGER
    odd_type = {**event(3, "label.teleported", {}), "user_id": STRANGER}
    behind = event(4, "pick.confirmed", {"task_line_id": line, "quantity": 2})

    reply = push(site, first, stranger, odd_type, behind)

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert [r["status"] for r in body["results"]] == ["applied", "rejected", "rejected", "applied"]
    assert [r["seq"] for r in body["results"]] == [1, 2, 3, 4]
    assert body["last_seq"] == 4
    assert body["gap"] is False
    for refused in body["results"][1:3]:
        assert refused["reason"].startswith(f"user {STRANGER} is not known to this server")
    # The two known events moved 3 units; the stranger's unit did not move.
    assert stock_of(site, work) == (7, 1)
    with site.parts.engine.connect() as connection:
        fe = t.cols(t.FloorException)
        exceptions = connection.execute(sa.select(fe.kind, fe.user_id, fe.detail)).all()
    assert [(kind, user) for kind, user, _ in exceptions] == [("rejected_event", None)] * 2
    assert all(detail["user_id"] == STRANGER for _, _, detail in exceptions)

    # A retry gets the stored answers, the refusals included.
    again = push(site, first, stranger, odd_type, behind).json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 4
    assert again["results"][1]["result"]["outcome"] == "rejected"


def test_an_event_id_sent_twice_is_a_4xx_on_both_databases(site: Site) -> None:
    same = "6f1c2ab4-3a64-4d33-9d0b-4c1b5e0d2f10"
    twice = push(site, event(1, "a.a", {}, id_=same), event(2, "a.a", {}, id_=same))
    assert twice.status_code == 422, twice.text
    assert "each event needs its own id" in twice.text
    # Across batches: the first is stored; the second, under a new sequence number, clashes.
    assert push(site, event(1, "a.a", {}, id_=same)).status_code == 200
    reused = push(site, event(2, "a.a", {}, id_=same))
    assert reused.status_code == 409, reused.text
