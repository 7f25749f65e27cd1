"""Stock inquiries over HTTP: what a location holds, where an item is, what is on a plate."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

import httpx

from toteflow.contracts import putaway as pa
from toteflow.contracts import stock as st
from toteflow.contracts.common import Model
from toteflow.domain.errors import NotFound
from toteflow.station.server_client.client import BadReply, SyncClient
from toteflow.station.server_client.station_api import SESSION_HEADER, _translated

M = TypeVar("M", bound=Model)


class StockApi:
    """Implements the StockServer port; a short-lived client per call (as StationApi)."""

    def __init__(self, http: Callable[[], httpx.AsyncClient], server_url: str, token: str) -> None:
        self.http = http
        self.server_url = server_url
        self._token = token

    def __repr__(self) -> str:
        return f"StockApi({self.server_url!r})"

    async def _get(self, path: str, model: type[M], session_token: str) -> M:
        async def go(client: SyncClient) -> M:
            try:
                reply = await client._send("GET", path, headers={SESSION_HEADER: session_token})
            except BadReply as exc:
                # "no location 09-999-9" is for the person; the method and path are not.
                if exc.status in (404, 422):
                    words = str(exc).partition(f"answered {exc.status}: ")[2]
                    raise NotFound(words or str(exc)) from None
                raise
            return client._parse(model, reply)

        async with self.http() as http:
            return await _translated(go(SyncClient(http, self.server_url, self._token)))

    async def location(self, code: str, session_token: str) -> st.LocationStock:
        return await self._get(
            f"/stock/locations/{quote(code, safe='')}", st.LocationStock, session_token
        )

    async def item(self, code: str, session_token: str) -> st.ItemStock:
        return await self._get(f"/stock/items/{quote(code, safe='')}", st.ItemStock, session_token)

    async def plate(self, code: str, session_token: str) -> pa.Plate:
        return await self._get(f"/plates/{quote(code, safe='')}", pa.Plate, session_token)
