"""Bad input is a 422 naming the field, the same on SQLite and PostgreSQL: bounded integers,
strict types, no control characters, one quantity limit, text stripped alike everywhere."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.server.conftest import Site
from tests.support.floor import released_task
from toteflow.domain.roles import Role

API = "/api/v1"
PRODUCT = {
    "sku": "SKU-1",
    "description": "Blue widget",
    "units": [{"uom": "EA", "barcode": "4006381333931", "weight_g": 120}],
}


def order(reference: str = "SO-1", quantity: int = 2, **fields: Any) -> dict[str, Any]:
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
        "lines": [{"sku": "SKU-1", "quantity": quantity}],
        **fields,
    }


def event(seq: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "user_id": None,
        "type": "pick.confirmed",
        "payload": {"task_line_id": 1, "quantity": 1},
        "station_time": datetime.now(UTC).isoformat(),
        **fields,
    }


def refused(reply: Any) -> list[tuple[tuple[Any, ...], str]]:
    """The (field, message) pairs of a 422."""
    assert reply.status_code == 422, reply.text
    return [(tuple(e["loc"]), e["msg"]) for e in reply.json()["detail"]]


def fields(reply: Any) -> list[tuple[Any, ...]]:
    return [loc for loc, _msg in refused(reply)]


def stocked(site: Site) -> dict[str, str]:
    admin = site.login(Role.ADMIN)
    assert site.client.post(f"{API}/products", json=PRODUCT, headers=admin).status_code == 201
    assert site.client.post(f"{API}/locations", json={"code": "01-001-1"}, headers=admin).is_success
    return site.login(Role.SUPERVISOR)


def test_push_ids_beyond_the_database_integer_are_a_422_naming_the_field(site: Site) -> None:
    push = f"{API}/sync/push"
    for user_id in (2**63, 2**31):
        body = {"station_id": site.station_id, "events": [event(user_id=user_id)]}
        reply = site.client.post(push, json=body, headers=site.station_headers())
        assert fields(reply) == [("body", "events", 0, "user_id")]
    body = {"station_id": site.station_id, "events": [event(seq=2**31)]}
    assert fields(site.client.post(push, json=body, headers=site.station_headers())) == [
        ("body", "events", 0, "seq")
    ]
    body = {"station_id": 2**40, "events": [event()]}
    assert fields(site.client.post(push, json=body, headers=site.station_headers())) == [
        ("body", "station_id")
    ]


def test_a_payload_number_json_cannot_carry_is_a_422(site: Site) -> None:
    for number in ("1e999", "-1e999", str(2**64)):
        raw = json.dumps({"station_id": site.station_id, "events": [event()]}).replace(
            '"quantity": 1', f'"quantity": {number}'
        )
        reply = site.client.post(
            f"{API}/sync/push",
            content=raw.encode(),
            headers={**site.station_headers(), "Content-Type": "application/json"},
        )
        ((where, message),) = refused(reply)
        assert where == ("body", "events", 0, "payload")
        assert "quantity" in message
    # Nothing was applied: the station's next event is still number 1.
    reply = site.client.post(
        f"{API}/sync/push",
        json={"station_id": site.station_id, "events": [event(type="task.started")]},
        headers=site.station_headers(),
    )
    assert reply.json()["last_seq"] == 1


def test_strings_booleans_and_exponents_are_not_integers(site: Site) -> None:
    supervisor = stocked(site)
    headers = {**supervisor, "Content-Type": "application/json"}
    base = '{"location": "01-001-1", "sku": "SKU-1", "reason": "found", "delta": %s}'
    for delta in ('"5"', "true", "1e3", "5.0"):
        reply = site.client.post(
            f"{API}/stock/adjustments", content=(base % delta).encode(), headers=headers
        )
        assert fields(reply) == [("body", "delta")], delta
    stock = site.client.get(f"{API}/stock", headers=supervisor).json()
    assert stock["total"] == 0  # nothing was adjusted
    good = site.client.post(
        f"{API}/stock/adjustments", content=(base % "5").encode(), headers=headers
    )
    assert good.status_code == 201, good.text


def test_true_is_not_a_level_or_coordinate_and_0_is_not_a_date(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    client = site.client
    for field, value in (("level", True), ("x", True), ("y", "1.5"), ("aisle", 1.0)):
        reply = client.post(
            f"{API}/locations", json={"code": "01-001-1", field: value}, headers=admin
        )
        assert fields(reply) == [("body", field)]
    for flag in ("lot_tracked", "upright"):
        reply = client.post(f"{API}/products", json={**PRODUCT, flag: 1}, headers=admin)
        assert fields(reply) == [("body", flag)]
    assert client.get(f"{API}/locations", headers=admin).json()["total"] == 0
    supervisor = stocked(site)
    for ship_by in (0, 1_700_000_000, "1700000000", True):
        reply = client.post(f"{API}/orders", json=order(ship_by=ship_by), headers=supervisor)
        assert fields(reply) == [("body", "ship_by")], ship_by
    body = {"station_id": site.station_id, "events": [event(station_time=0)]}
    reply = client.post(f"{API}/sync/push", json=body, headers=site.station_headers())
    assert fields(reply) == [("body", "events", 0, "station_time")]
    assert client.post(f"{API}/orders", json=order(), headers=supervisor).status_code == 201


# A terminal escape (red text), a bidi override ("exe.txt" shown as "txt.exe"), zero-width
# characters, a bell, a tab, a DEL and a C1 control.
CONTROLS = ["\x1b[31mred", "abc\u202etxt.exe", "zero\u200bwidth", "joi\u2060ner", "bell\x07"]
CONTROLS += ["tab\tbed", "del\x7f", "c1\x9b31m", "bom\ufeff", "line\u2028sep"]


@pytest.mark.parametrize("text", CONTROLS, ids=[repr(text) for text in CONTROLS])
def test_control_and_invisible_characters_are_refused_naming_the_field(
    site: Site, text: str
) -> None:
    admin = site.login(Role.ADMIN)
    client = site.client
    cases: list[tuple[str, dict[str, Any], tuple[Any, ...]]] = [
        ("/products", {**PRODUCT, "description": text}, ("body", "description")),
        ("/locations", {"code": f"01-{text}"}, ("body", "code")),
        ("/locations", {"code": "01-001-1", "zone": text}, ("body", "zone")),
        (
            "/users",
            {"name": f"Bob {text}", "badge": "B-77", "pin": "1234", "role": "picker"},
            ("body", "name"),
        ),
        (
            "/stock/adjustments",
            {"location": "01-001-1", "sku": "SKU-1", "lot": text, "delta": 1, "reason": "found"},
            ("body", "lot"),
        ),
        ("/orders", order(customer_name=text), ("body", "customer_name")),
        ("/orders", order(reference=text), ("body", "reference")),
    ]
    for path, body, where in cases:
        reply = client.post(f"{API}{path}", json=body, headers=admin)
        ((loc, message),) = refused(reply)
        assert loc == where, path
        if where not in (("body", "reference"),):  # a pattern says which characters it takes
            assert "control or invisible characters" in message, message
    assert client.get(f"{API}/products", headers=admin).json()["total"] == 0
    assert client.get(f"{API}/users", headers=admin).json()["total"] == len(Role)


def test_nul_in_a_query_or_path_parameter_is_a_422_even_on_get(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    client = site.client
    cases = [
        (f"{API}/products/a%00b", ("path", "sku")),
        (f"{API}/locations/01%00", ("path", "code")),
        (f"{API}/orders/SO%001", ("path", "reference")),
        (f"{API}/products?search=a%00b", ("query", "search")),
        (f"{API}/stock?sku=%00", ("query", "sku")),
        (f"{API}/audit?entity=x%00", ("query", "entity")),
    ]
    for url, where in cases:
        ((loc, message),) = refused(client.get(url, headers=admin))
        assert (loc, message) == (where, "must not contain NUL (0x00) characters"), url
    reply = client.post(f"{API}/orders/SO%001/cancel", json={"reason": "x"}, headers=admin)
    assert fields(reply) == [("path", "reference")]


def test_a_batch_naming_one_reference_twice_is_refused_naming_the_duplicates(site: Site) -> None:
    supervisor = stocked(site)
    batch = {
        "orders": [order("SO-1"), order("SO-2"), order("SO-1", 5), order("SO-3"), order("SO-2")]
    }
    ((loc, message),) = refused(
        site.client.post(f"{API}/orders/batch", json=batch, headers=supervisor)
    )
    assert loc == ("body", "orders")
    assert message.endswith("sent more than once: SO-1, SO-2")
    listed = site.client.get(f"{API}/orders", headers=supervisor).json()
    assert listed["total"] == 0
    fine = site.client.post(
        f"{API}/orders/batch", json={"orders": [order("SO-1"), order("SO-2")]}, headers=supervisor
    )
    assert fine.json() == {"created": ["SO-1", "SO-2"], "already_present": []}


def test_one_quantity_limit_everywhere_said_in_the_refusal(site: Site) -> None:
    supervisor = stocked(site)
    client = site.client
    limit = "Input should be less than or equal to 1000000"
    too_many = client.post(f"{API}/orders", json=order(quantity=1_000_001), headers=supervisor)
    assert refused(too_many) == [(("body", "lines", 0, "quantity"), limit)]
    assert client.post(
        f"{API}/orders", json=order(quantity=1_000_000), headers=supervisor
    ).is_success

    def adjust(delta: int) -> Any:
        body = {"location": "01-001-1", "sku": "SKU-1", "delta": delta, "reason": "found"}
        return client.post(f"{API}/stock/adjustments", json=body, headers=supervisor)

    assert refused(adjust(1_000_001)) == [(("body", "delta"), limit)]
    assert adjust(1_000_000).status_code == 201
    # A position never holds more than the limit either, on SQLite as on PostgreSQL.
    over = adjust(1)
    assert over.status_code == 409
    assert over.json()["detail"] == (
        "01-001-1 would hold 1,000,001 of SKU-1: a stock position holds at most 1,000,000 units"
    )
    stock = client.get(f"{API}/stock", headers=supervisor).json()["items"]
    assert [row["quantity"] for row in stock] == [1_000_000]


def test_numbers_in_an_event_payload_are_strict_too(site: Site) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    site.client.post(f"{API}/tasks/next", headers=site.login(Role.PICKER))
    pick = event(payload={"task_line_id": work.task_line_id, "quantity": "1"})
    body = {"station_id": site.station_id, "events": [pick]}
    (result,) = site.client.post(
        f"{API}/sync/push", json=body, headers=site.station_headers()
    ).json()["results"]
    assert result["status"] == "rejected"
    assert result["reason"] == (
        "pick.confirmed event is malformed: quantity: Input should be a valid integer"
    )


def test_whitespace_only_and_lengths_count_after_stripping_on_every_field(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    supervisor = stocked(site)
    client = site.client
    # Spaces only: empty, whether the field has a pattern or only a length.
    for field in ("customer_name", "reference", "carrier"):
        reply = client.post(f"{API}/orders", json=order(**{field: "   "}), headers=supervisor)
        assert fields(reply) == [("body", field)], field
    reply = client.post(f"{API}/stations", json={"name": "  "}, headers=admin)
    assert fields(reply) == [("body", "name")]
    reply = client.post(
        f"{API}/users",
        json={"name": " ", "badge": " B-9 ", "pin": "1234", "role": "picker"},
        headers=admin,
    )
    assert fields(reply) == [("body", "name")]
    # Surrounding spaces are not counted and not kept, on every kind of field.
    padded = order(reference="  SO-9  ", customer_name=f"  {'C' * 120}  ", carrier=" UPS ")
    created = client.post(f"{API}/orders", json=padded, headers=supervisor)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["reference"], body["carrier"], len(body["customer_name"])) == ("SO-9", "UPS", 120)
    long = client.post(
        f"{API}/orders", json=order("SO-10", customer_name="C" * 121), headers=supervisor
    )
    assert fields(long) == [("body", "customer_name")]
    user = client.post(
        f"{API}/users",
        json={"name": " Bo ", "badge": " B-9 ", "pin": " 1234 ", "role": "picker"},
        headers=admin,
    )
    assert (user.json()["name"], user.json()["badge"]) == ("Bo", "B-9")
    lot = {"location": "01-001-1", "sku": " SKU-1 ", "lot": "   ", "delta": 3, "reason": "found"}
    adjusted = client.post(f"{API}/stock/adjustments", json=lot, headers=supervisor)
    assert adjusted.status_code == 201, adjusted.text
    assert adjusted.json()["stock"]["lot"] == ""


def test_query_strings_read_digits_as_numbers_and_refuse_0_as_a_date(site: Site) -> None:
    """A query string carries text only: its numbers are read from digits (the station's
    pool filters), while a date there is still written YYYY-MM-DD, never a Unix time."""
    supervisor = site.login(Role.SUPERVISOR)
    client = site.client
    pool = client.get(
        f"{API}/waves/pool",
        params={"max_orders": "5", "max_lines": "9", "priorities": ["1", "2"]},
        headers=supervisor,
    )
    assert pool.status_code == 200, pool.text
    bad = client.get(f"{API}/waves/pool", params={"max_orders": "five"}, headers=supervisor)
    assert fields(bad) == [("query", "max_orders")]
    for path, name in (("orders", "ship_by_before"), ("shipping/shipments", "shipped_on")):
        reply = client.get(f"{API}/{path}", params={name: "0"}, headers=supervisor)
        assert fields(reply) == [("query", name)], reply.text
        fine = client.get(f"{API}/{path}", params={name: "2026-12-01"}, headers=supervisor)
        assert fine.status_code == 200, fine.text
