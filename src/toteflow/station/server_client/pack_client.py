"""The pack station's HTTP calls: an order to pack, SSCC serials, a supervisor's approval."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import quote

import httpx

from toteflow.contracts.shipping import (
    PackOrder,
    SsccBlock,
    SsccBlockRequest,
    WeightApproval,
    WeightApprovalRequest,
)
from toteflow.domain.errors import Refused
from toteflow.station.server_client.client import SESSION_HEADER, BadReply, SyncClient
from toteflow.station.server_client.station_api import _translated


class PackClient(SyncClient):
    """SyncClient's transport and error sorting, with the pack station's requests."""

    async def pack_order(self, key: str, session_token: str) -> PackOrder:
        response = await self._send(
            "GET",
            f"/shipping/pack-orders/{quote(key, safe='')}",
            headers={SESSION_HEADER: session_token},
        )
        return self._parse(PackOrder, response)

    async def reserve_sscc(self, count: int, session_token: str) -> SsccBlock:
        response = await self._send(
            "POST",
            "/shipping/sscc-blocks",
            json=SsccBlockRequest(count=count).model_dump(),
            headers={SESSION_HEADER: session_token},
        )
        return self._parse(SsccBlock, response)

    async def approve_weight(
        self, request: WeightApprovalRequest, session_token: str
    ) -> WeightApproval:
        response = await self._send(
            "POST",
            "/shipping/weight-approvals",
            json=request.model_dump(),
            headers={SESSION_HEADER: session_token},
        )
        return self._parse(WeightApproval, response)


T = TypeVar("T")


class StationPackApi:
    """The PackServer port for the pack screens: a short-lived client per call, errors in
    service terms (as StationApi does for log-in and tasks)."""

    def __init__(self, http: Callable[[], httpx.AsyncClient], server_url: str, token: str) -> None:
        self.http = http
        self.server_url = server_url
        self._token = token

    def __repr__(self) -> str:
        return f"StationPackApi({self.server_url!r})"

    async def _call(self, use: Callable[[PackClient], Awaitable[T]]) -> T:
        async with self.http() as http:
            return await _translated(_plain(use(PackClient(http, self.server_url, self._token))))

    async def pack_order(self, key: str, session_token: str) -> PackOrder:
        return await self._call(lambda client: client.pack_order(key, session_token))

    async def reserve_sscc(self, count: int, session_token: str) -> SsccBlock:
        return await self._call(lambda client: client.reserve_sscc(count, session_token))

    async def approve_weight(
        self, request: WeightApprovalRequest, session_token: str
    ) -> WeightApproval:
        return await self._call(lambda client: client.approve_weight(request, session_token))


async def _plain(call: Awaitable[T]) -> T:
    # "no order or picked tote T1" is for the packer; the method and path are not.
    try:
        return await call
    except BadReply as exc:
        if exc.status in (404, 409, 422):
            raise Refused(str(exc).partition(f"answered {exc.status}: ")[2] or str(exc)) from None
        raise
