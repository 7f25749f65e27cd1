"""The put-away walk's HTTP call: where the server suggests a plate goes (it reserves the space)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from toteflow.domain.errors import Refused
from toteflow.station.ports.putaway import PutawayLeg, PutawayPlan
from toteflow.station.server_client.client import BadReply, SyncClient
from toteflow.station.server_client.station_api import SESSION_HEADER, _translated


def _plan(body: dict[str, Any]) -> PutawayPlan:
    # Units for a backorder go to its packing location first (cross-dock), then the legs.
    legs = [
        PutawayLeg(str(leg["location"]), int(leg["quantity"]), str(leg.get("reason", "")))
        for leg in [*body.get("cross_dock", []), *body.get("legs", [])]
        if leg.get("location")
    ]
    return PutawayPlan(
        str(body["plate"]),
        str(body.get("sku", "")),
        int(body.get("quantity", 0)),
        legs,
        str(body.get("words", "")),
    )


class PutawayApi:
    """Implements the PutawayServer port; a short-lived client per call (as StationApi)."""

    def __init__(self, http: Callable[[], httpx.AsyncClient], server_url: str, token: str) -> None:
        self.http = http
        self.server_url = server_url
        self._token = token

    def __repr__(self) -> str:
        return f"PutawayApi({self.server_url!r})"

    async def suggest(self, plate: str, session_token: str) -> PutawayPlan:
        async def go(client: SyncClient) -> PutawayPlan:
            try:
                reply = await client._send(
                    "POST",
                    "/putaway/suggest",
                    json={"plate": plate},
                    headers={SESSION_HEADER: session_token},
                )
            except BadReply as exc:
                # "plate LP… is not known" is for the receiver; the method and path are not.
                if exc.status in (404, 409, 422):
                    words = str(exc).partition(f"answered {exc.status}: ")[2]
                    raise Refused(words or str(exc)) from None
                raise
            return _plan(reply.json())

        async with self.http() as http:
            return await _translated(go(SyncClient(http, self.server_url, self._token)))
