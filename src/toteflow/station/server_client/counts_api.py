"""The server's cycle-count API: open counts for counters, approvals for supervisors."""

from __future__ import annotations

from pydantic import TypeAdapter

from toteflow.contracts import counts as cc
from toteflow.contracts.catalogue import Product
from toteflow.contracts.common import Page
from toteflow.station.server_client.wave_api import WaveApi

_TASKS = TypeAdapter(list[cc.CountTask])
_VIEWS = TypeAdapter(list[cc.CountView])


class CountsApi(WaveApi):
    """Implements ports.counts.CountServer over HTTP, with the wave API's calls and errors."""

    def __repr__(self) -> str:
        return f"CountsApi({self.base!r})"

    async def open_counts(self, session_token: str) -> list[cc.CountTask]:
        return await self._call("GET", "/counts/open", session_token, _TASKS)

    async def products(self, session_token: str, offset: int, limit: int) -> list[Product]:
        params = {"offset": offset, "limit": limit}
        page = await self._call("GET", "/products", session_token, Page[Product], params=params)
        return page.items

    async def awaiting(self, session_token: str, limit: int) -> list[cc.CountView]:
        params = {"status": "awaiting_approval", "limit": limit}
        return await self._call("GET", "/counts", session_token, _VIEWS, params=params)

    async def decide(
        self, session_token: str, count_id: int, body: cc.CountDecision
    ) -> cc.CountView:
        return await self._call(
            "POST", f"/counts/{count_id}/decision", session_token, cc.CountView, json=body
        )
