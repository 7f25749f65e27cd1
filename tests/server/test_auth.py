"""Station tokens, badge log-in and sessions: each bad way in gives 401 and is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.server.conftest import BADGES, PINS, Site
from toteflow.central.services import people as people_service
from toteflow.contracts.people import Login, StationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role

PRODUCTS = "/api/v1/products"


def audit(site: Site, action: str) -> list[dict[str, Any]]:
    admin = site.login(Role.ADMIN)
    reply = site.client.get("/api/v1/audit", params={"action": action}, headers=admin)
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def refused(reply: Any, says: str) -> None:
    assert reply.status_code == 401, reply.text
    assert says in reply.json()["detail"]
    assert reply.headers["WWW-Authenticate"] == "Bearer"


def test_requests_without_a_station_token_are_refused(site: Site) -> None:
    login = {"badge": BADGES[Role.PICKER], "pin": PINS[Role.PICKER]}
    for authorization in [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token abc"]:
        headers = {} if authorization is None else {"Authorization": authorization}
        refused(site.client.get(PRODUCTS, headers=headers), "Authorization: Bearer <token>")
        refused(site.client.post("/api/v1/auth/login", json=login, headers=headers), "Bearer")


def test_a_wrong_or_confused_token_is_refused(site: Site) -> None:
    picker = site.login(Role.PICKER)
    wrong = {**picker, "Authorization": "Bearer not-a-real-token"}
    refused(site.client.get(PRODUCTS, headers=wrong), "not registered or its token was revoked")
    # A session token is not a station token, and the station token is not a session.
    swapped = {
        "Authorization": f"Bearer {picker['X-Toteflow-Session']}",
        "X-Toteflow-Session": site.station_token,
    }
    refused(site.client.get(PRODUCTS, headers=swapped), "not registered")
    as_session = {**site.station_headers(), "X-Toteflow-Session": site.station_token}
    refused(site.client.get(PRODUCTS, headers=as_session), "log-in has ended")
    refused(site.client.get(PRODUCTS, headers=site.station_headers()), "log in at the station")


def test_a_session_only_works_at_the_station_it_began_on(site: Site) -> None:
    other = site.parts.services.people.register_station(SYSTEM, StationCreate(name="pack-02"))
    session = site.parts.services.people.login(
        other.station, Login(badge=BADGES[Role.PACKER], pin=PINS[Role.PACKER])
    )
    there = {"Authorization": f"Bearer {other.token}", "X-Toteflow-Session": session.token}
    assert site.client.get(PRODUCTS, headers=there).status_code == 200
    here = {**site.station_headers(), "X-Toteflow-Session": session.token}
    refused(site.client.get(PRODUCTS, headers=here), "belongs to another station")


def test_an_ended_or_expired_session_is_refused(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    picker = site.login(Role.PICKER)
    assert site.client.get("/api/v1/auth/me", headers=picker).json()["role"] == "picker"
    assert site.client.post("/api/v1/auth/logout", headers=picker).status_code == 204
    refused(site.client.get(PRODUCTS, headers=picker), "your log-in has ended")

    packer = site.login(Role.PACKER)
    assert site.client.get(PRODUCTS, headers=packer).status_code == 200
    minutes = site.parts.services.people.policy.session_minutes
    later = datetime.now(UTC) + timedelta(minutes=minutes, seconds=1)
    monkeypatch.setattr(people_service, "_now", lambda: later)
    refused(site.client.get(PRODUCTS, headers=packer), "your log-in has ended")


def test_a_revoked_or_rotated_station_token_stops_working(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    spare = site.client.post("/api/v1/stations", json={"name": "spare-03"}, headers=admin)
    assert spare.status_code == 201, spare.text
    spare_id, first = spare.json()["station"]["id"], spare.json()["token"]
    spare_session = {"Authorization": f"Bearer {first}"}

    rotated = site.client.post(f"/api/v1/stations/{spare_id}/token", headers=admin)
    assert rotated.status_code == 200
    second = rotated.json()["token"]
    assert second != first
    login = {"badge": BADGES[Role.PICKER], "pin": PINS[Role.PICKER]}
    refused(site.client.post("/api/v1/auth/login", json=login, headers=spare_session), "revoked")
    ok = site.client.post(
        "/api/v1/auth/login", json=login, headers={"Authorization": f"Bearer {second}"}
    )
    assert ok.status_code == 200
    session = {"Authorization": f"Bearer {second}", "X-Toteflow-Session": ok.json()["token"]}

    revoked = site.client.post(f"/api/v1/stations/{spare_id}/revoke", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    # The station's people are shut out too: their sessions hang off the revoked token.
    refused(site.client.get(PRODUCTS, headers=session), "revoked: re-register it")
    # The admin's own station is untouched.
    assert site.client.get(PRODUCTS, headers=admin).status_code == 200


def test_a_deactivated_person_is_logged_out_everywhere(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    picker = site.login(Role.PICKER)
    me = site.client.get("/api/v1/auth/me", headers=picker).json()
    off = site.client.patch(f"/api/v1/users/{me['id']}", json={"active": False}, headers=admin)
    assert off.status_code == 200
    assert off.json()["active"] is False
    refused(site.client.get(PRODUCTS, headers=picker), "deactivated")
    login = {"badge": BADGES[Role.PICKER], "pin": PINS[Role.PICKER]}
    again = site.client.post("/api/v1/auth/login", json=login, headers=site.station_headers())
    refused(again, "badge or PIN not recognised")


def test_wrong_pins_lock_the_badge_and_are_audited(site: Site) -> None:
    station = site.station_headers()
    badge = BADGES[Role.PACKER]
    unknown = site.client.post(
        "/api/v1/auth/login", json={"badge": "B77777", "pin": "1234"}, headers=station
    )
    refused(unknown, "badge or PIN not recognised")
    tries = site.parts.services.people.policy.max_failures
    for _ in range(tries):
        wrong = site.client.post(
            "/api/v1/auth/login", json={"badge": badge, "pin": "0000"}, headers=station
        )
        refused(wrong, "badge or PIN not recognised")
    right = site.client.post(
        "/api/v1/auth/login", json={"badge": badge, "pin": PINS[Role.PACKER]}, headers=station
    )
    refused(right, "too many wrong PINs")

    failed = audit(site, "login.failed")
    assert len(failed) == tries + 1
    assert {entry["detail"]["why"] for entry in failed} == {"unknown", "wrong pin"}
    assert all(entry["station_id"] == site.station_id for entry in failed)
    assert [e["detail"]["why"] for e in audit(site, "login.refused")] == ["locked"]


def test_401_and_403_are_both_written_to_the_audit_log(site: Site) -> None:
    refused(site.client.get(PRODUCTS), "Bearer")
    bad_token = {"Authorization": "Bearer nope"}
    refused(site.client.get("/api/v1/orders", headers=bad_token), "not registered")
    refused(site.client.get("/api/v1/zones", headers=site.station_headers()), "log in")
    picker = site.login(Role.PICKER)
    picker_id = site.client.get("/api/v1/auth/me", headers=picker).json()["id"]
    forbidden = site.client.post("/api/v1/orders/SO-1/cancel", json={"reason": "x"}, headers=picker)
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"] == "picker may not manage orders"

    unauthenticated = audit(site, "request.unauthenticated")
    by_what = {entry["entity_id"]: entry for entry in unauthenticated}
    assert set(by_what) == {"GET /api/v1/products", "GET /api/v1/orders", "GET /api/v1/zones"}
    assert all(entry["entity"] == "request" for entry in unauthenticated)
    assert "Bearer" in by_what["GET /api/v1/products"]["detail"]["why"]
    assert by_what["GET /api/v1/products"]["station_id"] is None
    # Once the station is known, the refusal is recorded against it.
    assert by_what["GET /api/v1/zones"]["station_id"] == site.station_id

    (denied,) = audit(site, "request.forbidden")
    assert denied["entity_id"] == "POST /api/v1/orders/SO-1/cancel"
    assert denied["user_id"] == picker_id
    assert denied["station_id"] == site.station_id
    assert denied["detail"]["why"] == "picker may not manage orders"


def test_a_revoked_station_stays_revoked_when_its_token_is_rotated(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    spare = site.client.post("/api/v1/stations", json={"name": "spare-04"}, headers=admin).json()
    spare_id, first = spare["station"]["id"], spare["token"]
    assert site.client.post(f"/api/v1/stations/{spare_id}/revoke", headers=admin).status_code == 200

    rotated = site.client.post(f"/api/v1/stations/{spare_id}/token", headers=admin)
    assert rotated.status_code == 200
    assert rotated.json()["station"]["active"] is False
    login = {"badge": BADGES[Role.PICKER], "pin": PINS[Role.PICKER]}
    for token in [first, rotated.json()["token"]]:
        reply = site.client.post(
            "/api/v1/auth/login", json=login, headers={"Authorization": f"Bearer {token}"}
        )
        refused(reply, "revoked")

    # Re-activating is its own step, with its own token; no earlier token works again.
    activated = site.client.post(f"/api/v1/stations/{spare_id}/activate", headers=admin)
    assert activated.status_code == 200, activated.text
    assert activated.json()["station"]["active"] is True
    fresh = activated.json()["token"]
    for token in [first, rotated.json()["token"]]:
        reply = site.client.post(
            "/api/v1/auth/login", json=login, headers={"Authorization": f"Bearer {token}"}
        )
        refused(reply, "revoked")
    ok = site.client.post(
        "/api/v1/auth/login", json=login, headers={"Authorization": f"Bearer {fresh}"}
    )
    assert ok.status_code == 200
    again = site.client.post(f"/api/v1/stations/{spare_id}/activate", headers=admin)
    assert again.status_code == 409
    assert "rotate its token instead" in again.json()["detail"]

    actions = [
        (e["action"], e["detail"])
        for e in reversed(audit(site, ""))
        if e["entity"] == "station" and e["entity_id"] == str(spare_id)
    ]
    assert actions == [
        ("station.registered", {}),
        ("station.revoked", {}),
        ("station.token_rotated", {"active": False}),
        ("station.reactivated", {}),
    ]
