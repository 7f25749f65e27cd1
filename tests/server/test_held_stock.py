"""The held-stock list on SQLite and PostgreSQL: damaged, quality hold, not on the notice."""

from __future__ import annotations

from tests.server.conftest import Site
from tests.support.receiving import API, REF, Pusher, case, configure, dock_with_notice, user_id
from toteflow.contracts import notices as n
from toteflow.domain.roles import Role

CASE = "receipt.case_received"


def test_supervisors_list_held_plates_oldest_first_with_why(site: Site) -> None:
    dock_with_notice(site)
    receiver = user_id(site, Role.RECEIVER)
    configure(site, products={"SKU-B": n.ProductRules(inspect=True)})
    station = Pusher(site)
    damaged = case(damaged=[{"reason": "crushed", "quantity": 3}])
    inspected = case(line_no=2, sku="SKU-B", lot="", expiry=None, quantity=8)
    extra = {"notice": REF, "scanned": "BC-SKU-C", "sku": "SKU-C", "quantity": 4, "dock": "DOCK-01"}
    for kind, body in ((CASE, damaged), (CASE, inspected), ("receipt.not_on_notice", extra)):
        [result] = station.push(station.make(kind, body, receiver))
        assert result["status"] == "applied", result
    boss = site.login(Role.SUPERVISOR)
    reply = site.client.get(f"{API}/plates", params={"status": "held"}, headers=boss)
    assert reply.status_code == 200, reply.text
    page = reply.json()
    assert page["total"] == 3
    listed = [
        (p["sku"], p["quantity"], p["location"], p["held_as"], p["why"], p["notice"])
        for p in page["items"]
    ]
    assert listed == [
        ("SKU-A", 3, "QUAR-01", "damaged", "damaged (crushed 3)", REF),
        ("SKU-B", 8, "QUAL-01", "quality", "quality hold (inspection)", REF),
        ("SKU-C", 4, "QUAR-01", "not_on_notice", f"not on notice {REF}", REF),
    ]
    first = page["items"][0]
    assert (first["lot"], first["expiry"], first["damage"]) == ("L1", "2027-06-30", {"crushed": 3})
    # Paged like the other lists; a released plate is no longer held.
    reply = site.client.get(f"{API}/plates?status=held&offset=1&limit=1", headers=boss)
    [second] = reply.json()["items"]
    assert second["sku"] == "SKU-B"
    site.client.post(f"{API}/plates/{second['code']}/release", json={}, headers=boss)
    reply = site.client.get(f"{API}/plates?status=held", headers=boss)
    assert [p["sku"] for p in reply.json()["items"]] == ["SKU-A", "SKU-C"]


def test_the_held_list_is_for_supervisors_and_only_by_status_held(site: Site) -> None:
    reply = site.client.get(f"{API}/plates?status=held", headers=site.login(Role.RECEIVER))
    assert reply.status_code == 403
    boss = site.login(Role.SUPERVISOR)
    assert site.client.get(f"{API}/plates", headers=boss).status_code == 422
    assert site.client.get(f"{API}/plates?status=stored", headers=boss).status_code == 422
    reply = site.client.get(f"{API}/plates?status=held", headers=boss)
    assert reply.json() == {"items": [], "total": 0, "offset": 0, "limit": reply.json()["limit"]}
