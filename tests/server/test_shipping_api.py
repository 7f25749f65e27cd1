"""Shipping on the server: pack events through push, SSCC blocks, manifests, CSV, labels."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from typing import Any

import sqlalchemy as sa
import zxingcpp
from PIL import Image

from tests.server.conftest import Site
from tests.server.test_sync_api import audit, event, order_status, push
from tests.support.floor import Work, released_task
from toteflow.central.store import shipping_tables as st
from toteflow.central.store import tables as t
from toteflow.domain.actor import Actor
from toteflow.domain.gs1 import make_sscc
from toteflow.domain.roles import Role
from toteflow.domain.tracking import make_tracking

API = "/api/v1/shipping"


def picked(site: Site, *, reference: str = "SO-1", quantity: int = 2, seq: int = 1) -> Work:
    """An order whose one line was picked in full (order status: picked)."""
    work = released_task(
        site.parts.engine,
        reference=reference,
        quantity=quantity,
        sku=f"SKU-{reference}",
        barcode=f"B-{reference}",
    )
    with site.parts.engine.begin() as connection:
        connection.execute(
            sa.update(t.table(t.Task))
            .where(t.cols(t.Task).id == work.task_id)
            .values(status="in_progress")
        )
    reply = push(
        site,
        event(seq, "pick.confirmed", {"task_line_id": work.task_line_id, "quantity": quantity}),
    )
    assert reply.json()["results"][0]["status"] == "applied", reply.text
    assert order_status(site, work) == "picked"
    return work


def block(site: Site, count: int = 10) -> dict[str, Any]:
    reply = site.client.post(
        f"{API}/sscc-blocks", json={"count": count}, headers=site.login(Role.PACKER)
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def carton(
    shipment: str, order: str, box_no: int, sscc: str, contents: dict[str, int]
) -> dict[str, Any]:
    return {
        "shipment": shipment,
        "order": order,
        "box_no": box_no,
        "box_code": "BOX-S",
        "sscc": sscc,
        "tracking": make_tracking("ups", int(sscc[8:17]), account="T0F10W"),
        "carrier": "UPS",
        "service": "GROUND",
        "weight_g": 1234,
        "expected_weight_g": 1200,
        "length_mm": 300,
        "width_mm": 200,
        "height_mm": 150,
        "contents": contents,
    }


def close(shipment: str, order: str, boxes: int) -> dict[str, Any]:
    return {
        "shipment": shipment,
        "order": order,
        "boxes": boxes,
        "carrier": "UPS",
        "service": "GROUND",
        "cost_cents": 1870,
    }


def sscc_of(b: dict[str, Any], n: int) -> str:
    return make_sscc(b["extension_digit"], b["company_prefix"], b["first"] + n)


def statuses(reply: Any) -> list[str]:
    return [r["status"] for r in reply.json()["results"]]


def test_pack_label_close_then_manifest_ships_the_order(site: Site) -> None:
    work = picked(site)
    b = block(site)
    assert b["last"] - b["first"] == 9
    packer = site.login(Role.PACKER)
    order = site.client.get(f"{API}/pack-orders/SO-1", headers=packer).json()
    assert order["lines"][0]["picked"] == 2
    key = str(uuid.uuid4())
    first, second = sscc_of(b, 0), sscc_of(b, 1)
    reply = push(
        site,
        event(2, "carton.packed", carton(key, "SO-1", 1, first, {"SKU-SO-1": 1})),
        event(3, "label.printed", {"sscc": first, "printer": "zebra-1"}),
        event(4, "carton.packed", carton(key, "SO-1", 2, second, {"SKU-SO-1": 1})),
        event(5, "label.printed", {"sscc": second, "printer": "zebra-1"}),
        event(6, "shipment.closed", close(key, "SO-1", 2)),
    )
    assert statuses(reply) == ["applied"] * 5, reply.text
    assert order_status(site, work) == "packed"
    shipments = site.client.get(f"{API}/shipments?status=packed", headers=packer).json()
    assert shipments["total"] == 1
    shipment = shipments["items"][0]
    assert [box["sscc"] for box in shipment["boxes"]] == [first, second]
    assert shipment["weight_g"] == 2468
    assert shipment["boxes"][0]["label_prints"] == 1

    supervisor = site.login(Role.SUPERVISOR)
    assert (
        site.client.post(f"{API}/manifests", json={"carrier": "UPS"}, headers=packer).status_code
        == 403
    )
    manifest = site.client.post(f"{API}/manifests", json={"carrier": "ups"}, headers=supervisor)
    assert manifest.status_code == 201, manifest.text
    assert manifest.json()["shipments"] == 1
    assert manifest.json()["boxes"] == 2
    assert order_status(site, work) == "shipped"
    again = site.client.post(f"{API}/manifests", json={"carrier": "UPS"}, headers=supervisor)
    assert again.status_code == 409
    assert "no packed UPS shipments" in again.json()["detail"]

    exported = site.client.get(f"{API}/shipments.csv", headers=packer)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["sscc"] for r in rows] == [first, second]
    assert {r["status"] for r in rows} == {"shipped"}
    assert rows[0]["contents"] == "SKU-SO-1=1"

    png = site.client.get(f"{API}/labels/{first}?format=png", headers=packer)
    assert png.headers["content-type"] == "image/png"
    decoded = {r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))}
    assert f"(00){first}" in decoded
    assert shipment["boxes"][0]["tracking"] in decoded
    zpl = site.client.get(f"{API}/labels/{first}?format=zpl", headers=packer)
    assert f">;>800{first}" in zpl.text


def test_retried_pushes_record_each_carton_once(site: Site) -> None:
    picked(site)
    b = block(site)
    key = str(uuid.uuid4())
    events = [
        event(2, "carton.packed", carton(key, "SO-1", 1, sscc_of(b, 0), {"SKU-SO-1": 2})),
        event(3, "shipment.closed", close(key, "SO-1", 1)),
    ]
    assert statuses(push(site, *events)) == ["applied", "applied"]
    assert statuses(push(site, *events)) == ["duplicate", "duplicate"]
    with site.parts.engine.connect() as connection:
        boxes = connection.execute(sa.select(sa.func.count()).select_from(t.table(st.ShipmentBox)))
        assert boxes.scalar_one() == 1


def test_wrong_cartons_are_rejected_with_a_reason_and_become_exceptions(site: Site) -> None:
    picked(site)
    b = block(site)
    key = str(uuid.uuid4())
    foreign = make_sscc(0, "0614141", 999_999_999)
    reply = push(
        site,
        # Not from this station's block.
        event(2, "carton.packed", carton(key, "SO-1", 1, foreign, {"SKU-SO-1": 1})),
        # More than was picked.
        event(3, "carton.packed", carton(key, "SO-1", 1, sscc_of(b, 0), {"SKU-SO-1": 3})),
        # Not on the order.
        event(4, "carton.packed", carton(key, "SO-1", 1, sscc_of(b, 1), {"SKU-OTHER": 1})),
        event(5, "carton.packed", carton(key, "SO-1", 1, sscc_of(b, 2), {"SKU-SO-1": 2})),
        # The same SSCC again.
        event(6, "carton.packed", carton(key, "SO-1", 2, sscc_of(b, 2), {"SKU-SO-1": 1})),
        # The station says 2 boxes; the server has 1.
        event(7, "shipment.closed", close(key, "SO-1", 2)),
        event(8, "label.printed", {"sscc": make_sscc(0, "0614141", 5)}),
        event(9, "carton.packed", {"order": "SO-1"}),
        event(10, "pack.shorted", {"order": "SO-1", "sku": "SKU-SO-1", "missing": 1}),
    )
    results = reply.json()["results"]
    assert [r["status"] for r in results] == [
        "rejected",
        "rejected",
        "rejected",
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "applied",
    ]
    reasons = [r["reason"] for r in results]
    assert "was not issued to this station" in reasons[0]
    assert "but 2 were picked" in reasons[1]
    assert "SKU-OTHER is not on order SO-1" in reasons[2]
    assert "already on another box" in reasons[4]
    assert "packed 2 boxes but the server has 1" in reasons[5]
    assert "no box with SSCC" in reasons[6]
    assert "malformed" in reasons[7]
    with site.parts.engine.connect() as connection:
        kinds = (
            connection.execute(
                sa.select(t.cols(t.FloorException).kind).order_by(t.cols(t.FloorException).id)
            )
            .scalars()
            .all()
        )
    assert kinds.count("rejected_event") == 7
    assert kinds.count("pack_short") == 1


def test_a_cancelled_order_cannot_be_packed_and_another_station_cannot_pack_it_twice(
    site: Site,
) -> None:
    picked(site)
    b = block(site)
    supervisor = site.login(Role.SUPERVISOR)
    assert (
        site.client.post(
            "/api/v1/orders/SO-1/cancel", json={"reason": "customer"}, headers=supervisor
        ).status_code
        == 200
    )
    key = str(uuid.uuid4())
    reply = push(
        site, event(2, "carton.packed", carton(key, "SO-1", 1, sscc_of(b, 0), {"SKU-SO-1": 2}))
    )
    assert "SO-1 is cancelled" in reply.json()["results"][0]["reason"]

    picked(site, reference="SO-2", seq=3)
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    reply = push(
        site,
        event(4, "carton.packed", carton(one, "SO-2", 1, sscc_of(b, 1), {"SKU-SO-2": 1})),
        event(5, "carton.packed", carton(two, "SO-2", 1, sscc_of(b, 2), {"SKU-SO-2": 1})),
    )
    assert statuses(reply) == ["applied", "rejected"]
    assert "already packed or being packed" in reply.json()["results"][1]["reason"]


def test_sscc_blocks_never_overlap_and_need_a_packer(site: Site) -> None:
    blocks = [block(site, 7) for _ in range(5)]
    serials = [n for b in blocks for n in range(b["first"], b["last"] + 1)]
    assert len(serials) == len(set(serials)) == 35
    picker = site.login(Role.PICKER)
    assert (
        site.client.post(f"{API}/sscc-blocks", json={"count": 5}, headers=picker).status_code == 403
    )


def test_concurrent_reservations_never_share_a_serial(site: Site) -> None:
    actor = Actor(user_id=None, station_id=site.station_id, role=Role.PACKER)
    found: list[tuple[int, int]] = []
    lock = threading.Lock()

    def reserve() -> None:
        for _ in range(5):
            got = site.parts.services.shipping.reserve_sscc(actor, 3)
            with lock:
                found.append((got.first, got.last))

    threads = [threading.Thread(target=reserve) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    serials = [n for first, last in found for n in range(first, last + 1)]
    assert len(found) == 30
    assert len(serials) == len(set(serials)) == 90


def test_pack_orders_are_found_by_tote_and_unknown_ones_are_404(site: Site) -> None:
    work = picked(site)
    push(site, event(2, "tote.closed", {"task_id": work.task_id, "slot": 1, "tote": "T000042"}))
    packer = site.login(Role.PACKER)
    by_tote = site.client.get(f"{API}/pack-orders/T000042", headers=packer)
    assert by_tote.json()["reference"] == "SO-1"
    assert by_tote.json()["totes"] == ["T000042"]
    assert site.client.get(f"{API}/pack-orders/T999999", headers=packer).status_code == 404


def test_a_supervisors_badge_approves_a_far_off_weight_and_the_override_is_audited(
    site: Site,
) -> None:
    picked(site)
    b = block(site)
    packer = site.login(Role.PACKER)
    ask = {
        "order": "SO-1",
        "weight_g": 2500,
        "expected_weight_g": 1200,
        "reason": "packing_material",
    }

    def approve(badge: str, headers: dict[str, str]) -> Any:
        return site.client.post(
            f"{API}/weight-approvals", json={**ask, "badge": badge}, headers=headers
        )

    # Only a supervisor's badge, and not the packer's own, approves; each refusal is audited.
    refused = approve("B10002", packer)
    assert refused.status_code == 409
    assert "packer one is a packer: a supervisor's badge must approve it" in refused.text
    assert "is not a supervisor's" in approve("B99999", packer).text
    supervisor = site.login(Role.SUPERVISOR)
    assert "cannot approve your own" in approve("B10003", supervisor).text
    assert site.client.post(
        f"{API}/weight-approvals", json={**ask, "badge": "B10003"}, headers=site.station_headers()
    ).status_code in (401, 403)
    approved = approve("B10003", packer)
    assert approved.status_code == 200, approved.text
    approval = approved.json()
    assert (approval["name"], approval["role"]) == ("supervisor one", "supervisor")
    assert len(audit(site, "weight.approval_refused")) == 3
    (entry,) = audit(site, "weight.approved")
    assert entry["detail"]["approved_by"] == approval["user_id"]

    key = str(uuid.uuid4())
    box = carton(key, "SO-1", 1, sscc_of(b, 0), {"SKU-SO-1": 2})
    box["weight_override"] = {
        "reason": "packing_material",
        "approved_by": approval["user_id"],
        "approver": approval["name"],
    }
    assert statuses(push(site, event(2, "carton.packed", box))) == ["applied"]
    (overridden,) = audit(site, "carton.weight_overridden")
    assert overridden["detail"] == {
        "order": "SO-1",
        "sscc": sscc_of(b, 0),
        "weight_g": 1234,
        "expected_weight_g": 1200,
        "reason": "packing_material",
        "approved_by": approval["user_id"],
        "approver": "supervisor one",
    }
    # A malformed override refuses the carton, as any malformed payload does.
    bad = carton(key, "SO-1", 2, sscc_of(b, 1), {"SKU-SO-1": 1})
    bad["weight_override"] = {"reason": "Because!"}
    assert statuses(push(site, event(3, "carton.packed", bad))) == ["rejected"]


def test_a_pack_order_says_what_each_line_tracks_and_the_lots_it_was_picked_from(
    site: Site,
) -> None:
    work = picked(site)
    with site.parts.engine.begin() as connection:
        connection.execute(
            sa.update(t.table(t.Product))
            .where(t.cols(t.Product).sku == "SKU-SO-1")
            .values(lot_tracked=True, expiry_tracked=True, serial_tracked=True)
        )
        connection.execute(
            sa.update(t.table(t.TaskLine))
            .where(t.cols(t.TaskLine).id == work.task_line_id)
            .values(lot="L-0815")
        )
    line = site.client.get(f"{API}/pack-orders/SO-1", headers=site.login(Role.PACKER)).json()[
        "lines"
    ][0]
    assert {k: line[k] for k in ("lot_tracked", "expiry_tracked", "serial_tracked", "lots")} == {
        "lot_tracked": True,
        "expiry_tracked": True,
        "serial_tracked": True,
        "lots": ["L-0815"],
    }
    assert line["lot_substitution"] is False
