"""Stock at the terminal on SQLite and PostgreSQL: inquiries, moves by hand, pushed moves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from tests.server.conftest import Site
from tests.server.test_putaway import push
from tests.server.test_stock_ledger import ledger
from tests.support.wave_floor import add_locations, add_product, add_stock, stock_by_location
from toteflow.central.services.putaway import Receipt
from toteflow.central.store import tables as t
from toteflow.contracts import catalogue as cat
from toteflow.contracts import putaway as pa
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.roles import Role

API = "/api/v1"
RECEIVER = Actor(None, None, Role.RECEIVER, "receiver")
BOSS = Actor(None, None, Role.SUPERVISOR, "supervisor")
RACKS = ["01-001-3", "01-002-3", "01-003-3", "01-004-3"]
FACE = "01-004-1"


@pytest.fixture
def floor(site: Site) -> Site:
    """Racks and a face, a dock; SKU-A (100 mm cube, 500 g) 10 of lot L1 at 01-001-3."""
    services = site.parts.services
    add_locations(services, [*RACKS, FACE])
    services.catalogue.add_location(SYSTEM, cat.LocationCreate(code="DOCK-01", kind="dock"))
    add_product(services, "SKU-A")
    add_product(services, "SKU-B")
    services.catalogue.add_product(
        SYSTEM,
        cat.ProductCreate(
            sku="SKU-G",
            description="Blue widget",
            units=[cat.ProductUnitIn(barcode="4006381333931")],
        ),
    )
    add_stock(services, "01-001-3", "SKU-A", 10, lot="L1")
    return site


def storage(site: Site, code: str, **attrs: Any) -> None:
    site.parts.services.catalogue.set_location_storage(
        SYSTEM, code, cat.LocationStorageUpdate(**attrs)
    )


def reserve(site: Site, location: str, units: int) -> None:
    """Orders hold `units` of the stock at `location` (as an allocation would)."""
    s, loc = t.cols(t.Stock), t.cols(t.Location)
    with site.parts.engine.begin() as connection:
        connection.execute(
            sa.update(t.table(t.Stock))
            .where(s.location_id == sa.select(loc.id).where(loc.code == location).scalar_subquery())
            .values(reserved=units)
        )


def move(site: Site, role: Role = Role.PICKER, **body: Any) -> Any:
    body.setdefault("from_location", "01-001-3")
    body.setdefault("to_location", "01-002-3")
    return site.client.post(f"{API}/stock/moves", json=body, headers=site.login(role))


def stored_plate(site: Site, quantity: int = 6) -> pa.Plate:
    putaway = site.parts.services.putaway
    plate = putaway.receive_to_plate(
        RECEIVER, Receipt(quantity=quantity, location="DOCK-01", sku="SKU-B", lot="P9")
    )
    putaway.confirm(
        RECEIVER,
        pa.ConfirmRequest(plate=plate.code, location="01-003-3", reason="supervisor_directed"),
    )
    return putaway.plate(RECEIVER, plate.code)


def test_a_location_an_item_and_a_plate_are_answered(floor: Site) -> None:
    plate = stored_plate(floor)
    reserve(floor, "01-001-3", 4)
    packer = floor.login(Role.PACKER)  # every floor role may ask
    here = floor.client.get(f"{API}/stock/locations/01-001-3", headers=packer)
    assert here.status_code == 200, here.text
    body = here.json()
    assert body["location"]["code"] == "01-001-3"
    assert body["location"]["mixing"] == "same_sku"
    assert [
        (p["sku"], p["description"], p["lot"], p["quantity"], p["reserved"])
        for p in body["positions"]
    ] == [("SKU-A", "Item SKU-A", "L1", 10, 4)]
    rack = floor.client.get(f"{API}/stock/locations/01-003-3", headers=packer).json()
    assert [(p["sku"], p["lot"], p["plates"]) for p in rack["positions"]] == [
        ("SKU-B", "P9", [plate.code])
    ]
    for code in ("SKU-A", "BC-SKU-A"):
        item = floor.client.get(f"{API}/stock/items/{code}", headers=packer).json()
        assert item["sku"] == "SKU-A"
        assert [(p["location"], p["quantity"]) for p in item["positions"]] == [("01-001-3", 10)]
    # A GTIN-13 label scans as 14 digits; the product keeps it as printed.
    gtin = floor.client.get(f"{API}/stock/items/04006381333931", headers=packer).json()
    assert (gtin["sku"], gtin["positions"]) == ("SKU-G", [])
    on_plate = floor.client.get(f"{API}/plates/{plate.code}", headers=packer).json()
    assert (on_plate["location"], on_plate["sku"], on_plate["quantity"]) == ("01-003-3", "SKU-B", 6)
    missing = floor.client.get(f"{API}/stock/locations/09-999-9", headers=packer)
    assert missing.status_code == 404
    assert "no location 09-999-9" in missing.json()["detail"]
    nothing = floor.client.get(f"{API}/stock/items/NOPE", headers=packer)
    assert nothing.status_code == 404
    assert "no product" in nothing.json()["detail"]


def test_a_move_by_hand_is_made_audited_and_told_to_the_stations(floor: Site) -> None:
    reserve(floor, "01-001-3", 4)
    reply = move(floor, sku="SKU-A", quantity=6)
    assert reply.status_code == 201, reply.text
    done = reply.json()
    assert (done["from_on_hand"], done["to_on_hand"], done["lot"]) == (4, 6, "L1")
    assert done["words"] == "6 units of SKU-A lot L1 from 01-001-3 to 01-002-3"
    stock = stock_by_location(floor.parts.engine)
    assert stock[("01-001-3", "L1")] == (4, 4)
    assert stock[("01-002-3", "L1")] == (6, 0)
    # Both ends in the ledger, so a count of either location sees the move in its book.
    hand = [
        (loc, delta) for loc, _sku, delta, kind, _ref in ledger(floor) if kind == "moved_by_hand"
    ]
    assert hand == [("01-001-3", -6), ("01-002-3", 6)]
    audit = floor.parts.services.people.audit(BOSS, "location", "01-001-3", None, 0, 10)
    assert [e.action for e in audit.items] == ["stock.moved_by_hand"]
    changes = floor.client.get(f"{API}/sync/changes", headers=floor.station_headers()).json()
    moved = [c for c in changes["changes"] if c["kind"] == "stock.moved"]
    payload = moved[-1]["payload"]
    wanted = {"from": "01-001-3", "to": "01-002-3", "quantity": 6, "on_hand": 6}
    assert {key: payload[key] for key in wanted} == wanted
    assert (payload["from_on_hand"], payload["by_hand"]) == (4, True)


def test_a_whole_plate_moves_with_its_units(floor: Site) -> None:
    plate = stored_plate(floor)
    reply = move(floor, from_location="01-003-3", to_location="01-004-3", plate=plate.code)
    assert reply.status_code == 201, reply.text
    assert reply.json()["quantity"] == 6
    after = floor.parts.services.putaway.plate(RECEIVER, plate.code)
    assert (after.location, after.status) == ("01-004-3", "stored")
    elsewhere = move(floor, from_location="01-003-3", to_location="01-002-3", plate=plate.code)
    assert elsewhere.status_code == 409
    assert "is at 01-004-3" in elsewhere.json()["detail"]


@pytest.mark.parametrize(
    ("setup", "body", "status", "words"),
    [
        ("small", {"sku": "SKU-A", "quantity": 6}, 409, "01-002-3 has room for 5 of the 6"),
        ("heavy", {"sku": "SKU-A", "quantity": 6}, 409, "has room for 2 of the 6"),
        ("mixed", {"sku": "SKU-A", "quantity": 1}, 409, "01-002-3 is holding another SKU"),
        ("reserved", {"sku": "SKU-A", "quantity": 7}, 409, "only 6 units of SKU-A free to move"),
        ("", {"sku": "SKU-A", "quantity": 11}, 409, "only 10 units of SKU-A free to move"),
        ("", {"sku": "SKU-A", "quantity": 1, "to_location": "DOCK-01"}, 409, "a dock location"),
        ("", {"sku": "SKU-A", "quantity": 1, "to_location": "01-001-3"}, 409, "already"),
        ("", {"sku": "SKU-A", "quantity": 1, "lot": "L2"}, 409, "no SKU-A lot L2 at 01-001-3"),
        ("", {"sku": "SKU-B", "quantity": 1}, 409, "there is no SKU-B at 01-001-3"),
        ("", {"sku": "SKU-A", "quantity": 1, "from_location": "09-999-9"}, 404, "no location"),
        ("", {"sku": "SKU-A", "quantity": 1, "to_location": "09-999-9"}, 409, "unknown destin"),
        ("", {"sku": "NOPE", "quantity": 1}, 404, "no product has the SKU or barcode NOPE"),
        ("", {"sku": "SKU-A", "quantity": 0}, 422, "greater than or equal to 1"),
        ("", {"sku": "SKU-A", "quantity": 2_000_000}, 422, "less than or equal to"),
        ("", {"sku": "SKU-A", "quantity": "3"}, 422, "valid integer"),
        ("", {"sku": "SKU-A"}, 409, "move at least 1 unit"),
    ],
)
def test_a_move_that_may_not_be_made_is_refused_and_changes_nothing(
    floor: Site, setup: str, body: dict[str, Any], status: int, words: str
) -> None:
    if setup == "small":  # room for five 100 mm cubes
        storage(floor, "01-002-3", length_mm=500, width_mm=100, height_mm=100)
    elif setup == "heavy":  # 1.2 kg: two units of 500 g
        storage(floor, "01-002-3", max_weight_g=1200)
    elif setup == "mixed":
        add_stock(floor.parts.services, "01-002-3", "SKU-B", 1)
    elif setup == "reserved":
        reserve(floor, "01-001-3", 4)
    before = stock_by_location(floor.parts.engine)
    reply = move(floor, **body)
    assert reply.status_code == status, reply.text
    assert words in str(reply.json()["detail"])
    assert stock_by_location(floor.parts.engine) == before


def test_a_packer_may_look_but_not_move(floor: Site) -> None:
    reply = move(floor, Role.PACKER, sku="SKU-A", quantity=1)
    assert reply.status_code == 403
    for role in (Role.RECEIVER, Role.SUPERVISOR):
        assert move(floor, role, sku="SKU-A", quantity=1).status_code == 201


def event(seq: int, payload: dict[str, Any], user_id: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "user_id": user_id,
        "type": "stock.moved_by_hand",
        "payload": payload,
        "station_time": datetime.now(UTC).isoformat(),
    }


def test_a_pushed_move_applies_once_and_a_refused_one_is_an_exception(floor: Site) -> None:
    picker = floor.client.get(f"{API}/auth/me", headers=floor.login(Role.PICKER)).json()["id"]
    base = {"from_location": "01-001-3", "to_location": "01-002-3", "sku": "SKU-A"}
    good = event(1, {**base, "quantity": 4, "lot": "L1"}, picker)
    too_many = event(2, {**base, "quantity": 7}, picker)
    malformed = event(3, {**base, "quantity": "7"}, picker)
    results = push(floor, good, too_many, malformed)
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected"]
    assert results[0]["result"]["to_on_hand"] == 4
    assert "only 6 units of SKU-A free to move" in results[1]["reason"]
    assert "quantity" in results[2]["reason"]
    again = push(floor, good)
    assert again[0]["status"] == "duplicate"
    assert again[0]["result"]["outcome"] == "applied"
    stock = stock_by_location(floor.parts.engine)
    assert (stock[("01-001-3", "L1")], stock[("01-002-3", "L1")]) == ((6, 0), (4, 0))
    found = floor.parts.services.exceptions.find(BOSS, "open", "stock_move_refused", 0, 10)
    assert len(found.items) == 2
    audit = floor.parts.services.people.audit(BOSS, "location", "01-001-3", None, 0, 10)
    assert [(e.action, e.event_id) for e in audit.items] == [("stock.moved_by_hand", good["id"])]


def test_a_pushed_move_by_a_role_that_may_not_move_is_refused(floor: Site) -> None:
    packer = floor.client.get(f"{API}/auth/me", headers=floor.login(Role.PACKER)).json()["id"]
    body = {"from_location": "01-001-3", "to_location": "01-002-3", "sku": "SKU-A", "quantity": 1}
    [result] = push(floor, event(1, body, packer))
    assert result["status"] == "rejected"
    assert "packer may not move stock" in result["reason"]
    assert stock_by_location(floor.parts.engine)[("01-001-3", "L1")] == (10, 0)
