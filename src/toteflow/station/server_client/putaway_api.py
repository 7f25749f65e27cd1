"""The put-away walk's HTTP call: where the server suggests a plate goes (it reserves the space)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from toteflow.contracts import putaway as pa
from toteflow.domain.errors import Refused
from toteflow.station.ports.putaway import PutawayLeg, PutawayPlan
from toteflow.station.server_client.client import BadReply, SyncClient
from toteflow.station.server_client.station_api import SESSION_HEADER, _translated


def _plan(found: pa.Suggestion) -> PutawayPlan:
    # Units for a backorder go to its packing location first (cross-dock), then the legs.
    legs = [PutawayLeg(c.location, c.quantity, c.reason) for c in found.cross_dock if c.location]
    legs += [PutawayLeg(leg.location, leg.quantity, leg.reason) for leg in found.legs]
    words = found.words if legs or not found.why_not else found.why_not
    return PutawayPlan(found.plate, found.sku, found.quantity, legs, words)


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
                    json=pa.SuggestRequest(plate=plate).model_dump(),
                    headers={SESSION_HEADER: session_token},
                )
            except BadReply as exc:
                # "plate LP… is not known" is for the receiver; the method and path are not.
                if exc.status in (404, 409, 422):
                    words = str(exc).partition(f"answered {exc.status}: ")[2]
                    raise Refused(words or str(exc)) from None
                raise
            return _plan(client._parse(pa.Suggestion, reply))

        async with self.http() as http:
            return await _translated(go(SyncClient(http, self.server_url, self._token)))
