"""Station sync: push numbered events, pull the change feed (station token only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from toteflow.contracts import sync
from toteflow.contracts.people import Station
from toteflow.server.deps import ServicesDep, StationDep

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push")
def push(services: ServicesDep, station: StationDep, body: sync.PushRequest) -> sync.PushResponse:
    """Apply the station's events in sequence order; retrying a push is always safe."""
    return services.sync.push(station, body)


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
