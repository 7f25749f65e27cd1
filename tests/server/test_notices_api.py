"""Inbound notices through the API on SQLite and PostgreSQL: create, read, find, cancel, refuse."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from tests.server.conftest import Site
from toteflow.central.store.notices_tables import InboundNotice, InboundNoticeLine, InboundSscc
from toteflow.central.store.tables import AuditEntry, Change
from toteflow.domain.gs1 import with_check_digit
from toteflow.domain.roles import Role

API = "/api/v1"
PRODUCT = {
    "sku": "SKU-1",
    "description": "Blue widget",
    "units": [
        {"uom": "EA", "barcode": "4006381333931"},
        {"uom": "CS", "units": 12, "barcode": "14006381333938"},
    ],
}
PALLET = with_check_digit("00614141" + "000000001")
CASE = with_check_digit("00614141" + "000000002")


def bad_check_digit(sscc: str) -> str:
    return sscc[:-1] + str((int(sscc[-1]) + 1) % 10)


def po(reference: str = "PO-1", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "kind": "po",
        "supplier": {"code": "ACME", "name": "Acme Supplies"},
        "expected_on": "2026-12-10",
        "lines": [{"line_no": 1, "sku": "SKU-1", "quantity": 2, "uom": "CS"}],
    }
    return {**body, **changes}


def asn(reference: str = "ASN-1", **changes: Any) -> dict[str, Any]:
    body = po(
        reference,
        kind="asn",
        dock="DOCK-1",
        lines=[
            {"line_no": 1, "sku": "SKU-1", "quantity": 2, "uom": "CS", "lot": "L1"},
            {"line_no": 2, "sku": "SKU-1", "quantity": 6, "uom": "EA", "lot": "L2"},
        ],
        ssccs=[
            {"sscc": PALLET, "contents": [{"sku": "SKU-1", "quantity": 24, "lot": "L1"}]},
            {
                "sscc": CASE,
                "parent_sscc": PALLET,
                "contents": [{"sku": "SKU-1", "quantity": 6, "lot": "L2"}],
            },
        ],
    )
    return {**body, **changes}


def _setup(site: Site) -> tuple[dict[str, str], dict[str, str]]:
    admin = site.login(Role.ADMIN)
    created = site.client.post(f"{API}/products", json=PRODUCT, headers=admin)
    assert created.status_code == 201, created.text
    for code, kind in (("DOCK-1", "dock"), ("01-001-1", "pick_face")):
        reply = site.client.post(
            f"{API}/locations", json={"code": code, "kind": kind}, headers=admin
        )
        assert reply.status_code == 201, reply.text
    return admin, site.login(Role.SUPERVISOR)


def _count(site: Site, model: Any) -> int:
    with Session(site.parts.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_a_notice_is_created_read_found_and_cancelled_with_audit_and_feed(site: Site) -> None:
    _admin, supervisor = _setup(site)
    created = site.client.post(f"{API}/notices", json=asn(), headers=supervisor)
    assert created.status_code == 201, created.text
    notice = created.json()
    assert notice["status"] == "expected"
    assert notice["dock"] == "DOCK-1"
    assert [(line["quantity"], line["uom"], line["base_quantity"]) for line in notice["lines"]] == [
        (2, "CS", 24),
        (6, "EA", 6),
    ]
    assert [s["parent_sscc"] for s in notice["ssccs"]] == [None, PALLET]

    receiver = site.login(Role.RECEIVER)
    got = site.client.get(f"{API}/notices/ASN-1", headers=receiver)
    assert got.status_code == 200
    assert got.json() == notice
    by_case = site.client.get(f"{API}/notices/by-sscc/{CASE}", headers=receiver)
    assert by_case.status_code == 200
    assert by_case.json()["reference"] == "ASN-1"
    missing = site.client.get(
        f"{API}/notices/by-sscc/{with_check_digit('0' * 17)}", headers=receiver
    )
    assert missing.status_code == 404
    # A receiver reads; only supervisors, admins (and the ERP's account) send or cancel.
    refused = site.client.post(f"{API}/notices", json=po(), headers=receiver)
    assert refused.status_code == 403
    picker = site.login(Role.PICKER)
    assert site.client.get(f"{API}/notices", headers=picker).status_code == 403

    again = site.client.post(f"{API}/notices", json=asn(), headers=supervisor)
    assert again.status_code == 409
    assert "ASN-1 already exists" in again.json()["detail"]

    cancelled = site.client.post(
        f"{API}/notices/ASN-1/cancel", json={"reason": "supplier recalled it"}, headers=supervisor
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "supplier recalled it"
    twice = site.client.post(
        f"{API}/notices/ASN-1/cancel", json={"reason": "x"}, headers=supervisor
    )
    assert twice.status_code == 409
    assert "cancelled cannot be cancelled" in twice.json()["detail"]
    unknown = site.client.post(
        f"{API}/notices/NOPE/cancel", json={"reason": "x"}, headers=supervisor
    )
    assert unknown.status_code == 404

    with Session(site.parts.engine) as session:
        actions = session.exec(
            select(col(AuditEntry.action)).where(col(AuditEntry.entity) == "notice")
        ).all()
        kinds = session.exec(
            select(col(Change.payload)).where(col(Change.kind) == "notice.updated")
        ).all()
    assert actions == ["notice.created", "notice.cancelled"]
    assert [payload["status"] for payload in kinds] == ["expected", "cancelled"]


def test_notices_are_listed_by_status_supplier_and_expected_date(site: Site) -> None:
    _admin, supervisor = _setup(site)
    for reference, supplier, day in (
        ("PO-1", "ACME", "2026-12-10"),
        ("PO-2", "ACME", "2026-12-12"),
        ("PO-3", "BOLT", "2026-12-11"),
    ):
        body = po(reference, supplier={"code": supplier, "name": supplier}, expected_on=day)
        assert site.client.post(f"{API}/notices", json=body, headers=supervisor).status_code == 201
    site.client.post(f"{API}/notices/PO-2/cancel", json={"reason": "x"}, headers=supervisor)

    def listed(**query: Any) -> list[str]:
        reply = site.client.get(f"{API}/notices", params=query, headers=supervisor)
        assert reply.status_code == 200, reply.text
        return [item["reference"] for item in reply.json()["items"]]

    assert listed() == ["PO-1", "PO-3", "PO-2"]
    assert listed(status="expected") == ["PO-1", "PO-3"]
    assert listed(supplier="ACME") == ["PO-1", "PO-2"]
    assert listed(expected_from="2026-12-11", expected_to="2026-12-11") == ["PO-3"]
    assert listed(offset=1, limit=1) == ["PO-3"]
    page = site.client.get(f"{API}/notices", params={"limit": 1}, headers=supervisor).json()
    assert page["total"] == 3
    assert page["limit"] == 1
    assert site.client.get(f"{API}/notices?status=lost", headers=supervisor).status_code == 422


def test_a_batch_creates_the_new_notices_once_and_refuses_a_reference_twice(site: Site) -> None:
    _admin, supervisor = _setup(site)
    assert (
        site.client.post(f"{API}/notices", json=po("PO-1"), headers=supervisor).status_code == 201
    )
    batch = {"notices": [po("PO-1"), po("PO-2"), asn("ASN-1")]}
    first = site.client.post(f"{API}/notices/batch", json=batch, headers=supervisor)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": ["PO-2", "ASN-1"], "already_present": ["PO-1"]}
    again = site.client.post(f"{API}/notices/batch", json=batch, headers=supervisor)
    assert again.json() == {"created": [], "already_present": ["PO-1", "PO-2", "ASN-1"]}
    assert _count(site, InboundNotice) == 3
    assert _count(site, InboundNoticeLine) == 4
    assert _count(site, InboundSscc) == 2

    doubled = {"notices": [po("PO-7"), po("PO-8"), po("PO-7")]}
    reply = site.client.post(f"{API}/notices/batch", json=doubled, headers=supervisor)
    assert reply.status_code == 422
    assert "sent more than once: PO-7" in reply.text
    assert _count(site, InboundNotice) == 3


def _refusal(site: Site, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, str]:
    reply = site.client.post(f"{API}/notices", json=body, headers=headers)
    assert reply.status_code < 500, reply.text
    return reply.status_code, reply.text


def test_bad_notices_are_refused_naming_the_field_and_nothing_is_written(site: Site) -> None:
    _admin, supervisor = _setup(site)
    line = {"line_no": 1, "sku": "SKU-1", "quantity": 2, "uom": "CS"}
    cases: list[tuple[dict[str, Any], int, list[str]]] = [
        (po(lines=[{**line, "quantity": "2"}]), 422, ["quantity", "valid integer"]),
        (po(lines=[{**line, "quantity": 1_000_001}]), 422, ["quantity", "1000000"]),
        (po(lines=[{**line, "sku": "SKU-9"}]), 409, ["lines.0.sku: unknown SKU SKU-9"]),
        (po(lines=[{**line, "uom": "PL"}]), 409, ["lines.0.uom: SKU SKU-1 has no unit PL"]),
        (
            po(lines=[{**line, "quantity": 100_000}]),
            409,
            ["lines.0.quantity", "1,200,000 units"],
        ),
        (po(lines=[{**line, "lot": "L\x1b[31m"}]), 422, ["lot", "control or invisible"]),
        (po(supplier={"code": "ACME", "name": "Ac\u202eme"}), 422, ["name", "U+202E"]),
        (po(expected_on=1700000000), 422, ["expected_on", "YYYY-MM-DD"]),
        (po(expected_on="2026-02-30"), 422, ["expected_on"]),
        (po(lines=[line, line]), 422, ["each line number may appear once"]),
        (po(dock="01-001-1"), 409, ["dock: location 01-001-1 is a pick_face, not a dock"]),
        (po(dock="DOCK-9"), 409, ["dock: no location DOCK-9"]),
        (po(kind="crate"), 422, ["kind"]),
        (po(extra=1), 422, ["extra"]),
        (
            asn(ssccs=[{"sscc": bad_check_digit(PALLET), "contents": []}]),
            422,
            ["ssccs", "wrong check digit"],
        ),
        (asn(ssccs=[{"sscc": "12345"}]), 422, ["ssccs", "sscc"]),
        (
            asn(ssccs=[{"sscc": PALLET}, {"sscc": PALLET}]),
            422,
            [f"each SSCC may appear once on a notice; sent twice: {PALLET}"],
        ),
        (
            asn(ssccs=[{"sscc": CASE, "parent_sscc": PALLET}]),
            422,
            [f"its parent SSCC {PALLET} is not on this notice"],
        ),
        (po(ssccs=[{"sscc": PALLET}]), 422, ["SSCCs are sent on an ASN only"]),
        (
            asn(
                ssccs=[
                    {"sscc": PALLET, "contents": [{"sku": "SKU-1", "quantity": 20, "lot": "L1"}]}
                ]
            ),
            409,
            ["ssccs: the contents of the SSCCs do not match", "SKU-1 lot L1: lines 24, SSCCs 20"],
        ),
        (
            asn(ssccs=[{"sscc": PALLET, "contents": [{"sku": "SKU-X", "quantity": 1}]}]),
            409,
            ["ssccs.0.contents.0.sku: unknown SKU SKU-X"],
        ),
    ]
    for body, status, words in cases:
        got, text = _refusal(site, supervisor, body)
        assert got == status, (body, text)
        for word in words:
            assert word in text, (word, text)
    assert _count(site, InboundNotice) == 0
    assert _count(site, InboundSscc) == 0


def test_an_sscc_is_never_on_two_notices(site: Site) -> None:
    _admin, supervisor = _setup(site)
    assert (
        site.client.post(f"{API}/notices", json=asn("ASN-1"), headers=supervisor).status_code == 201
    )
    status, text = _refusal(site, supervisor, asn("ASN-2"))
    assert status == 409
    assert f"ssccs.0.sscc: SSCC {PALLET} is already on notice ASN-1" in text
    two = {
        "notices": [
            po("PO-1"),
            asn("ASN-3", ssccs=[{"sscc": CASE}]),
            asn("ASN-4", ssccs=[{"sscc": CASE}]),
        ]
    }
    reply = site.client.post(f"{API}/notices/batch", json=two, headers=supervisor)
    assert reply.status_code == 409
    assert "notices.2.ssccs.0.sscc (ASN-4)" in reply.text
    assert _count(site, InboundNotice) == 1  # all of a batch or nothing


def test_the_receiving_policy_is_read_with_the_station_token(site: Site) -> None:
    reply = site.client.get(f"{API}/receiving/policy", headers=site.station_headers())
    assert reply.status_code == 200
    assert reply.json() == {
        "blind_receipts": False,
        "over_tolerance_pct": 0.0,
        "suppliers": {},
        "products": {},
    }
    assert site.client.get(f"{API}/receiving/policy").status_code == 401
