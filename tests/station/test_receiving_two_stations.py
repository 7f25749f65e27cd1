"""Two stations receiving one notice against the real server (SQLite and PostgreSQL): each desk
shows the notice as a whole, checks tolerances with the other's receipts, counts no case twice."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import Database
from tests.server.conftest import BADGES, PINS, Site
from tests.station.receiving_world import CASE_GTIN, PLAIN_GTIN, add_widgets, label_scan
from toteflow.config import Settings, load_settings
from toteflow.contracts.catalogue import LocationCreate
from toteflow.contracts.notices import NoticeCreate
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.domain.scan import interpret
from toteflow.station.server_client.receiving_api import ReceivingApi
from toteflow.station.server_client.station_api import StationApi
from toteflow.station.server_client.worker import SyncWorker
from toteflow.station.services import setup as station_setup
from toteflow.station.services.login import StationLogin
from toteflow.station.services.putaway import PutawayDesk
from toteflow.station.services.receiving import (
    ReceivingDesk,
    ReceivingLookups,
    ReceivingRecords,
)
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

SERVER = "http://toteflow.test"
REF = "ASN-T2"
ITEM = f"]E0{PLAIN_GTIN[1:]}"  # one unit of SKU-2: line 1, 10 expected
CASE = label_scan(f"(01){CASE_GTIN}(17)271231(10)L1")  # 12 of SKU-1 lot L1: line 2, 24
T = TypeVar("T")


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    """The site allows 10% over; SKU-1 has its own 50%, which comes first."""
    config = tmp_path / "toteflow.toml"
    config.write_text(
        '[receiving]\nover_tolerance_pct = 10.0\nquarantine_location = "QUAR-01"\n\n'
        '[receiving.products."SKU-1"]\nover_tolerance_pct = 50.0\n',
        encoding="utf-8",
    )
    env = {
        "TOTEFLOW_SERVER_DATABASE_URL": database.url,
        "TOTEFLOW_STATION_DATA_DIR": str(tmp_path / "station"),
    }
    return load_settings(config, environ=env)


class ReceivingStation:
    """A registered station store with a receiver logged in and a desk, over the server app."""

    def __init__(self, site: Site, folder: Path, name: str) -> None:
        registered = site.parts.services.people.register_station(SYSTEM, StationCreate(name=name))
        self.station_id, self.token = registered.station.id, registered.token
        self.engine = open_store(folder / f"{name}.db")
        self.uow = SqlStationUnitOfWorkFactory(self.engine)
        self.transport = httpx.ASGITransport(app=site.parts.app)
        station_setup.register(
            self.uow,
            station_id=self.station_id,
            name=name,
            server_url=SERVER,
            token=self.token,
            server_last_seq=0,
        )
        people = StationApi(self._client, SERVER, self.token)
        receiver = self.run(lambda: people.login(BADGES[Role.RECEIVER], PINS[Role.RECEIVER]))
        self.desk = ReceivingDesk(
            receiver,
            ReceivingRecords(self.uow),
            ReceivingLookups(self.uow),
            StationLogin(people),
            lambda raw: interpret(raw),
            server=ReceivingApi(self._client, SERVER, self.token),
            today=lambda: date(2026, 12, 7),
        )
        self.putaway = PutawayDesk(receiver, self.uow, lambda raw: interpret(raw))

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport)

    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        return asyncio.run(work())  # type: ignore[arg-type]

    def sync(self) -> None:
        """One round of the sync worker: push every waiting event, pull the whole feed."""

        async def once() -> None:
            async with self._client() as http:
                await SyncWorker(self.uow, http).sync_once()

        asyncio.run(once())

    def lines(self) -> list[tuple[int, int, int]]:
        """(received, damaged, still open) per line, as this desk shows them."""
        return [(r.received, r.damaged, r.still_open) for r in self.desk.lines()]

    def waiting(self) -> int:
        with self.uow() as uow:
            return uow.outbox.count_pending()


def seed(site: Site) -> None:
    services = site.parts.services
    add_widgets(services.catalogue)
    for code, kind in (("DOCK-01", "dock"), ("QUAR-01", "quarantine")):
        services.catalogue.add_location(SYSTEM, LocationCreate(code=code, kind=kind))
    services.notices.create(
        SYSTEM,
        NoticeCreate.model_validate(
            {
                "reference": REF,
                "kind": "po",
                "supplier": {"code": "ACME", "name": "Acme Supplies"},
                "expected_on": "2026-12-08",
                "dock": "DOCK-01",
                "lines": [
                    {"line_no": 1, "sku": "SKU-2", "quantity": 10},
                    {
                        "line_no": 2,
                        "sku": "SKU-1",
                        "quantity": 2,
                        "uom": "CS",
                        "lot": "L1",
                        "expiry": "2027-12-31",
                    },
                ],
            }
        ),
    )


def server_lines(site: Site) -> list[tuple[int, int, int]]:
    """(received, damaged, still open) per line on the server."""
    query = sa.text(
        "SELECT l.received, l.damaged, l.base_quantity FROM inbound_notice_line l "
        "JOIN inbound_notice n ON n.id = l.notice_id WHERE n.reference = :ref ORDER BY l.line_no"
    )
    with site.parts.engine.connect() as connection:
        rows = connection.execute(query, {"ref": REF}).all()
    return [(int(r), int(d), max(0, int(e) - int(r))) for r, d, e in rows]


def statuses(site: Site) -> list[str]:
    query = sa.text("SELECT status FROM applied_event ORDER BY station_id, seq")
    with site.parts.engine.connect() as connection:
        return [str(s) for s in connection.execute(query).scalars()]


def supervisor_id(site: Site) -> int:
    query = sa.text("SELECT id FROM app_user WHERE badge = :badge")
    with site.parts.engine.connect() as connection:
        return int(connection.execute(query, {"badge": BADGES[Role.SUPERVISOR]}).scalar_one())


def test_two_stations_on_one_notice_see_it_whole_and_check_tolerances_with_each_other(
    site: Site, tmp_path: Path
) -> None:
    seed(site)
    a, b = (ReceivingStation(site, tmp_path, name) for name in ("recv-a", "recv-b"))
    for station in (a, b):
        station.sync()
        assert station.run(station.desk.refresh_policy) == ""
        assert station.desk.policy.rules_for("ACME", "SKU-1").tolerance.percent == 50
        assert station.desk.open(REF).opened
    # A receives 6 units: A shows them at once, B once the server has them.
    for _ in range(6):
        assert a.desk.scan(ITEM).ok
    assert a.lines()[0] == (6, 0, 4)
    assert b.lines()[0] == (0, 0, 10)
    a.sync()
    b.sync()
    assert a.waiting() == 0
    assert a.lines()[0] == (6, 0, 4)  # the server's 6: its own events are not added again
    assert b.lines()[0] == (6, 0, 4)
    # B brings the line to 11: within the site's 10% over the 10 expected.
    for _ in range(5):
        assert b.desk.scan(ITEM).ok
    assert b.lines()[0] == (11, 0, 0)
    b.sync()
    a.sync()
    assert a.lines()[0] == (11, 0, 0)
    # A's next unit is beyond the tolerance only with B's five: a supervisor must approve.
    over = a.desk.scan(ITEM)
    assert over.supervisor, over
    assert "2 units over the 10 expected" in over.detail
    approved = a.run(lambda: a.desk.approve(BADGES[Role.SUPERVISOR], PINS[Role.SUPERVISOR]))
    assert approved.ok, approved
    # SKU-1's own 50% (not the site's 10%): 36 of 24 pass between the two stations, with 2
    # damaged units that the server puts on a quarantine plate of its own.
    assert a.desk.scan(CASE).ok
    assert a.desk.scan(CASE).ok
    a.sync()
    b.sync()
    assert b.desk.add_damage("crushed", 2).ok
    third = b.desk.scan(CASE)
    assert third.ok, third
    assert not third.supervisor
    assert b.lines()[1] == (36, 2, 0)
    b.sync()
    a.sync()
    fourth = a.desk.scan(CASE)
    assert fourth.supervisor, fourth
    assert "beyond the tolerance (50%)" in fourth.detail
    a.desk.set_aside()
    # Every event applied once; both desks show what the server counts, nothing twice.
    assert statuses(site) == ["applied"] * 15
    assert server_lines(site) == [(12, 0, 0), (36, 2, 0)]
    assert a.lines() == b.lines() == server_lines(site)
    # The server's own plate for B's damaged units: B's screen says where they went, and
    # its put-away finds it when scanned, held.
    [words] = b.desk.server_plates()
    code, _, where = words.partition(": ")
    assert re.fullmatch(r"LP[0-9]{8}", code), words  # LP and 8 digits: a code of the server's
    assert where == "2 SKU-1 lot L1 at QUAR-01 (held)"
    assert a.desk.server_plates() == []
    held = b.run(lambda: b.putaway.suggest(code))
    assert not held.ok
    assert "held at QUAR-01" in held.detail
    for station in (a, b):
        station.engine.dispose()
