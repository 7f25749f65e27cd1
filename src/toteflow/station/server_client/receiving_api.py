"""The receiver's HTTP call: the site's receiving settings, read with the station's token."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from toteflow.contracts.catalogue import Location, Product
from toteflow.contracts.common import Page
from toteflow.contracts.notices import ReceivingPolicy
from toteflow.station.server_client.client import SyncClient
from toteflow.station.server_client.station_api import SESSION_HEADER, _translated

_DOCKS_PAGE = 500


class ReceivingApi:
    """Implements the ReceivingServer port; a short-lived client per call (as StationApi)."""

    def __init__(self, http: Callable[[], httpx.AsyncClient], server_url: str, token: str) -> None:
        self.http = http
        self.server_url = server_url
        self._token = token

    def __repr__(self) -> str:
        return f"ReceivingApi({self.server_url!r})"

    async def policy(self) -> ReceivingPolicy:
        async def go(client: SyncClient) -> ReceivingPolicy:
            return client._parse(ReceivingPolicy, await client._send("GET", "/receiving/policy"))

        async with self.http() as http:
            return await _translated(go(SyncClient(http, self.server_url, self._token)))

    async def products(self, skus: list[str], session_token: str) -> list[Product]:
        headers = {SESSION_HEADER: session_token}

        async def go(client: SyncClient) -> list[Product]:
            found = []
            for sku in skus:
                reply = await client._send("GET", f"/products/{sku}", headers=headers)
                if reply.status_code != 404:
                    found.append(client._parse(Product, reply))
            return found

        async with self.http() as http:
            return await _translated(go(SyncClient(http, self.server_url, self._token)))

    async def docks(self, session_token: str) -> list[Location]:
        headers = {SESSION_HEADER: session_token}

        async def go(client: SyncClient) -> list[Location]:
            reply = await client._send(
                "GET", "/locations", params={"kind": "dock", "limit": _DOCKS_PAGE}, headers=headers
            )
            return client._parse(Page[Location], reply).items

        async with self.http() as http:
            return await _translated(go(SyncClient(http, self.server_url, self._token)))
