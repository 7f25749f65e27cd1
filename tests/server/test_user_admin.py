"""Only admins make or change admins, and nobody promotes themselves."""

from __future__ import annotations

from tests.server.conftest import BADGES, Site
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
