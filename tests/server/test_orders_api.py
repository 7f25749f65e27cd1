"""Orders through the API on SQLite and PostgreSQL: create, read, filter, change, hold, cancel."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Site
from toteflow.domain.roles import Role

PRODUCT = {
    "sku": "SKU-1",
    "description": "Blue widget",
    "units": [{"uom": "EA", "barcode": "4006381333931", "weight_g": 120}],
}


def order(reference: str = "SO-1", sku: str = "SKU-1", quantity: int = 2) -> dict[str, Any]:
    return {
        "reference": reference,
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
        "lines": [{"sku": sku, "quantity": quantity}],
    }


def test_order_lifecycle_is_recorded_and_refuses_illegal_moves(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    supervisor = site.login(Role.SUPERVISOR)
    assert site.client.post("/api/v1/products", json=PRODUCT, headers=admin).status_code == 201

    created = site.client.post("/api/v1/orders", json=order(), headers=supervisor)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "received"

    again = site.client.post("/api/v1/orders", json=order(), headers=supervisor)
    assert again.status_code == 409
    assert "SO-1 already exists" in again.json()["detail"]

    held = site.client.post(
        "/api/v1/orders/SO-1/hold", json={"reason": "fraud check"}, headers=supervisor
    )
    assert held.json()["status"] == "on_hold"
    assert held.json()["held_from"] == "received"
    twice = site.client.post("/api/v1/orders/SO-1/hold", json={"reason": "x"}, headers=supervisor)
    assert twice.status_code == 409
    assert "already on hold" in twice.json()["detail"]

    changed = site.client.put(
        "/api/v1/orders/SO-1/lines",
        json={"lines": [{"sku": "SKU-1", "quantity": 5}]},
        headers=supervisor,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["lines"][0]["quantity"] == 5

    released = site.client.post("/api/v1/orders/SO-1/release-hold", headers=supervisor)
    assert released.json()["status"] == "received"
    cancelled = site.client.post(
        "/api/v1/orders/SO-1/cancel", json={"reason": "customer"}, headers=supervisor
    )
    assert cancelled.json()["status"] == "cancelled"
    late = site.client.post("/api/v1/orders/SO-1/hold", json={"reason": "x"}, headers=supervisor)
    assert late.status_code == 409
    assert late.json()["detail"] == "order SO-1: an order that is cancelled cannot be put on hold"

    audit = site.client.get(
        "/api/v1/audit", params={"entity": "order", "entity_id": "SO-1"}, headers=admin
    )
    actions = [entry["action"] for entry in audit.json()["items"]]
    assert actions == [
        "order.cancelled",
        "order.hold_released",
        "order.lines_changed",
        "order.held",
        "order.created",
    ]
    entry = audit.json()["items"][0]
    assert entry["station_id"] == site.station_id
    assert entry["user_id"] is not None


def test_unknown_sku_and_bad_input_write_nothing(site: Site) -> None:
    supervisor = site.login(Role.SUPERVISOR)
    missing = site.client.post("/api/v1/orders", json=order(sku="NOPE"), headers=supervisor)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "unknown SKU: NOPE"
    bad = order()
    bad["ship_to"]["country"] = "usa"
    invalid = site.client.post("/api/v1/orders", json=bad, headers=supervisor)
    assert invalid.status_code == 422
    listed = site.client.get("/api/v1/orders", headers=supervisor)
    assert listed.json()["total"] == 0


def test_batch_create_is_idempotent_and_list_filters_and_pages(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    site.client.post("/api/v1/products", json=PRODUCT, headers=admin)
    batch = {"orders": [order(f"SO-{n}") for n in range(1, 6)]}
    first = site.client.post("/api/v1/orders/batch", json=batch, headers=admin)
    assert first.json() == {"created": [f"SO-{n}" for n in range(1, 6)], "already_present": []}
    second = site.client.post("/api/v1/orders/batch", json=batch, headers=admin)
    assert second.json()["created"] == []
    page = site.client.get("/api/v1/orders", params={"limit": 2, "offset": 2}, headers=admin).json()
    assert page["total"] == 5
    assert len(page["items"]) == 2
    none = site.client.get("/api/v1/orders", params={"carrier": "FEDEX"}, headers=admin).json()
    assert none["total"] == 0


def test_body_over_the_limit_is_refused(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    huge = {"orders": [order(f"SO-{n}") for n in range(9000)]}
    reply = site.client.post("/api/v1/orders/batch", json=huge, headers=admin)
    assert reply.status_code == 413
    assert "larger than" in reply.json()["detail"]
