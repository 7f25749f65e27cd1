"""Stations pushing the same notices' cases at once: every case counted once, tallies exact."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.server.conftest import Site
from tests.support.receiving import add_notice, dock_with_notice, user_id
from toteflow.central.store.uow import SqlUnitOfWorkFactory
from toteflow.contracts import sync
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import Conflict
from toteflow.domain.roles import Role

STATIONS = 4
CASES = 60  # per notice, one unit each (the lines expect 100)
BATCH = 6  # events per push
NOTICES = ("ASN-1001", "ASN-2002")


def test_stations_pushing_the_same_cases_at_once_count_each_case_once(site: Site) -> None:
    dock_with_notice(site)
    add_notice(site, NOTICES[1], lines=1)
    services = site.parts.services
    receiver = user_id(site, Role.RECEIVER)
    stations = [
        services.people.register_station(SYSTEM, StationCreate(name=f"recv-{k}")).station
        for k in range(STATIONS)
    ]
    # Every station sends every case of both notices, in its own order: forwards, backwards,
    # notice by notice the other way round, so that pushes meet on the same rows.
    cases = [(ref, f"CASE-{ref}-{k:03d}") for k in range(CASES) for ref in NOTICES]
    orders = [cases, cases[::-1], cases[1::2] + cases[::2], cases[::2][::-1] + cases[1::2]]
    start = threading.Barrier(STATIONS)
    outcomes: list[tuple[str, str, str]] = []  # (case id, status, reason)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(k: int) -> None:
        station = stations[k]
        events = [
            sync.Event(
                id=uuid.uuid4(),
                seq=seq,
                user_id=receiver,
                type="receipt.case_received",
                payload={
                    "notice": ref,
                    "line_no": 1,
                    "case_id": case_id,
                    "sku": "SKU-A",
                    "lot": "L1",
                    "expiry": "2027-06-30",
                    "quantity": 1,
                    "dock": "DOCK-01",
                },
                station_time=datetime.now(UTC),
            )
            for seq, (ref, case_id) in enumerate(orders[k % len(orders)], start=1)
        ]
        start.wait()
        try:
            for first in range(0, len(events), BATCH):
                chunk = events[first : first + BATCH]
                reply = services.sync.push(
                    station, sync.PushRequest(station_id=station.id, events=chunk)
                )
                with lock:
                    for event, result in zip(chunk, reply.results, strict=True):
                        outcomes.append((event.payload["case_id"], result.status, result.reason))
        except BaseException as exc:
            with lock:
                errors.append(exc)

    began = time.perf_counter()
    with ThreadPoolExecutor(STATIONS) as pool:
        list(pool.map(run, range(STATIONS)))
    took = time.perf_counter() - began
    assert errors == []
    applied = Counter(case for case, status, _ in outcomes if status == "applied")
    refused = [reason for _, status, reason in outcomes if status == "rejected"]
    # 0 cases counted twice, none lost: each one applied by exactly one station.
    assert len(outcomes) == STATIONS * CASES * len(NOTICES)
    assert set(applied) == {case for _, case in cases}
    assert max(applied.values()) == 1
    assert len(refused) == (STATIONS - 1) * CASES * len(NOTICES)
    assert all("already received on notice" in reason for reason in refused), refused[:3]
    with site.parts.engine.connect() as connection:
        tallies = connection.execute(
            sa.text(
                "SELECT n.reference, l.received, l.accepted, n.status FROM inbound_notice_line l "
                "JOIN inbound_notice n ON n.id = l.notice_id WHERE l.line_no = 1 "
                "ORDER BY n.reference"
            )
        ).all()
        counted = connection.execute(
            sa.text("SELECT count(*), sum(quantity) FROM receipt_case")
        ).one()
        on_plates = connection.execute(sa.text("SELECT count(*), sum(quantity) FROM plate")).one()
        at_dock = connection.execute(
            sa.text(
                "SELECT sum(s.quantity) FROM stock s JOIN location l ON l.id = s.location_id "
                "WHERE l.code = 'DOCK-01'"
            )
        ).scalar_one()
    assert [tuple(row) for row in tallies] == [(ref, CASES, CASES, "receiving") for ref in NOTICES]
    total = CASES * len(NOTICES)
    assert tuple(counted) == (total, total)
    assert tuple(on_plates) == (total, total)
    assert at_dock == total
    print(
        f"\n{STATIONS} stations x {total} cases ({len(outcomes)} events, {took:.1f} s): "
        f"{sum(applied.values())} applied once each, {len(refused)} refused as already "
        f"received, 0 counted twice; lines {[row[1] for row in tallies]}, {at_dock} units at "
        "the dock"
    )


def test_the_unique_case_id_holds_even_without_the_notice_lock(site: Site) -> None:
    """The database itself refuses a case id twice on a notice (the look-up's backstop)."""
    notice = dock_with_notice(site)
    row = {
        "notice_id": notice.id,
        "line_id": None,
        "case_id": "CASE-1",
        "kind": "case",
        "product_id": None,
        "scanned": "",
        "lot": "",
        "expiry": None,
        "quantity": 1,
        "accepted": 1,
        "damaged": 0,
        "held": 0,
        "damage": {},
        "plates": [],
        "station_id": None,
        "event_id": None,
        "supervisor_id": None,
        "received_at": datetime.now(UTC),
    }
    with SqlUnitOfWorkFactory(site.parts.engine)() as uow:
        uow.receipts.add_case(row)
        with pytest.raises(Conflict, match="already received"), uow.savepoint():
            uow.receipts.add_case(row)
        uow.receipts.add_case({**row, "case_id": "CASE-2"})
        uow.commit()
    with site.parts.engine.connect() as connection:
        found = connection.execute(sa.text("SELECT case_id FROM receipt_case ORDER BY id"))
        assert [r[0] for r in found] == ["CASE-1", "CASE-2"]
