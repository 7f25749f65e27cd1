"""Log-in at a station, users, stations and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from toteflow.central.api.deps import (
    SESSION_HEADER,
    ActorDep,
    PagingDep,
    ServicesDep,
    StationDep,
    requires,
)
from toteflow.contracts import people as p
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter()
UserManager = Annotated[Actor, Depends(requires(Permission.MANAGE_USERS))]
StationManager = Annotated[Actor, Depends(requires(Permission.MANAGE_STATIONS))]
Auditor = Annotated[Actor, Depends(requires(Permission.READ_AUDIT))]
# Ids are 32-bit in the database: a larger number is bad input (422), not a database error.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.post("/auth/login", tags=["auth"])
def login(services: ServicesDep, station: StationDep, body: p.Login) -> p.SessionOut:
    """Badge (and PIN) to a session token, good only at this station."""
    return services.people.login(station, body)


@router.post("/auth/logout", tags=["auth"], status_code=204)
def logout(
    services: ServicesDep,
    actor: ActorDep,
    session: Annotated[str, Header(alias=SESSION_HEADER)],
) -> Response:
    services.people.logout(actor, session)
    return Response(status_code=204)


@router.get("/auth/me", tags=["auth"])
def whoami(services: ServicesDep, actor: ActorDep) -> p.User:
    """The person logged in with this session."""
    return services.people.me(actor)


@router.get("/users", tags=["users"])
def list_users(services: ServicesDep, actor: UserManager, paging: PagingDep) -> Page[p.User]:
    return services.people.users(actor, paging.offset, paging.limit)


@router.post("/users", tags=["users"], status_code=201)
def create_user(services: ServicesDep, actor: UserManager, body: p.UserCreate) -> p.User:
    return services.people.add_user(actor, body)


@router.patch("/users/{user_id}", tags=["users"])
def update_user(
    services: ServicesDep, actor: UserManager, user_id: Id, body: p.UserUpdate
) -> p.User:
    return services.people.update_user(actor, user_id, body)


@router.get("/stations", tags=["stations"])
def list_stations(
    services: ServicesDep, actor: StationManager, paging: PagingDep
) -> Page[p.Station]:
    return services.people.stations(actor, paging.offset, paging.limit)


@router.post("/stations", tags=["stations"], status_code=201)
def register_station(
    services: ServicesDep, actor: StationManager, body: p.StationCreate
) -> p.StationRegistered:
    """Register a station; the token in the answer is shown this once only."""
    return services.people.register_station(actor, body)


@router.post("/stations/{station_id}/token", tags=["stations"])
def rotate_token(
    services: ServicesDep, actor: StationManager, station_id: Id
) -> p.StationRegistered:
    """A new token; the old one stops working at once. A revoked station stays revoked."""
    return services.people.rotate_station_token(actor, station_id)


@router.post("/stations/{station_id}/activate", tags=["stations"])
def activate_station(
    services: ServicesDep, actor: StationManager, station_id: Id
) -> p.StationRegistered:
    """Re-activate a revoked station with a new token (shown this once only); rotating a
    revoked station's token leaves it revoked."""
    return services.people.activate_station(actor, station_id)


@router.post("/stations/{station_id}/revoke", tags=["stations"])
def revoke_station(services: ServicesDep, actor: StationManager, station_id: Id) -> p.Station:
    return services.people.revoke_station(actor, station_id)


@router.get("/audit", tags=["audit"])
def audit_log(
    services: ServicesDep,
    actor: Auditor,
    paging: PagingDep,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
) -> Page[p.AuditEntry]:
    return services.people.audit(actor, entity, entity_id, action, paging.offset, paging.limit)
