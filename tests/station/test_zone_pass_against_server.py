"""A three-zone order picked across three stations against a real server on a loopback port.

Zone A picks into a tote and is told to take it to zone B; zone B's task names that tote and
takes it; so on to zone C, whose finish sends the tote to the pack stations; the pack desk
waits until then, and opens the order with every unit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.server.conftest import BADGES, PINS
from tests.station.test_packing import RawPrinter, packing_service
from tests.support.wave_floor import add_locations, add_orders, add_stock, order
from tests.tui.station_world import LiveServer, free_port
from toteflow.central.bootstrap import ServerParts, build_server
from toteflow.config import load_settings
from toteflow.contracts import catalogue as cat
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import Refused
from toteflow.domain.gs1 import gs1_check_digit
from toteflow.domain.roles import Role
from toteflow.domain.scan import interpret
from toteflow.station.server_client.client import SyncClient
from toteflow.station.server_client.pack_client import PackClient
from toteflow.station.server_client.worker import SyncWorker
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import FloorActions, StationView, take_next_task
from toteflow.station.services.login import Person
from toteflow.station.services.packing.service import open_order
from toteflow.station.services.picker import PickWalk
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

T = TypeVar("T")
API = "/api/v1"
ORDER = "SO-100214"
# Each SKU's GTIN-13, as the picker's scanner reads it off the item.
GTINS = {
    sku: f"400638133{n:03d}{gs1_check_digit(f'400638133{n:03d}')}"
    for n, sku in enumerate(("SKU-A", "SKU-B", "SKU-C"))
}


@dataclass
class Floor:
    parts: ServerParts
    server: LiveServer
    folder: Path

    def run(self, work: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
        async def go() -> T:
            async with httpx.AsyncClient(base_url=self.server.url) as http:
                return await work(http)

        return asyncio.run(go())

    def login(self, token: str, role: Role) -> tuple[int, str]:
        async def go(http: httpx.AsyncClient) -> tuple[int, str]:
            reply = await http.post(
                f"{API}/auth/login",
                json={"badge": BADGES[role], "pin": PINS[role]},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert reply.status_code == 200, reply.text
            body = reply.json()
            return int(body["user"]["id"]), str(body["token"])

        return self.run(go)


class PickStation:
    """One floor terminal's store and services, registered with the live server."""

    def __init__(self, floor: Floor, name: str) -> None:
        registered = floor.parts.services.people.register_station(SYSTEM, StationCreate(name=name))
        self.floor = floor
        self.token = registered.token
        self.station_id = registered.station.id
        self.engine = open_store(floor.folder / name / "station.db")
        self.uow = SqlStationUnitOfWorkFactory(self.engine)
        self.view = StationView(self.uow)
        self.actions = FloorActions(self.uow)
        station_setup.register(
            self.uow,
            station_id=self.station_id,
            name=name,
            server_url=floor.server.url,
            token=self.token,
            server_last_seq=0,
        )

    def person(self, role: Role) -> Person:
        user_id, session = self.floor.login(self.token, role)
        return Person(user_id, f"{role.value} one", BADGES[role], role, session)

    def take_task(self, person: Person) -> PickWalk | None:
        async def go(http: httpx.AsyncClient) -> int | None:
            client = SyncClient(http, self.floor.server.url, self.token)
            task = await take_next_task(client, self.view, person.session_token)
            return task.id if task else None

        task_id = self.floor.run(go)
        if task_id is None:
            return None
        return PickWalk(person, task_id, self.actions, self.view)

    def sync(self) -> None:
        async def go(http: httpx.AsyncClient) -> None:
            worker = SyncWorker(self.uow, http)
            await worker.sync_once()
            assert worker.status.state == "online", worker.status

        self.floor.run(go)
        assert self.view.events_waiting() == 0


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    env = {"TOTEFLOW_SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"}
    parts = build_server(load_settings(environ=env))
    services = parts.services
    for role in (Role.PICKER, Role.PACKER, Role.SUPERVISOR):
        services.people.add_user(
            SYSTEM,
            UserCreate(name=f"{role.value} one", badge=BADGES[role], pin=PINS[role], role=role),
        )
    add_locations(services, ["02-005-1", "08-012-1", "12-003-1"])
    for sku, where in (("SKU-A", "02-005-1"), ("SKU-B", "08-012-1"), ("SKU-C", "12-003-1")):
        services.catalogue.add_product(
            SYSTEM,
            cat.ProductCreate(
                sku=sku,
                description=f"Item {sku}",
                units=[
                    cat.ProductUnitIn(
                        barcode=GTINS[sku], length_mm=100, width_mm=100, height_mm=100, weight_g=500
                    )
                ],
            ),
        )
        add_stock(services, where, sku, 20)
    add_orders(services, [order(ORDER, [("SKU-A", 1), ("SKU-B", 2), ("SKU-C", 1)])])
    server = LiveServer(parts.app, free_port())
    server.start()
    try:
        yield Floor(parts, server, tmp_path)
    finally:
        server.stop()
        parts.engine.dispose()


def release_zone_wave(floor: Floor, station: PickStation) -> None:
    _, session = floor.login(station.token, Role.SUPERVISOR)
    headers = {"Authorization": f"Bearer {station.token}", "X-Toteflow-Session": session}

    async def go(http: httpx.AsyncClient) -> None:
        wave = await http.post(
            f"{API}/waves", json={"filters": {}, "strategy": "zone"}, headers=headers
        )
        assert wave.status_code == 201, wave.text
        released = await http.post(f"{API}/waves/{wave.json()['id']}/release", headers=headers)
        assert released.status_code == 200, released.text
        assert len(released.json()["task_ids"]) == 3

    floor.run(go)


def walk_zone(walk: PickWalk, tote: str) -> str:
    """Take the tote, pick every stop into it, finish; where the tote goes now, in words."""
    outcome = walk.scan(interpret(tote))
    assert outcome.ok, outcome
    walk.start()
    while (line := walk.current_line()) is not None:
        assert walk.scan(interpret(line.location)).ok
        for _ in range(line.quantity):
            assert walk.scan(interpret(GTINS[line.sku])).ok
        put = walk.scan(interpret(tote))
        assert put.ok, put
    assert walk.phase == "done"
    done = walk.finish()
    [closed] = done.totes
    assert closed.tote == tote
    return closed.where


def test_a_three_zone_order_passes_its_tote_zone_to_zone_then_to_packing(
    floor: Floor, tmp_path: Path
) -> None:
    a, b, c = (PickStation(floor, name) for name in ("zone-a", "zone-b", "zone-c"))
    release_zone_wave(floor, a)
    picker_a, picker_b, picker_c = (s.person(Role.PICKER) for s in (a, b, c))

    # Zone A: its task is the only one handed out; zones B and C wait for the tote.
    walk_a = a.take_task(picker_a)
    assert walk_a is not None
    assert walk_a.task.zone == "A"
    assert walk_a.prompt() == f"Scan an empty tote for order {ORDER}"
    assert b.take_task(picker_b) is None
    assert walk_zone(walk_a, "T000001") == "zone B"
    a.sync()

    # Zone B: the task names the tote arriving from zone A, and takes it.
    walk_b = b.take_task(picker_b)
    assert walk_b is not None
    assert walk_b.task.zone == "B"
    assert walk_b.prompt() == f"Take tote T000001 arriving from zone A for order {ORDER}: scan it"
    assert c.take_task(picker_c) is None
    taken = walk_b.scan(interpret("T000001"))
    assert (taken.ok, taken.headline) == (True, "TOTE T000001 TAKEN")
    assert walk_zone_after_taking(walk_b, "T000001") == "zone C"
    b.sync()

    # The pack desk waits while the tote is still on its way.
    packer = c.person(Role.PACKER)
    # Labels are not printed here: the printer stays off.
    packing = packing_service(c.uow, RawPrinter(), tmp_path / "out")

    async def waits(http: httpx.AsyncClient) -> None:
        client = PackClient(http, floor.server.url, c.token)
        with pytest.raises(Refused, match=r"waits for tote T000001 \(on its way to zone C\)"):
            await open_order(client, packing, packer.user_id, "T000001", packer.session_token)

    floor.run(waits)

    # Zone C, then packing.
    walk_c = c.take_task(picker_c)
    assert walk_c is not None
    assert "T000001 arriving from zone B" in walk_c.prompt()
    assert walk_zone(walk_c, "T000001") == "the pack stations"
    c.sync()

    async def opened(http: httpx.AsyncClient) -> list[tuple[str, int]]:
        client = PackClient(http, floor.server.url, c.token)
        view = await open_order(client, packing, packer.user_id, "T000001", packer.session_token)
        assert view.order.totes == ["T000001"]
        return [(line.sku, line.expected) for line in view.lines]

    assert floor.run(opened) == [("SKU-A", 1), ("SKU-B", 2), ("SKU-C", 1)]
    for station in (a, b, c):
        station.engine.dispose()


def walk_zone_after_taking(walk: PickWalk, tote: str) -> str:
    walk.start()
    while (line := walk.current_line()) is not None:
        assert walk.scan(interpret(line.location)).ok
        for _ in range(line.quantity):
            assert walk.scan(interpret(GTINS[line.sku])).ok
        assert walk.scan(interpret(tote)).ok
    [closed] = walk.finish().totes
    return closed.where
