"""The pack station's HTTP calls: fetch an order to pack, reserve SSCC serials."""

from __future__ import annotations

from urllib.parse import quote

from toteflow.adapters.sync.client import SESSION_HEADER, SyncClient
from toteflow.contracts.shipping import PackOrder, SsccBlock, SsccBlockRequest


class PackClient(SyncClient):
    """SyncClient's transport and error sorting, with the pack station's two requests."""

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
