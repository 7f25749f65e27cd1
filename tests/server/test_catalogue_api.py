"""Products, zones, locations and stock through the API on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.server.conftest import Site
from toteflow.contracts.catalogue import ZoneCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.gs1 import with_check_digit
from toteflow.domain.roles import Role

API = "/api/v1"
GTIN13 = "4006381333931"


def product(sku: str, *barcodes: str, **extra: Any) -> dict[str, Any]:
    uoms = ["EA", "IP", "CS", "PL"]
    units = [
        {"uom": uoms[n], "units": 12**n, "barcode": code, "weight_g": 100 * 12**n}
        for n, code in enumerate(barcodes)
    ]
    return {"sku": sku, "description": f"Product {sku}", "units": units, **extra}


def errors(reply: Any) -> list[tuple[tuple[Any, ...], str]]:
    assert reply.status_code == 422, reply.text
    return [(tuple(e["loc"]), e["msg"]) for e in reply.json()["detail"]]


def test_products_are_created_read_and_refused_with_reasons(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    client = site.client
    case = with_check_digit("1400638133393")  # GTIN-14: a case of the GTIN-13 item
    made = client.post(
        f"{API}/products",
        json=product("SKU-1", GTIN13, case, lot_tracked=True, expiry_tracked=True),
        headers=admin,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["sku"] == "SKU-1"
    assert (body["lot_tracked"], body["expiry_tracked"], body["serial_tracked"]) == (
        True,
        True,
        False,
    )
    assert [(u["uom"], u["units"], u["barcode_kind"]) for u in body["units"]] == [
        ("EA", 1, "gtin13"),
        ("IP", 12, "gtin14"),
    ]
    assert client.get(f"{API}/products/SKU-1", headers=admin).json() == body

    # A GTIN with a wrong check digit is refused, saying which digit was expected.
    bad = client.post(f"{API}/products", json=product("SKU-2", "4006381333932"), headers=admin)
    assert errors(bad) == [
        (
            ("body", "units", 0, "barcode"),
            "Value error, GTIN 4006381333932: check digit wrong, expected 1",
        )
    ]
    upc = client.post(f"{API}/products", json=product("SKU-3", "036000291453"), headers=admin)
    assert "check digit wrong, expected 2" in errors(upc)[0][1]

    # Duplicates: the SKU, or a barcode already on another product.
    again = client.post(f"{API}/products", json=product("SKU-1", "ABC-1"), headers=admin)
    assert again.status_code == 409
    assert again.json()["detail"] == "a product with SKU SKU-1 already exists"
    taken = client.post(f"{API}/products", json=product("SKU-4", case), headers=admin)
    assert taken.status_code == 409
    assert taken.json()["detail"] == f"barcode {case} already belongs to another product"

    # Within one product: each unit of measure and each barcode once.
    twice = product("SKU-5", "INT-1", "INT-2")
    twice["units"][1]["uom"] = "EA"
    assert (
        "each unit of measure may appear once"
        in errors(client.post(f"{API}/products", json=twice, headers=admin))[0][1]
    )
    same = product("SKU-5", "INT-1", "INT-1")
    assert (
        "each unit needs its own barcode"
        in errors(client.post(f"{API}/products", json=same, headers=admin))[0][1]
    )
    none = client.post(f"{API}/products", json=product("SKU-5"), headers=admin)
    assert errors(none)[0][0] == ("body", "units")
    extra = client.post(
        f"{API}/products", json=product("SKU-5", "INT-1", colour="red"), headers=admin
    )
    assert errors(extra) == [(("body", "colour"), "Extra inputs are not permitted")]

    # An internal (non-GTIN) barcode is fine and says so.
    internal = client.post(f"{API}/products", json=product("SKU-6", "SKU-6-EA"), headers=admin)
    assert internal.json()["units"][0]["barcode_kind"] == "internal"

    missing = client.get(f"{API}/products/NOPE", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no product with SKU NOPE"
    # Nothing refused above was written.
    listed = client.get(f"{API}/products", headers=admin).json()
    assert [p["sku"] for p in listed["items"]] == ["SKU-1", "SKU-6"]


def test_products_list_searches_and_pages(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    for n in range(7):
        reply = site.client.post(
            f"{API}/products", json=product(f"SKU-{n:02d}", f"INT-{n:02d}"), headers=admin
        )
        assert reply.status_code == 201, reply.text
    page = site.client.get(f"{API}/products", params={"limit": 3, "offset": 3}, headers=admin)
    assert page.json()["total"] == 7
    assert (page.json()["offset"], page.json()["limit"]) == (3, 3)
    assert [p["sku"] for p in page.json()["items"]] == ["SKU-03", "SKU-04", "SKU-05"]
    last = site.client.get(f"{API}/products", params={"offset": 6}, headers=admin).json()
    assert [p["sku"] for p in last["items"]] == ["SKU-06"]
    beyond = site.client.get(f"{API}/products", params={"offset": 50}, headers=admin).json()
    assert (beyond["items"], beyond["total"]) == ([], 7)
    found = site.client.get(f"{API}/products", params={"search": "sku-0"}, headers=admin).json()
    assert found["total"] == 7
    one = site.client.get(f"{API}/products", params={"search": "KU-04"}, headers=admin).json()
    assert [p["sku"] for p in one["items"]] == ["SKU-04"]
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"search": "x" * 65}):
        assert site.client.get(f"{API}/products", params=bad, headers=admin).status_code == 422


def test_zones_and_locations(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    picker = site.login(Role.PICKER)
    client = site.client
    site.parts.services.catalogue.apply_layout(
        SYSTEM,
        [
            ZoneCreate(name="Bulk", first_aisle=6, last_aisle=9),
            ZoneCreate(name="Fast", first_aisle=1, last_aisle=5),
        ],
        [],
    )
    zones = client.get(f"{API}/zones", headers=picker).json()
    assert [(z["name"], z["first_aisle"], z["last_aisle"]) for z in zones] == [
        ("Fast", 1, 5),
        ("Bulk", 6, 9),
    ]

    def location(code: str, zone: str | None, kind: str = "pick_face") -> Any:
        aisle, bay, level = (int(part) for part in code.split("-"))
        body = {"code": code, "zone": zone, "aisle": aisle, "bay": bay, "level": level}
        return client.post(
            f"{API}/locations", json={**body, "kind": kind, "x": 1.5, "y": 2.0}, headers=admin
        )

    made = location("01-001-1", "Fast")
    assert made.status_code == 201, made.text
    assert made.json()["zone"] == "Fast"
    assert made.json()["active"] is True
    for code, zone, kind in [
        ("01-002-1", "Fast", "pick_face"),
        ("02-001-0", "Fast", "reserve"),
        ("07-001-1", "Bulk", "reserve"),
        ("09-001-0", None, "dock"),
    ]:
        assert location(code, zone, kind).status_code == 201

    again = location("01-001-1", "Fast")
    assert again.status_code == 409
    assert again.json()["detail"] == "location 01-001-1 already exists"
    nowhere = location("03-001-1", "Slow")
    assert nowhere.status_code == 404
    assert nowhere.json()["detail"] == "no zone named Slow"
    odd = client.post(f"{API}/locations", json={"code": "X-1", "kind": "roof"}, headers=admin)
    assert errors(odd)[0][0] == ("body", "kind")
    far = client.post(f"{API}/locations", json={"code": "X-2", "x": "Infinity"}, headers=admin)
    assert errors(far)[0][0] == ("body", "x")

    got = client.get(f"{API}/locations/02-001-0", headers=picker).json()
    assert (got["zone"], got["kind"], got["aisle"], got["level"]) == ("Fast", "reserve", 2, 0)
    missing = client.get(f"{API}/locations/99-999-9", headers=picker)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no location 99-999-9"

    def codes(**params: Any) -> list[str]:
        page = client.get(f"{API}/locations", params=params, headers=picker).json()
        return [loc["code"] for loc in page["items"]]

    assert codes() == ["01-001-1", "01-002-1", "02-001-0", "07-001-1", "09-001-0"]
    assert codes(zone="Fast") == ["01-001-1", "01-002-1", "02-001-0"]
    assert codes(kind="reserve") == ["02-001-0", "07-001-1"]
    assert codes(zone="Fast", kind="reserve") == ["02-001-0"]
    assert codes(limit=2, offset=1) == ["01-002-1", "02-001-0"]
    page = client.get(f"{API}/locations", params={"limit": 2}, headers=picker).json()
    assert page["total"] == 5


def test_stock_adjustments_with_reasons_never_below_zero_or_reserved(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    supervisor = site.login(Role.SUPERVISOR)
    client = site.client
    client.post(f"{API}/products", json=product("SKU-1", GTIN13), headers=admin)
    client.post(f"{API}/locations", json={"code": "01-001-1"}, headers=admin)
    client.post(f"{API}/locations", json={"code": "01-002-1"}, headers=admin)

    def adjust(delta: int, reason: str = "count", **extra: Any) -> Any:
        body = {"location": "01-001-1", "sku": "SKU-1", "delta": delta, "reason": reason}
        return client.post(f"{API}/stock/adjustments", json={**body, **extra}, headers=supervisor)

    nothing = adjust(-1)
    assert nothing.status_code == 409
    assert nothing.json()["detail"] == "no stock of SKU-1 at 01-001-1 to take"

    received = adjust(10, "received", note="PO 4711")
    assert received.status_code == 201, received.text
    assert (received.json()["delta"], received.json()["reason"]) == (10, "received")
    row = received.json()["stock"]
    assert (row["location"], row["sku"], row["quantity"], row["reserved"]) == (
        "01-001-1",
        "SKU-1",
        10,
        0,
    )
    damaged = adjust(-3, "damaged")
    assert damaged.json()["stock"]["quantity"] == 7
    assert damaged.json()["stock"]["id"] == row["id"]

    too_many = adjust(-8, "lost")
    assert too_many.status_code == 409
    assert too_many.json()["detail"] == "only 7 free to take from 01-001-1 (7 on hand, 0 reserved)"

    # Reserved stock (held for orders) cannot be adjusted away either.
    with site.parts.engine.begin() as connection:
        connection.execute(sa.text("UPDATE stock SET reserved = 5"))
    held = adjust(-3, "count")
    assert held.status_code == 409
    assert held.json()["detail"] == "only 2 free to take from 01-001-1 (7 on hand, 5 reserved)"
    assert adjust(-2, "count").json()["stock"]["quantity"] == 5

    # Lots and expiry dates are positions of their own.
    lot = adjust(4, "found", lot="L-7", expiry="2027-03-31")
    assert lot.status_code == 201
    assert (lot.json()["stock"]["lot"], lot.json()["stock"]["expiry"]) == ("L-7", "2027-03-31")
    assert lot.json()["stock"]["id"] != row["id"]

    # Bad input is refused at the edge with a message, and changes nothing.
    assert errors(adjust(0)) == [
        (("body", "delta"), "Value error, an adjustment of 0 changes nothing")
    ]
    assert errors(adjust(5, "theft"))[0][0] == ("body", "reason")
    assert errors(adjust(2_000_000))[0][0] == ("body", "delta")
    unknown = client.post(
        f"{API}/stock/adjustments",
        json={"location": "99-999-9", "sku": "SKU-1", "delta": 1, "reason": "found"},
        headers=supervisor,
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "no location 99-999-9"
    no_sku = adjust(1, "found", sku="NOPE")
    assert no_sku.status_code == 404
    assert no_sku.json()["detail"] == "no product with SKU NOPE"

    stock = client.get(f"{API}/stock", params={"sku": "SKU-1"}, headers=supervisor).json()
    assert stock["total"] == 2
    assert [(s["lot"], s["quantity"], s["reserved"]) for s in stock["items"]] == [
        ("", 5, 5),
        ("L-7", 4, 0),
    ]
    elsewhere = client.get(f"{API}/stock", params={"location": "01-002-1"}, headers=admin)
    assert elsewhere.json()["total"] == 0
    paged = client.get(f"{API}/stock", params={"limit": 1, "offset": 1}, headers=admin).json()
    assert [s["lot"] for s in paged["items"]] == ["L-7"]

    # Every accepted adjustment is audited with its reason; refusals leave no trace as changes.
    audit = client.get(f"{API}/audit", params={"action": "stock.adjusted"}, headers=admin).json()[
        "items"
    ]
    assert [(a["detail"]["delta"], a["detail"]["reason"]) for a in reversed(audit)] == [
        (10, "received"),
        (-3, "damaged"),
        (-2, "count"),
        (4, "found"),
    ]
    assert audit[-1]["detail"]["note"] == "PO 4711"
    assert audit[-1]["detail"]["quantity_after"] == 10
    assert {a["station_id"] for a in audit} == {site.station_id}


def test_input_no_database_can_hold_is_refused_at_the_edge(site: Site) -> None:
    """NUL characters, Infinity and NaN, unreadable bodies: 4xx with a reason, never a 500."""
    admin = site.login(Role.ADMIN)
    client = site.client
    nul = client.post(
        f"{API}/products", json=product("SKU-1", "INT-1") | {"description": "a\x00b"}, headers=admin
    )
    assert errors(nul) == [
        (
            ("body", "description"),
            "must not contain control or invisible characters: U+0000 at character 2",
        )
    ]
    json_headers = {**admin, "Content-Type": "application/json"}
    for raw in (
        b'{"code": "X-1", "x": Infinity}',
        b'{"code": "X-1", "y": NaN}',
        b'{"code": "X-1", "x": 1e999}',
    ):
        reply = client.post(f"{API}/locations", content=raw, headers=json_headers)
        assert reply.status_code == 422, reply.text
        assert reply.json()["detail"][0]["type"] == "finite_number"
    unreadable = client.post(f"{API}/locations", content=b"\xff{", headers=json_headers)
    assert unreadable.status_code == 400
    assert "detail" in unreadable.json()
    # A NUL in the path is bad input on both databases (PostgreSQL could not even compare it).
    in_path = client.get(f"{API}/products/a%00b", headers=admin)
    assert errors(in_path) == [(("path", "sku"), "must not contain NUL (0x00) characters")]
    assert client.get(f"{API}/products", headers=admin).json()["total"] == 0
