"""Request dependencies, each named once: the services, the station, the person, the role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from toteflow.central.api.known_tokens import KnownTokens
from toteflow.central.services.catalogue import CatalogueService
from toteflow.central.services.containers import ContainerService
from toteflow.central.services.counts import CountService
from toteflow.central.services.notices import NoticeService
from toteflow.central.services.orders import OrderService
from toteflow.central.services.people import PeopleService
from toteflow.central.services.putaway import PutawayService
from toteflow.central.services.receiving import ReceivingService
from toteflow.central.services.replenishment import ReplenishmentService
from toteflow.central.services.shipping import ShippingService
from toteflow.central.services.stock_moves import StockService
from toteflow.central.services.sync import SyncService
from toteflow.central.services.tasks import TaskService
from toteflow.central.services.waves import (
    FloorControlService,
    FloorExceptionService,
    WaveBuildingService,
    WaveProgressService,
    WaveReleaseService,
)
from toteflow.contracts.people import Station
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Unauthenticated
from toteflow.domain.roles import Permission

SESSION_HEADER = "X-Toteflow-Session"


@dataclass(frozen=True)
class Services:
    """The use cases the routes call; bootstrap builds one set per server process."""

    catalogue: CatalogueService
    orders: OrderService
    people: PeopleService
    sync: SyncService
    containers: ContainerService
    tasks: TaskService
    shipping: ShippingService
    waves: WaveBuildingService
    wave_release: WaveReleaseService
    wave_progress: WaveProgressService
    floor_control: FloorControlService
    exceptions: FloorExceptionService
    notices: NoticeService
    putaway: PutawayService
    receiving: ReceivingService
    stock: StockService
    counts: CountService
    replenishment: ReplenishmentService
    health: Callable[[], None]


async def get_services(request: Request) -> Services:
    # async: FastAPI runs a plain def dependency in the thread pool, a hop per request.
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def refuse_nul_parameters(request: Request) -> None:
    """NUL in a path or query parameter is bad input (422) on every route, reads included.

    PostgreSQL cannot hold NUL in text, not even in a query's parameter, so a look-up by such
    a value would fail in the driver; no code, name or search a person sends contains one.
    """
    errors = [
        {
            "type": "string_pattern_mismatch",
            "loc": (where, name),
            "msg": "must not contain NUL (0x00) characters",
            "input": value,
        }
        for where, params in (
            ("path", list(request.path_params.items())),
            ("query", request.query_params.multi_items()),
        )
        for name, value in params
        if isinstance(value, str) and "\x00" in value
    ]
    if errors:
        raise RequestValidationError(errors)


async def get_station_token(
    authorization: Annotated[
        str | None, Header(description="`Bearer <station token>`", include_in_schema=False)
    ] = None,
) -> str:
    """The bearer token as sent, not yet checked (async: no thread pool hop for a parse)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send the station's token as 'Authorization: Bearer <token>'")
    return token.strip()


StationTokenDep = Annotated[str, Depends(get_station_token)]


def get_station(request: Request, services: ServicesDep, token: StationTokenDep) -> Station:
    station = services.people.authenticate_station(token)
    request.state.actor = Actor(None, station.id, None)
    return station


async def get_push_token(request: Request, services: ServicesDep, token: StationTokenDep) -> str:
    """A station token found good, if not now then within the last minute.

    The push checks it again in its own transaction; this look-up, skipped for a token seen
    lately, keeps a bad token's answer what it is on every route: 401, whatever the body.
    """
    known: KnownTokens = request.app.state.known_tokens
    if token not in known:
        await run_in_threadpool(get_station, request, services, token)
        known.add(token)
    return token


PushTokenDep = Annotated[str, Depends(get_push_token)]


StationDep = Annotated[Station, Depends(get_station)]


def get_actor(
    request: Request,
    services: ServicesDep,
    station: StationDep,
    session: Annotated[
        str | None,
        Header(alias=SESSION_HEADER, description="session token from /auth/login"),
    ] = None,
) -> Actor:
    if not session:
        raise Unauthenticated(f"log in at the station first and send the {SESSION_HEADER} header")
    actor = services.people.authenticate_session(station, session)
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def requires(permission: Permission) -> Callable[[Actor], Actor]:
    """A dependency that lets the request through only for roles holding `permission`."""

    def check(actor: ActorDep) -> Actor:
        actor.require(permission)
        return actor

    check.__name__ = f"requires_{permission.value}"
    return check


@dataclass(frozen=True)
class Paging:
    offset: int
    limit: int


def get_paging(
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Paging:
    return Paging(offset, limit)


PagingDep = Annotated[Paging, Depends(get_paging)]
