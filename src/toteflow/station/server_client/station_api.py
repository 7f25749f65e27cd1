"""The server's log-in, task and identity API for the station's screens, errors in service terms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from toteflow.contracts.people import SessionOut, Station
from toteflow.contracts.tasks import Task
from toteflow.domain.errors import Forbidden, ServiceError, Unauthenticated
from toteflow.station.server_client.client import (
    BadReply,
    Offline,
    ServerTrouble,
    StationRefused,
    SyncClient,
    SyncError,
    TokenRefused,
)
from toteflow.station.services.login import Person, ServerUnreachable

T = TypeVar("T")
SESSION_HEADER = "X-Toteflow-Session"


async def _translated(call: Awaitable[T]) -> T:
    # Screens know services' errors only; each sync error says what a person can do.
    try:
        return await call
    except (Offline, ServerTrouble) as exc:
        raise ServerUnreachable(f"the server is not answering ({exc}): try again") from None
    except TokenRefused as exc:
        detail = str(exc).removeprefix("the server refused this station's token: ")
        raise Unauthenticated(detail) from None
    except StationRefused as exc:
        raise Forbidden(str(exc).removeprefix("the server refused this station: ")) from None
    except (BadReply, SyncError) as exc:
        raise ServiceError(str(exc)) from None


class StationApi:
    """Implements the station's PeopleServer and TaskServer ports.

    Log-ins and requests for work are rare, so each opens a short-lived AsyncClient from
    `http` on the loop that awaits it: no client outlives its event loop. The sync
    client's request helper sorts every reply into the same errors as the sync worker's.
    """

    def __init__(self, http: Callable[[], httpx.AsyncClient], server_url: str, token: str) -> None:
        self.http = http
        self.server_url = server_url
        self._token = token

    def __repr__(self) -> str:
        return f"StationApi({self.server_url!r})"

    async def _call(self, use: Callable[[SyncClient], Awaitable[T]]) -> T:
        async with self.http() as http:
            return await _translated(use(SyncClient(http, self.server_url, self._token)))

    async def login(self, badge: str, pin: str | None) -> Person:
        async def go(client: SyncClient) -> Person:
            response = await client._send("POST", "/auth/login", json={"badge": badge, "pin": pin})
            session = client._parse(SessionOut, response)
            user = session.user
            return Person(user.id, user.name, user.badge, user.role, session.token)

        try:
            return await self._call(go)
        except ServiceError as exc:
            if "422" in str(exc):
                # A badge or PIN of the wrong shape gets the same answer as a wrong one.
                raise Unauthenticated("badge or PIN not recognised") from None
            raise

    async def logout(self, person: Person) -> None:
        async def go(client: SyncClient) -> None:
            await client._send(
                "POST", "/auth/logout", headers={SESSION_HEADER: person.session_token}
            )

        await self._call(go)

    async def next_task(self, session_token: str) -> Task | None:
        return await self._call(lambda client: client.next_task(session_token))

    async def get_task(self, task_id: int, session_token: str) -> Task:
        return await self._call(lambda client: client.get_task(task_id, session_token))

    async def station(self) -> Station:
        """The station the token belongs to (its id is needed to register the store)."""

        async def go(client: SyncClient) -> Station:
            return client._parse(Station, await client._send("GET", "/sync/station"))

        return await self._call(go)

    async def last_seq(self, station_id: int) -> int:
        """The server's last event number for this station (see SyncClient.probe_last_seq)."""
        return await self._call(lambda client: client.probe_last_seq(station_id))
