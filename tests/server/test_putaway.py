"""Directed put-away on SQLite and PostgreSQL: plates from the dock to available stock."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from tests.server.conftest import Site
from tests.support.wave_floor import (
    add_locations,
    add_orders,
    add_product,
    order,
    rows,
    stock_by_location,
)
from toteflow.central.services.putaway import PutawayPolicy, PutawayService, Receipt
from toteflow.central.store import tables as t
from toteflow.central.store.uow import SqlUnitOfWorkFactory
from toteflow.contracts import catalogue as cat
from toteflow.contracts import putaway as pa
from toteflow.contracts import waves as wv
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.errors import Conflict, NotFound, Refused
from toteflow.domain.roles import Role

API = "/api/v1"
RECEIVER = Actor(None, None, Role.PICKER, "receiver")
BOSS = Actor(None, None, Role.SUPERVISOR, "supervisor")
RACKS = ["01-001-3", "01-002-3", "01-003-3", "01-004-3"]  # reserve: level 3
FACE = "01-004-1"  # a pick face, for a product once assigned to it


@pytest.fixture
def dock(site: Site) -> Site:
    """Four empty rack locations near the dock, a dock, a quarantine cage, product SKU-A."""
    services = site.parts.services
    add_locations(services, [*RACKS, FACE])
    for code, kind in (("DOCK-01", "dock"), ("QUAR-01", "quarantine"), ("QUAL-01", "quality")):
        services.catalogue.add_location(SYSTEM, cat.LocationCreate(code=code, kind=kind))
    add_product(services, "SKU-A")  # 100 mm cube, 500 g
    add_product(services, "SKU-B")
    return site


def receive(site: Site, quantity: int = 10, **kw: Any) -> pa.Plate:
    kw.setdefault("location", "DOCK-01")
    kw.setdefault("sku", "SKU-A")
    return site.parts.services.putaway.receive_to_plate(RECEIVER, Receipt(quantity=quantity, **kw))


def suggest(site: Site, plate: str, service: PutawayService | None = None) -> pa.Suggestion:
    return (service or site.parts.services.putaway).suggest(
        RECEIVER, pa.SuggestRequest(plate=plate)
    )


def confirm(
    site: Site, plate: str, location: str, service: PutawayService | None = None, **kw: Any
) -> pa.Confirmed:
    return (service or site.parts.services.putaway).confirm(
        RECEIVER, pa.ConfirmRequest(plate=plate, location=location, **kw)
    )


def storage(site: Site, code: str, **attrs: Any) -> None:
    site.parts.services.catalogue.set_location_storage(
        SYSTEM, code, cat.LocationStorageUpdate(**attrs)
    )


def free_stock(site: Site, sku: str) -> list[str]:
    """The locations the wave pool would allocate `sku` from."""
    uow = site.parts.services.putaway.uow()
    with uow:
        product = uow.putaway.product_facts(sku)
        assert product is not None
        return [row.location for row in uow.wave_pool.stock([product.id], lock=False)]


def clocked(site: Site, now: list[datetime]) -> PutawayService:
    """The site's put-away use cases on a clock the test moves."""
    return PutawayService(
        SqlUnitOfWorkFactory(site.parts.engine), PutawayPolicy(), clock=lambda: now[0]
    )


def test_receive_suggest_confirm_makes_the_stock_available(dock: Site) -> None:
    plate = receive(dock, 10)
    assert plate.code.startswith("LP")
    assert plate.status == "received"
    assert free_stock(dock, "SKU-A") == []  # on the dock: never allocated
    advice = suggest(dock, plate.code)
    assert [(leg.location, leg.quantity, leg.rule) for leg in advice.legs] == [
        ("01-001-3", 10, "nearest_empty")
    ]
    assert "nearest empty" in advice.legs[0].reason
    assert advice.expires_at is not None
    assert dock.parts.services.putaway.plate(RECEIVER, plate.code).status == "putting_away"
    done = confirm(dock, plate.code, "01-001-3")
    assert done.plate.status == "stored"
    assert done.plate.remaining == 0
    assert not done.elsewhere
    assert done.plate.location == "01-001-3"
    assert done.plate.put_away_at is not None
    stock = stock_by_location(dock.parts.engine)
    assert stock[("DOCK-01", "")] == (0, 0)
    assert stock[("01-001-3", "")] == (10, 0)
    assert free_stock(dock, "SKU-A") == ["01-001-3"]
    audit = dock.parts.services.people.audit(BOSS, "plate", plate.code, None, 0, 10)
    assert {e.action for e in audit.items} >= {
        "plate.received",
        "putaway.suggested",
        "putaway.confirmed",
    }
    reply = dock.client.get(f"{API}/sync/changes", headers=dock.station_headers())
    moved = [c for c in reply.json()["changes"] if c["kind"] == "stock.moved"]
    assert moved[-1]["entity_id"] == "01-001-3"
    assert moved[-1]["payload"]["quantity"] == 10
    # The plate is done: asking again is refused.
    with pytest.raises(Refused, match="stored"):
        suggest(dock, plate.code)


def test_two_receivers_are_never_sent_to_the_same_empty_bin(dock: Site) -> None:
    for code in RACKS:
        storage(dock, code, mixing="empty_only")
    first, second = receive(dock, 5), receive(dock, 5)
    a, b = suggest(dock, first.code), suggest(dock, second.code)
    assert a.legs[0].location != b.legs[0].location
    # Asking again replaces the plate's own reservation, it does not keep itself out.
    assert suggest(dock, first.code).legs[0].location == a.legs[0].location


def test_a_pick_face_is_topped_up_to_its_maximum_first(dock: Site) -> None:
    storage(dock, FACE, home_sku="SKU-A", max_quantity=8)
    plate = receive(dock, 10)
    advice = suggest(dock, plate.code)
    assert [(leg.location, leg.quantity, leg.rule) for leg in advice.legs] == [
        (FACE, 8, "pick_face"),
        ("01-001-3", 2, "nearest_empty"),
    ]
    assert confirm(dock, plate.code, FACE).plate.status == "putting_away"
    assert confirm(dock, plate.code, "01-001-3").plate.status == "stored"
    stock = stock_by_location(dock.parts.engine)
    assert stock[(FACE, "")] == (8, 0)
    assert stock[("01-001-3", "")] == (2, 0)


def test_elsewhere_needs_a_reason_and_room(dock: Site) -> None:
    storage(dock, "01-003-3", length_mm=50, width_mm=50, height_mm=50)
    plate = receive(dock, 10)
    suggest(dock, plate.code)
    with pytest.raises(Refused, match="say why"):
        confirm(dock, plate.code, "01-002-3")
    with pytest.raises(Refused, match="01-003-3 is too small for the unit"):
        confirm(dock, plate.code, "01-003-3", reason="suggested_blocked")
    with pytest.raises(Refused, match="DOCK-01 is a dock location"):
        confirm(dock, plate.code, "DOCK-01", reason="suggested_blocked")
    with pytest.raises(NotFound, match="no location 09-009-9"):
        confirm(dock, plate.code, "09-009-9", reason="suggested_blocked")
    done = confirm(dock, plate.code, "01-002-3", reason="suggested_blocked")
    assert done.elsewhere
    assert "suggested_blocked" in done.words
    assert stock_by_location(dock.parts.engine)[("01-002-3", "")] == (10, 0)


def test_mixing_is_never_broken_elsewhere(dock: Site) -> None:
    storage(dock, "01-002-3", mixing="same_sku")
    first = receive(dock, 3, sku="SKU-B")
    confirm(dock, first.code, "01-002-3", reason="supervisor_directed")
    plate = receive(dock, 3)
    with pytest.raises(Refused, match="holding another SKU"):
        confirm(dock, plate.code, "01-002-3", reason="supervisor_directed")


def test_an_expired_reservation_frees_the_space(dock: Site) -> None:
    # Only one location takes a plate: the others are too small.
    for code in RACKS[1:]:
        storage(dock, code, length_mm=50, width_mm=50, height_mm=50)
    storage(dock, "01-001-3", mixing="empty_only")
    now = [datetime.now(UTC)]
    service = clocked(dock, now)
    first, second = receive(dock, 4), receive(dock, 4)
    assert suggest(dock, first.code, service).legs[0].location == "01-001-3"
    late = suggest(dock, second.code, service)
    assert late.legs == []
    assert late.unplaced == 4
    assert late.why_not
    now[0] += timedelta(minutes=16)  # [putaway] reservation_minutes is 15
    assert suggest(dock, second.code, service).legs[0].location == "01-001-3"
    with pytest.raises(Refused, match="lapsed"):
        confirm(dock, first.code, "01-001-3", service)
    assert confirm(dock, second.code, "01-001-3", service).plate.status == "stored"


def test_backorders_are_cross_docked_first(dock: Site) -> None:
    dock.parts.services.catalogue.add_location(
        SYSTEM, cat.LocationCreate(code="PACK-01", kind="pack")
    )
    add_orders(dock.parts.services, [order("SO-1", [("SKU-A", 4)])])
    o = t.cols(t.Order)
    with dock.parts.engine.begin() as connection:  # released with nothing allocated
        connection.execute(sa.update(t.table(t.Order)).values(status="released"))
    plate = receive(dock, 10)
    advice = suggest(dock, plate.code)
    assert [(c.order, c.quantity, c.location) for c in advice.cross_dock] == [
        ("SO-1", 4, "PACK-01")
    ]
    assert advice.words.startswith("cross-dock to packing for order SO-1")
    assert [(leg.location, leg.quantity) for leg in advice.legs] == [("01-001-3", 6)]
    # A second plate is not offered the same backorder while the first holds it.
    other = receive(dock, 10)
    assert suggest(dock, other.code).cross_dock == []
    done = confirm(dock, plate.code, "PACK-01")
    assert done.cross_dock_order == "SO-1"
    assert done.quantity == 4
    # Its one line is now allocated and picked at packing: the order is ready to pack.
    assert rows(dock.parts.engine, sa.select(o.status))[0].status == "picked"


def test_held_and_received_stock_is_never_allocated(dock: Site) -> None:
    receive(dock, 10)
    held = receive(dock, 10, location="QUAR-01")
    assert held.status == "held"
    assert "quarantine" in held.hold_reason
    receive(dock, 10, location="DOCK-01", hold="torn packaging: quality check")
    add_orders(dock.parts.services, [order("SO-1", [("SKU-A", 5)])])
    waves = dock.parts.services
    wave = waves.waves.create(BOSS, wv.WaveCreate(filters=wv.WaveFilters(carrier="UPS")))
    with pytest.raises(Refused, match="none of the 1 matching orders could be reserved"):
        waves.wave_release.release(BOSS, wave.id)
    stock = stock_by_location(dock.parts.engine)
    assert stock[("DOCK-01", "")] == (20, 0)
    assert stock[("QUAR-01", "")] == (10, 0)
    assert free_stock(dock, "SKU-A") == []


def test_a_supervisor_releases_or_rejects_held_stock(dock: Site) -> None:
    held = receive(dock, 6, location="QUAR-01")
    with pytest.raises(Refused, match="held"):
        suggest(dock, held.code)
    service = dock.parts.services.putaway
    with pytest.raises(Exception, match="picker may not adjust stock"):
        service.release(RECEIVER, held.code, pa.ReleaseRequest())
    released = service.release(BOSS, held.code, pa.ReleaseRequest(note="checked, fine"))
    assert released.status == "received"
    assert released.hold_reason == ""
    assert free_stock(dock, "SKU-A") == []  # released is not put away yet
    assert confirm(dock, held.code, suggest(dock, held.code).legs[0].location).plate.status
    bad = receive(dock, 4, location="QUAL-01")
    body = pa.RejectRequest(reason="crushed cases", disposition="return_to_vendor")
    rejected = service.reject(BOSS, bad.code, body)
    assert rejected.status == "rejected"
    assert rejected.remaining == 0
    assert stock_by_location(dock.parts.engine)[("QUAL-01", "")] == (0, 0)
    with pytest.raises(Refused, match="only held stock"):
        service.reject(BOSS, held.code, body)
    audit = dock.parts.services.people.audit(BOSS, "plate", bad.code, "plate.rejected", 0, 5)
    assert audit.items[0].detail["quantity"] == 4


def test_receive_to_plate_refuses_before_writing(dock: Site) -> None:
    with pytest.raises(Refused, match=f"{FACE} is a pick_face location"):
        receive(dock, location=FACE)
    with pytest.raises(Refused, match="check digit"):
        receive(dock, plate="003012345678901235")
    sscc = "003012345678901232"
    assert receive(dock, plate=sscc).code == sscc
    with pytest.raises(Conflict, match="already received"):
        receive(dock, plate=sscc)
    with pytest.raises(NotFound, match="SKU-Z"):
        receive(dock, sku="SKU-Z")
    assert stock_by_location(dock.parts.engine)[("DOCK-01", "")] == (10, 0)


def test_dock_to_stock_per_plate_and_in_sum(dock: Site) -> None:
    now = [datetime.now(UTC)]
    service = clocked(dock, now)
    first = service.receive_to_plate(RECEIVER, Receipt("SKU-A", 5, "DOCK-01"))
    service.receive_to_plate(RECEIVER, Receipt("SKU-A", 5, "DOCK-01"))
    now[0] += timedelta(minutes=30)
    confirm(dock, first.code, suggest(dock, first.code, service).legs[0].location, service)
    reply = dock.client.get(f"{API}/putaway/dock-to-stock", headers=dock.login(Role.SUPERVISOR))
    assert reply.status_code == 200, reply.text
    figures = reply.json()
    assert figures["summary"]["plates"] == 1
    assert figures["summary"]["waiting"] == 1
    assert figures["summary"]["median_s"] == pytest.approx(1800, abs=1)
    seconds = {p["plate"]: p["seconds"] for p in figures["plates"]}
    assert seconds[first.code] == pytest.approx(1800, abs=1)


def test_the_api_and_its_refusals(dock: Site) -> None:
    picker = dock.login(Role.PICKER)
    plate = receive(dock, 10)
    reply = dock.client.post(f"{API}/putaway/suggest", json={"plate": plate.code}, headers=picker)
    assert reply.status_code == 200, reply.text
    location = reply.json()["legs"][0]["location"]
    for body, field in (
        ({"plate": "XX1"}, "plate"),
        ({"plate": plate.code, "location": location, "quantity": 0}, "quantity"),
        ({"plate": plate.code, "location": location, "reason": "tired"}, "reason"),
        ({"plate": plate.code}, "location"),
    ):
        path = "suggest" if "location" not in body and field == "plate" else "confirm"
        bad = dock.client.post(f"{API}/putaway/{path}", json=body, headers=picker)
        assert bad.status_code == 422, bad.text
        assert field in str(bad.json()["detail"])
    unknown = dock.client.post(
        f"{API}/putaway/suggest", json={"plate": "LP99999999"}, headers=picker
    )
    assert unknown.status_code == 404
    assert "LP99999999" in unknown.json()["detail"]
    too_many = {"plate": plate.code, "location": location, "quantity": 11}
    reply = dock.client.post(f"{API}/putaway/confirm", json=too_many, headers=picker)
    assert reply.status_code == 409
    assert "10 units left" in reply.json()["detail"]
    packer = dock.login(Role.PACKER)
    reply = dock.client.post(f"{API}/putaway/suggest", json={"plate": plate.code}, headers=packer)
    assert reply.status_code == 403
    ok = {"plate": plate.code, "location": location}
    reply = dock.client.post(f"{API}/putaway/confirm", json=ok, headers=picker)
    assert reply.status_code == 200
    assert reply.json()["plate"]["status"] == "stored"
    got = dock.client.get(f"{API}/plates/{plate.code}", headers=picker)
    assert got.status_code == 200
    assert got.json()["location"] == location
    assert dock.client.get(f"{API}/plates/nope", headers=picker).status_code == 422
    admin = dock.login(Role.ADMIN)
    reply = dock.client.put(
        f"{API}/locations/01-002-3/storage", json={"mixing": "sideways"}, headers=admin
    )
    assert reply.status_code == 422
    assert "mixing" in str(reply.json()["detail"])
    reply = dock.client.put(
        f"{API}/locations/01-002-3/storage", json={"max_quantity": 5}, headers=admin
    )
    assert reply.status_code == 409
    assert "home_sku" in str(reply.json()["detail"])
    reply = dock.client.put(
        f"{API}/locations/01-002-3/storage",
        json={"home_sku": "SKU-A", "max_quantity": 5, "velocity_zone": "A"},
        headers=admin,
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["home_sku"] == "SKU-A"
    assert reply.json()["max_quantity"] == 5
    reply = dock.client.put(
        f"{API}/products/SKU-A/storage",
        json={"velocity": "A", "storage_class": "chilled"},
        headers=admin,
    )
    assert reply.status_code == 200
    assert reply.json()["velocity"] == "A"


def test_a_plate_label_scans_back(dock: Site) -> None:
    plate = receive(dock, 12, lot="")
    picker = dock.login(Role.PICKER)
    png = dock.client.get(f"{API}/plates/{plate.code}/label?format=png", headers=picker)
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))]
    assert decoded == [plate.code]
    zpl = dock.client.get(f"{API}/plates/{plate.code}/label?format=zpl", headers=picker)
    assert "^BC" in zpl.text
    assert plate.code in zpl.text
    assert "SKU-A x 12" in zpl.text


def event(seq: int, payload: dict[str, Any], user_id: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "user_id": user_id,
        "type": "putaway.confirmed",
        "payload": payload,
        "station_time": datetime.now(UTC).isoformat(),
    }


def push(site: Site, *events: dict[str, Any]) -> list[dict[str, Any]]:
    reply = site.client.post(
        f"{API}/sync/push",
        json={"station_id": site.station_id, "events": list(events)},
        headers=site.station_headers(),
    )
    assert reply.status_code == 200, reply.text
    return list(reply.json()["results"])


def test_a_pushed_confirmation_applies_once_and_a_conflict_is_an_exception(dock: Site) -> None:
    picker = dock.client.get(f"{API}/auth/me", headers=dock.login(Role.PICKER)).json()["id"]
    storage(dock, "01-002-3", mixing="empty_only")
    plate, other = receive(dock, 10), receive(dock, 3, sku="SKU-B")
    good = event(1, {"plate": plate.code, "location": "01-002-3", "reason": "cannot_reach"}, picker)
    # The same bin, now holding SKU-A, one plate at a time: refused, not overfilled.
    clash = event(
        2, {"plate": other.code, "location": "01-002-3", "reason": "cannot_reach"}, picker
    )
    malformed = event(3, {"plate": other.code}, picker)
    results = push(dock, good, clash, malformed)
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected"]
    assert "not empty" in results[1]["reason"]
    assert "location" in results[2]["reason"]
    again = push(dock, good)
    assert again[0]["status"] == "duplicate"
    assert stock_by_location(dock.parts.engine)[("01-002-3", "")] == (10, 0)
    found = dock.parts.services.exceptions.find(BOSS, "open", "putaway_conflict", 0, 10)
    assert len(found.items) == 2
    assert dock.parts.services.putaway.plate(RECEIVER, other.code).remaining == 3


def test_the_rule_order_comes_from_the_settings() -> None:
    from toteflow.central.bootstrap import putaway_policy
    from toteflow.config import ConfigError, load_settings

    env = {"TOTEFLOW_PUTAWAY_RULES": '["velocity", "nearest_empty"]'}
    policy = putaway_policy(load_settings(environ=env))
    assert [r.value for r in policy.rules] == ["velocity", "nearest_empty"]
    assert policy.reservation_minutes == 15
    with pytest.raises(ConfigError, match=r"\[putaway\] rules: unknown put-away rule 'closest'"):
        putaway_policy(load_settings(environ={"TOTEFLOW_PUTAWAY_RULES": '["closest"]'}))
