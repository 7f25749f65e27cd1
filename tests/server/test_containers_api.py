"""Carts and totes through the API: registered once, listed with paging, admins only."""

from __future__ import annotations

from tests.server.conftest import Site
from toteflow.domain.roles import Role


def test_containers_register_idempotently_and_list(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    body = {
        "carts": [{"code": "C0001", "slots": 8}, {"code": "C0002", "slots": 4}],
        "totes": [{"code": f"T{n:06d}"} for n in range(1, 6)],
    }
    first = site.client.post("/api/v1/containers", json=body, headers=admin)
    assert first.status_code == 201, first.text
    assert first.json() == {"carts_added": 2, "totes_added": 5}
    again = site.client.post("/api/v1/containers", json=body, headers=admin)
    assert again.json() == {"carts_added": 0, "totes_added": 0}

    picker = site.login(Role.PICKER)
    carts = site.client.get("/api/v1/carts", headers=picker).json()
    assert [(c["code"], c["slots"]) for c in carts["items"]] == [("C0001", 8), ("C0002", 4)]
    totes = site.client.get("/api/v1/totes", params={"limit": 2, "offset": 3}, headers=picker)
    assert [t["code"] for t in totes.json()["items"]] == ["T000004", "T000005"]
    assert totes.json()["total"] == 5

    denied = site.client.post("/api/v1/containers", json=body, headers=picker)
    assert denied.status_code == 403
    bad = site.client.post(
        "/api/v1/containers", json={"carts": [{"code": "C 1", "slots": 0}]}, headers=admin
    )
    assert bad.status_code == 422
