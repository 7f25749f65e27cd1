"""A receiving dock for server tests: locations, products, a notice, receipt events to push."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from tests.server.conftest import Site
from tests.support.wave_floor import add_product
from toteflow.contracts import catalogue as cat
from toteflow.contracts import notices as n
from toteflow.domain.actor import SYSTEM
from toteflow.domain.gs1 import gs1_check_digit

API = "/api/v1"
REF = "ASN-1001"


def sscc(serial: int) -> str:
    body = f"0{'0614141'}{serial:09d}"
    return body + str(gs1_check_digit(body))


def dock_with_notice(site: Site, *, reference: str = REF, lines: int = 2) -> n.Notice:
    """DOCK-01, QUAR-01, QUAL-01, products SKU-A (lot and expiry tracked), SKU-B, SKU-C (not
    on the notice); a notice from ACME of 100 SKU-A (line 1) and 50 SKU-B (line 2)."""
    services = site.parts.services
    for code, kind in (("DOCK-01", "dock"), ("QUAR-01", "quarantine"), ("QUAL-01", "quality")):
        services.catalogue.add_location(SYSTEM, cat.LocationCreate(code=code, kind=kind))
    add_product(services, "SKU-A", expiry_tracked=True)
    add_product(services, "SKU-B")
    add_product(services, "SKU-C")
    return add_notice(site, reference, lines=lines)


def add_notice(
    site: Site,
    reference: str,
    *,
    lines: int = 2,
    ssccs: list[Any] | None = None,
    given: list[n.NoticeLineIn] | None = None,
) -> n.Notice:
    body = n.NoticeCreate(
        reference=reference,
        kind=n.NoticeKind.ASN,
        supplier=n.Supplier(code="ACME", name="Acme Ltd"),
        expected_on=date(2026, 12, 8),
        dock="DOCK-01",
        lines=given
        or [
            n.NoticeLineIn(line_no=1, sku="SKU-A", quantity=100),
            n.NoticeLineIn(line_no=2, sku="SKU-B", quantity=50),
        ][:lines],
        ssccs=ssccs or [],
    )
    return site.parts.services.notices.create(SYSTEM, body)


def user_id(site: Site, role: Any) -> int:
    reply = site.client.get(f"{API}/auth/me", headers=site.login(role))
    return int(reply.json()["id"])


def case(**kw: Any) -> dict[str, Any]:
    """A receipt.case_received payload: 10 of SKU-A lot L1 on line 1, a new case id."""
    payload: dict[str, Any] = {
        "notice": REF,
        "line_no": 1,
        "case_id": f"C-{uuid.uuid4().hex[:10]}",
        "sku": "SKU-A",
        "lot": "L1",
        "expiry": "2027-06-30",
        "quantity": 10,
        "dock": "DOCK-01",
    }
    payload.update(kw)
    return payload


def event(seq: int, kind: str, payload: dict[str, Any], user: int | None) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "user_id": user,
        "type": kind,
        "payload": payload,
        "station_time": datetime.now(UTC).isoformat(),
    }


class Pusher:
    """One station's outbox: numbered events, pushed like the station's sync does."""

    def __init__(self, site: Site, token: str | None = None, station_id: int | None = None) -> None:
        self.site = site
        self.token = token or site.station_token
        self.station_id = station_id or site.station_id
        self.seq = 0

    def make(self, kind: str, payload: dict[str, Any], user: int | None) -> dict[str, Any]:
        self.seq += 1
        return event(self.seq, kind, payload, user)

    def push(self, *events: dict[str, Any]) -> list[dict[str, Any]]:
        reply = self.site.client.post(
            f"{API}/sync/push",
            json={"station_id": self.station_id, "events": list(events)},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert reply.status_code == 200, reply.text
        return list(reply.json()["results"])


def configure(site: Site, **policy: Any) -> None:
    """Change the receiving settings the push and the API use (tolerances, inspect, blind,
    webhook_url, ...) for this test."""
    services = site.parts.services
    settings = services.receiving.settings
    own = {
        k: policy.pop(k)
        for k in ("webhook_url", "quarantine_location", "quality_location")
        if k in policy
    }
    changed = replace(settings, policy=settings.policy.model_copy(update=policy), **own)
    services.receiving.settings = changed
    services.sync.receiving = changed


def table_rows(engine: Any, model: Any) -> list[dict[str, Any]]:
    """Every row of a table, as dicts, by id."""
    table = model.__table__
    with engine.connect() as connection:
        return [
            dict(row._mapping) for row in connection.execute(sa.select(table).order_by(table.c.id))
        ]
