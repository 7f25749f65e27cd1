"""Only admins make or change admins; nobody changes their own role; one admin always stays."""

from __future__ import annotations

import threading

import pytest

from tests.server.conftest import BADGES, Site
from toteflow.contracts.people import UserCreate, UserUpdate
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Role


def _id_of(site: Site, headers: dict[str, str], role: Role) -> int:
    users = site.client.get("/api/v1/users", headers=headers).json()["items"]
    return next(u["id"] for u in users if u["badge"] == BADGES[role])


def test_a_supervisor_cannot_reach_admin_rights(site: Site) -> None:
    supervisor = site.login(Role.SUPERVISOR)
    me = _id_of(site, supervisor, Role.SUPERVISOR)
    admin_id = _id_of(site, supervisor, Role.ADMIN)

    promote = site.client.patch(f"/api/v1/users/{me}", json={"role": "admin"}, headers=supervisor)
    assert promote.status_code == 403
    assert promote.json()["detail"] == "only an admin may create or change an admin"
    demote = site.client.patch(f"/api/v1/users/{me}", json={"role": "picker"}, headers=supervisor)
    assert demote.status_code == 403
    assert "own role" in demote.json()["detail"]
    repin = site.client.patch(f"/api/v1/users/{admin_id}", json={"pin": "9999"}, headers=supervisor)
    assert repin.status_code == 403
    new_admin = site.client.post(
        "/api/v1/users",
        json={"name": "Eve", "badge": "B66666", "pin": "6666", "role": "admin"},
        headers=supervisor,
    )
    assert new_admin.status_code == 403

    picker = site.client.post(
        "/api/v1/users",
        json={"name": "Pat", "badge": "B55555", "pin": "5555", "role": "picker"},
        headers=supervisor,
    )
    assert picker.status_code == 201
    renamed = site.client.patch(f"/api/v1/users/{me}", json={"name": "Sam S."}, headers=supervisor)
    assert renamed.status_code == 200


def test_an_admin_may_promote(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    supervisor_id = _id_of(site, admin, Role.SUPERVISOR)
    promoted = site.client.patch(
        f"/api/v1/users/{supervisor_id}", json={"role": "admin"}, headers=admin
    )
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "admin"


def test_nobody_changes_their_own_role_or_deactivates_themselves(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    me = _id_of(site, admin, Role.ADMIN)
    # Another admin exists, so only the rule about oneself can refuse these.
    other = site.client.post(
        "/api/v1/users",
        json={"name": "Ada Admin", "badge": "B40002", "pin": "4040", "role": "admin"},
        headers=admin,
    )
    assert other.status_code == 201
    demote = site.client.patch(f"/api/v1/users/{me}", json={"role": "supervisor"}, headers=admin)
    assert demote.status_code == 403, demote.text
    assert "own role" in demote.json()["detail"]
    off = site.client.patch(f"/api/v1/users/{me}", json={"active": False}, headers=admin)
    assert off.status_code == 403, off.text
    assert "deactivate themselves" in off.json()["detail"]
    # Leaving them as they are, or renaming oneself, is fine.
    same = site.client.patch(
        f"/api/v1/users/{me}", json={"role": "admin", "active": True}, headers=admin
    )
    assert same.status_code == 200
    assert same.json()["role"] == "admin"
    assert same.json()["active"] is True


def test_the_last_active_admin_is_never_demoted_or_deactivated(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    me = _id_of(site, admin, Role.ADMIN)
    ada = site.client.post(
        "/api/v1/users",
        json={"name": "Ada Admin", "badge": "B40002", "pin": "4040", "role": "admin"},
        headers=admin,
    ).json()["id"]
    session = site.client.post(
        "/api/v1/auth/login",
        json={"badge": "B40002", "pin": "4040"},
        headers=site.station_headers(),
    ).json()["token"]
    as_ada = {**site.station_headers(), "X-Toteflow-Session": session}
    # With two admins, one may step the other down.
    demoted = site.client.patch(f"/api/v1/users/{me}", json={"role": "picker"}, headers=as_ada)
    assert demoted.status_code == 200, demoted.text
    users = site.client.get("/api/v1/users", headers=as_ada).json()["items"]
    assert [u["id"] for u in users if u["role"] == "admin" and u["active"]] == [ada]
    # Ada is now the last: through the service (the CLI, a script) she is refused too.
    people = site.parts.services.people
    for change in [UserUpdate(role=Role.SUPERVISOR), UserUpdate(active=False)]:
        with pytest.raises(Refused, match="Ada Admin is the last active admin"):
            people.update_user(SYSTEM, ada, change)


def test_two_admins_demoting_each_other_at_once_leave_one_admin(site: Site) -> None:
    people = site.parts.services.people
    first = people.add_user(
        SYSTEM, UserCreate(name="Ada", badge="B40002", pin="4040", role=Role.ADMIN)
    )
    second = people.add_user(
        SYSTEM, UserCreate(name="Bo", badge="B40003", pin="4041", role=Role.ADMIN)
    )
    site_admin = next(
        u.id for u in people.users(SYSTEM, 0, 50).items if u.badge == BADGES[Role.ADMIN]
    )
    # The site's own admin steps aside, leaving Ada and Bo.
    people.update_user(
        Actor(first.id, None, Role.ADMIN), site_admin, UserUpdate(role=Role.SUPERVISOR)
    )
    answers: list[str] = []
    start = threading.Barrier(2)

    def demote(actor_id: int, target: int) -> None:
        start.wait()
        try:
            people.update_user(
                Actor(actor_id, None, Role.ADMIN), target, UserUpdate(role=Role.PICKER)
            )
        except Refused as refusal:
            answers.append(str(refusal))
        else:
            answers.append("demoted")

    threads = [
        threading.Thread(target=demote, args=(first.id, second.id)),
        threading.Thread(target=demote, args=(second.id, first.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers.count("demoted") == 1, answers
    assert next(a for a in answers if a != "demoted").endswith(
        "is the last active admin: make another person an admin first"
    )
    users = people.users(SYSTEM, 0, 50).items
    assert len([u for u in users if u.role == Role.ADMIN and u.active]) == 1
