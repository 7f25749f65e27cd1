"""Server fixtures: an app on a fresh database, and clients logged in as each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Database
from toteflow.central.bootstrap import ServerParts, build_server
from toteflow.config import Settings
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role

PINS = {
    Role.PICKER: "1111",
    Role.PACKER: "2222",
    Role.SUPERVISOR: "3333",
    Role.ADMIN: "4444",
    Role.RECEIVER: "5555",
    Role.COUNTER: "6666",
    Role.REPLENISHER: "8888",
}
BADGES = {
    Role.PICKER: "B10001",
    Role.PACKER: "B10002",
    Role.SUPERVISOR: "B10003",
    Role.ADMIN: "B10004",
    Role.RECEIVER: "B10005",
    Role.COUNTER: "B10006",
    Role.REPLENISHER: "B10008",
}


@dataclass
class Site:
    parts: ServerParts
    client: TestClient
    station_token: str
    station_id: int

    def station_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.station_token}"}

    def login(self, role: Role) -> dict[str, str]:
        reply = self.client.post(
            "/api/v1/auth/login",
            json={"badge": BADGES[role], "pin": PINS[role]},
            headers=self.station_headers(),
        )
        assert reply.status_code == 200, reply.text
        return {**self.station_headers(), "X-Toteflow-Session": reply.json()["token"]}


@pytest.fixture
def site(settings: Settings, database: Database) -> Iterator[Site]:
    parts = build_server(settings, schema=database.schema)
    people = parts.services.people
    for role in Role:
        people.add_user(
            SYSTEM,
            UserCreate(name=f"{role.value} one", badge=BADGES[role], pin=PINS[role], role=role),
        )
    registered = people.register_station(SYSTEM, StationCreate(name="pick-01"))
    with TestClient(parts.app, raise_server_exceptions=False) as client:
        yield Site(parts, client, registered.token, registered.station.id)
    parts.engine.dispose()
