"""Station sync: push numbered events, pull the change feed (station token only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from toteflow.central.api.deps import PushTokenDep, ServicesDep, StationDep, get_station
from toteflow.contracts import sync
from toteflow.contracts.people import Station

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push")
def push(
    request: Request, services: ServicesDep, token: PushTokenDep, body: sync.PushRequest
) -> sync.PushResponse:
    """Apply the station's events in sequence order; retrying a push is always safe."""
    # The token is checked against the station the body names inside the push's own
    # transaction. When it is not that station's, the full look-up answers: 401 for a token
    # revoked since it was last found good, 403 for another station's.
    reply = services.sync.push_with_token(token, body)
    if reply is None:
        request.app.state.known_tokens.discard(token)
        reply = services.sync.push(get_station(request, services, token), body)
    return reply


@router.get("/changes")
def changes(
    services: ServicesDep,
    station: StationDep,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> sync.ChangesPage:
    """Changes after `since` that concern this station, oldest first."""
    return services.sync.changes(station, since, limit)


@router.get("/station")
def this_station(station: StationDep) -> Station:
    """The station this token belongs to: how a station set up from a token learns its id."""
    return station
