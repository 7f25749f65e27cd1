"""Every route of the app against every role: an explicit allow/deny table, checked one by one."""

from __future__ import annotations

from typing import Any

import fastapi.routing
from fastapi import FastAPI
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from tests.server.conftest import Site
from toteflow.domain.roles import Role

# Who may call what. Keys are (method, path template) exactly as the app declares them; a
# route missing here fails test_the_table_covers_every_route, so a new endpoint cannot ship
# without a decision about who may call it.
PUBLIC = "no credentials at all"
STATION = "a station token, no person needed"
EVERYONE = frozenset(Role)
# Counting is blind: a counter is never told stock quantities.
STOCK_READERS = EVERYONE - {Role.COUNTER}
MANAGERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
# Supervisors and admins stand in for pickers and packers.
PICKERS = frozenset({Role.PICKER, Role.SUPERVISOR, Role.ADMIN})
PACKERS = frozenset({Role.PACKER, Role.SUPERVISOR, Role.ADMIN})
RECEIVERS = frozenset({Role.RECEIVER, Role.SUPERVISOR, Role.ADMIN})
# Putting away: the receiver who took the goods in, or a picker sent to do it.
PUTTERS_AWAY = PICKERS | RECEIVERS
MOVERS = PICKERS | RECEIVERS | {Role.REPLENISHER}  # MOVE_STOCK: stock moved by hand
COUNTERS = frozenset({Role.COUNTER, Role.SUPERVISOR, Role.ADMIN})

Access = str | frozenset[Role]
API = "/api/v1"
EXPECTED: dict[tuple[str, str], Access] = {
    # documentation and health: open, so load balancers and newcomers can reach them
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    # their scripts and styles, served here: a site's network often has no way out
    ("GET", "/docs-assets/{asset}"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    # log-in
    ("POST", f"{API}/auth/login"): STATION,
    ("POST", f"{API}/auth/logout"): EVERYONE,
    ("GET", f"{API}/auth/me"): EVERYONE,
    # catalogue: read on the floor, stock adjusted by supervisors, master data by admins
    ("GET", f"{API}/products"): EVERYONE,
    ("POST", f"{API}/products"): ADMINS,
    ("GET", f"{API}/products/{{sku}}"): EVERYONE,
    ("GET", f"{API}/zones"): EVERYONE,
    ("GET", f"{API}/locations"): EVERYONE,
    ("POST", f"{API}/locations"): ADMINS,
    ("GET", f"{API}/locations/{{code}}"): EVERYONE,
    ("GET", f"{API}/stock"): STOCK_READERS,
    ("POST", f"{API}/stock/adjustments"): MANAGERS,
    ("GET", f"{API}/stock/locations/{{code}}"): STOCK_READERS,
    ("GET", f"{API}/stock/items/{{code}}"): STOCK_READERS,
    ("POST", f"{API}/stock/moves"): MOVERS,
    ("PUT", f"{API}/products/{{sku}}/storage"): ADMINS,
    ("PUT", f"{API}/locations/{{code}}/storage"): ADMINS,
    # put-away: pickers receive and put away; supervisors release or reject held stock
    ("POST", f"{API}/putaway/suggest"): PUTTERS_AWAY,
    ("POST", f"{API}/putaway/confirm"): PUTTERS_AWAY,
    ("GET", f"{API}/putaway/dock-to-stock"): EVERYONE,
    ("GET", f"{API}/plates"): MANAGERS,
    ("GET", f"{API}/plates/{{plate}}"): STOCK_READERS,
    ("GET", f"{API}/plates/{{plate}}/label"): STOCK_READERS,
    ("POST", f"{API}/plates/{{plate}}/release"): MANAGERS,
    ("POST", f"{API}/plates/{{plate}}/reject"): MANAGERS,
    # replenishment: min/max and the sweep are the supervisors'; the open list is the floor's
    ("GET", f"{API}/face-limits"): EVERYONE,
    ("GET", f"{API}/face-limits/{{location}}/{{sku}}"): EVERYONE,
    ("PUT", f"{API}/face-limits/{{location}}/{{sku}}"): MANAGERS,
    ("POST", f"{API}/face-limits/{{location}}/{{sku}}/replenish"): MANAGERS,
    ("GET", f"{API}/replenishments"): EVERYONE,
    ("GET", f"{API}/replenishments/{{replen_id}}"): EVERYONE,
    ("POST", f"{API}/replenishments/sweep"): MANAGERS,
    # orders: read on the floor; created, changed, held and cancelled by supervisors
    ("GET", f"{API}/orders"): EVERYONE,
    ("POST", f"{API}/orders"): MANAGERS,
    ("POST", f"{API}/orders/batch"): MANAGERS,
    ("GET", f"{API}/orders/{{reference}}"): EVERYONE,
    ("PUT", f"{API}/orders/{{reference}}/lines"): MANAGERS,
    ("POST", f"{API}/orders/{{reference}}/cancel"): MANAGERS,
    ("POST", f"{API}/orders/{{reference}}/hold"): MANAGERS,
    ("POST", f"{API}/orders/{{reference}}/release-hold"): MANAGERS,
    # inbound notices: sent by the ERP (a supervisor's or admin's log-in), read by receivers
    ("GET", f"{API}/notices"): RECEIVERS,
    ("POST", f"{API}/notices"): MANAGERS,
    ("POST", f"{API}/notices/batch"): MANAGERS,
    ("GET", f"{API}/notices/by-sscc/{{sscc}}"): RECEIVERS,
    ("GET", f"{API}/notices/{{reference}}"): RECEIVERS,
    ("POST", f"{API}/notices/{{reference}}/cancel"): MANAGERS,
    ("GET", f"{API}/receiving/policy"): STATION,
    # receiving online (the push's events answered at once); a notice closed by a supervisor
    ("POST", f"{API}/receipts/cases"): PUTTERS_AWAY,
    ("POST", f"{API}/receipts/pallets"): PUTTERS_AWAY,
    ("POST", f"{API}/receipts/not-on-notice"): PUTTERS_AWAY,
    ("POST", f"{API}/receipts/lines/close"): PUTTERS_AWAY,
    ("POST", f"{API}/receipts/finish"): PUTTERS_AWAY,
    ("POST", f"{API}/notices/{{reference}}/close"): MANAGERS,
    ("GET", f"{API}/notices/{{reference}}/receipt"): RECEIVERS,
    ("GET", f"{API}/notices/{{reference}}/receipt.csv"): RECEIVERS,
    # people and stations
    ("GET", f"{API}/users"): MANAGERS,
    ("POST", f"{API}/users"): MANAGERS,
    ("PATCH", f"{API}/users/{{user_id}}"): MANAGERS,
    ("GET", f"{API}/stations"): ADMINS,
    ("POST", f"{API}/stations"): ADMINS,
    ("POST", f"{API}/stations/{{station_id}}/token"): ADMINS,
    ("POST", f"{API}/stations/{{station_id}}/activate"): ADMINS,
    ("POST", f"{API}/stations/{{station_id}}/revoke"): ADMINS,
    ("GET", f"{API}/audit"): MANAGERS,
    # carts and totes: read on the floor, registered by admins
    ("GET", f"{API}/carts"): EVERYONE,
    ("GET", f"{API}/totes"): EVERYONE,
    ("GET", f"{API}/carts/{{code}}"): EVERYONE,
    ("GET", f"{API}/totes/{{code}}"): EVERYONE,
    # a tote emptied by hand is freed by a supervisor
    ("POST", f"{API}/totes/{{code}}/empty"): MANAGERS,
    ("POST", f"{API}/containers"): ADMINS,
    # shipping: packers reserve label numbers; supervisors close manifests and retry webhooks
    ("POST", f"{API}/shipping/sscc-blocks"): PACKERS,
    ("POST", f"{API}/shipping/weight-approvals"): PACKERS,
    ("GET", f"{API}/shipping/pack-orders/{{key}}"): EVERYONE,
    ("GET", f"{API}/shipping/shipments"): EVERYONE,
    ("GET", f"{API}/shipping/shipments.csv"): EVERYONE,
    ("GET", f"{API}/shipping/shipments/{{shipment_id}}"): EVERYONE,
    ("GET", f"{API}/shipping/labels/{{sscc}}"): EVERYONE,
    ("POST", f"{API}/shipping/manifests"): MANAGERS,
    ("GET", f"{API}/shipping/manifests"): EVERYONE,
    ("GET", f"{API}/shipping/webhooks/deliveries"): MANAGERS,
    ("POST", f"{API}/shipping/webhooks/deliveries/{{delivery_id}}/retry"): MANAGERS,
    # station sync: the station itself, whoever is logged in
    ("POST", f"{API}/sync/push"): STATION,
    ("GET", f"{API}/sync/changes"): STATION,
    ("GET", f"{API}/sync/station"): STATION,
    # pick tasks: handed to pickers (and the supervisors and admins who stand in for them)
    ("POST", f"{API}/tasks/next"): PICKERS,
    ("GET", f"{API}/tasks/{{task_id}}"): EVERYONE,
    # waves: followed on the floor; built, released, held and cancelled by supervisors, who
    # also resolve floor exceptions and take tasks back or give them to someone else
    ("GET", f"{API}/waves"): EVERYONE,
    ("POST", f"{API}/waves"): MANAGERS,
    ("GET", f"{API}/waves/templates"): EVERYONE,
    ("GET", f"{API}/waves/pool"): EVERYONE,
    ("POST", f"{API}/waves/preview"): MANAGERS,
    ("GET", f"{API}/waves/{{wave_id}}"): EVERYONE,
    ("GET", f"{API}/waves/{{wave_id}}/preview"): MANAGERS,
    ("POST", f"{API}/waves/{{wave_id}}/release"): MANAGERS,
    ("POST", f"{API}/waves/{{wave_id}}/cancel"): MANAGERS,
    ("POST", f"{API}/waves/{{wave_id}}/hold"): MANAGERS,
    ("POST", f"{API}/waves/{{wave_id}}/resume"): MANAGERS,
    ("GET", f"{API}/waves/{{wave_id}}/progress"): EVERYONE,
    ("GET", f"{API}/exceptions"): MANAGERS,
    ("POST", f"{API}/exceptions/{{exception_id}}/resolve"): MANAGERS,
    ("POST", f"{API}/tasks/{{task_id}}/unassign"): MANAGERS,
    ("POST", f"{API}/tasks/{{task_id}}/reassign"): MANAGERS,
    ("GET", f"{API}/pickers"): MANAGERS,
    # cycle counts: counted (blind) by counters; requested, scheduled and decided by supervisors
    ("GET", f"{API}/counts/open"): COUNTERS,
    ("POST", f"{API}/counts/{{count_id}}/finish"): COUNTERS,
    ("POST", f"{API}/counts/requests"): MANAGERS,
    ("POST", f"{API}/counts/schedule"): MANAGERS,
    ("GET", f"{API}/counts"): MANAGERS,
    ("GET", f"{API}/counts/accuracy"): MANAGERS,
    ("GET", f"{API}/counts/{{count_id}}"): MANAGERS,
    ("POST", f"{API}/counts/{{count_id}}/decision"): MANAGERS,
}

# Path parameters that name nothing: an allowed call ends in 404 (or 422), never changes data.
NOWHERE = {
    "asset": "swagger-ui.css",
    "sku": "NO-SUCH-SKU",
    "code": "99-999-9",
    "reference": "NO-SUCH-ORDER",
    "user_id": "999999",
    "station_id": "999999",
    "task_id": "999999",
    "wave_id": "999999",
    "exception_id": "999999",
    "key": "NO-SUCH-ORDER",
    "shipment_id": "999999",
    "sscc": "000000000000000000",
    "plate": "LP99999999",
    "delivery_id": "999999",
    "count_id": "999999",
    "location": "99-999-9",
    "replen_id": "999999",
}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers flattened."""
    iter_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    routes: list[Any] = list(iter_contexts(app.routes)) if iter_contexts else list(app.routes)
    found = set()
    for route in routes:
        mount = getattr(route, "route", route)  # iter_route_contexts wraps each route
        if isinstance(mount, Mount) and isinstance(mount.app, StaticFiles):
            found.add(("GET", f"{mount.path}/{{asset}}"))
            continue
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", None)
        assert path is not None, f"cannot tell where {route!r} is served"
        assert methods, f"cannot tell which methods {route!r} serves"
        # Starlette answers HEAD wherever it answers GET; the GET entry decides for both.
        found |= {(method, path) for method in methods if method != "HEAD" or "GET" not in methods}
    return found


def openapi_operations(app: FastAPI) -> set[tuple[str, str]]:
    document = app.openapi()
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def call(site: Site, method: str, template: str, headers: dict[str, str]) -> Any:
    path = template.format(**NOWHERE)
    # An empty JSON object: too little for any create (422), enough to reach the role check.
    body = {"json": {}} if method in {"POST", "PUT", "PATCH"} else {}
    return site.client.request(method, path, headers=headers, **body)


def test_the_table_covers_every_route(site: Site) -> None:
    served = app_routes(site.parts.app)
    documented = openapi_operations(site.parts.app)
    assert documented <= served
    missing = sorted(served - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - served)
    assert missing == [], (
        f"routes with no entry in EXPECTED of {__file__} (decide who may call them): {missing}"
    )
    assert stale == [], f"entries in EXPECTED for routes that no longer exist: {stale}"


def test_every_role_is_allowed_or_denied_as_the_table_says(site: Site) -> None:
    sessions = {role: site.login(role) for role in Role}
    station_only = site.station_headers()
    wrong: list[str] = []

    def expect(ok: bool, what: str, reply: Any) -> None:
        if not ok:
            wrong.append(f"{what}: got {reply.status_code} {reply.text[:120]}")

    for (method, template), access in sorted(EXPECTED.items()):
        route = f"{method} {template}"
        anonymous = call(site, method, template, {})
        if access == PUBLIC:
            expect(anonymous.status_code == 200, f"{route} without credentials", anonymous)
            continue
        expect(anonymous.status_code == 401, f"{route} without credentials", anonymous)
        no_person = call(site, method, template, station_only)
        if access == STATION:
            allowed = no_person.status_code not in (401, 403)
            expect(allowed, f"{route} with the station token only", no_person)
            continue
        expect(no_person.status_code == 401, f"{route} with no one logged in", no_person)
        assert isinstance(access, frozenset)
        for role in Role:
            headers = site.login(role) if template.endswith("/logout") else sessions[role]
            reply = call(site, method, template, headers)
            if role in access:
                # Allowed: past the role check; the empty body or unknown id decides the rest.
                ok = reply.status_code not in (401, 403) and reply.status_code < 500
                expect(ok, f"{route} as {role} (allowed)", reply)
            else:
                expect(reply.status_code == 403, f"{route} as {role} (denied)", reply)

    assert wrong == [], "\n".join(wrong)


def test_a_denied_role_changes_nothing(site: Site) -> None:
    """A refusal is decided before the body is used: a picker's valid order is not created."""
    picker = site.login(Role.PICKER)
    order = {
        "reference": "SO-PICKER",
        "customer_name": "Ada Buyer",
        "ship_to": {
            "name": "Ada Buyer",
            "line1": "1 Main St",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
        },
        "carrier": "UPS",
        "service": "GROUND",
        "ship_by": "2026-12-01",
        "lines": [{"sku": "SKU-1", "quantity": 1}],
    }
    refused = site.client.post(f"{API}/orders", json=order, headers=picker)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "picker may not manage orders"
    user = {"name": "Sneaky", "badge": "B99999", "pin": "9999", "role": "admin"}
    assert site.client.post(f"{API}/users", json=user, headers=picker).status_code == 403
    admin = site.login(Role.ADMIN)
    assert site.client.get(f"{API}/orders/SO-PICKER", headers=admin).status_code == 404
    users = site.client.get(f"{API}/users", headers=admin).json()["items"]
    assert "B99999" not in {u["badge"] for u in users}
