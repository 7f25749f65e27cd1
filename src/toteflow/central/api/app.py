"""The central server's FastAPI app, built by a factory from ready-made services."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.routing import BaseRoute

import toteflow
from toteflow.central.api import errors
from toteflow.central.api.deps import Services, ServicesDep, refuse_nul_parameters
from toteflow.central.api.known_tokens import KnownTokens
from toteflow.central.api.limits import BodySizeLimit
from toteflow.central.api.methods import AllowedMethods
from toteflow.central.api.routes import (
    catalogue,
    containers,
    counts,
    notices,
    orders,
    people,
    putaway,
    receipts,
    replenishment,
    shipping,
    stock,
    sync,
    tasks,
    waves,
)
from toteflow.contracts.common import Problem

API_PREFIX = "/api/v1"
_PROBLEMS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem, "description": text}
    for code, text in {
        400: "The body is not readable JSON, or a value cannot be stored",
        401: "No valid station token or log-in",
        403: "The person's role may not do this",
        404: "Not found",
        409: "Refused by the current state (duplicate, illegal transition, not enough stock)",
        413: "Request body too large",
    }.items()
}


class Background(Protocol):
    """Work the server process runs beside requests (the webhook sender)."""

    def start(self) -> None: ...
    def stop(self, timeout: float = 10.0) -> None: ...


@functools.cache
def _api_routes() -> tuple[BaseRoute, ...]:
    """The /api/v1 routes, made once per process and shared by every app built in it.

    Making them is most of the cost of an app (FastAPI works out every parameter's model).
    The routes hold no state of their own: a request finds its services on its app's state.
    """
    api = APIRouter(
        prefix=API_PREFIX, responses=_PROBLEMS, dependencies=[Depends(refuse_nul_parameters)]
    )
    for router in (
        catalogue.router,
        containers.router,
        counts.router,
        notices.router,
        notices.receiving,
        orders.router,
        people.router,
        putaway.router,
        receipts.router,
        receipts.notices,
        replenishment.router,
        shipping.router,
        stock.router,
        sync.router,
        tasks.router,
        waves.router,
    ):
        api.include_router(router)
    holder = APIRouter()
    holder.include_router(api)
    return tuple(holder.routes)


def create_app(
    services: Services, *, max_body_bytes: int = 2_000_000, background: Sequence[Background] = ()
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for job in background:
            job.start()
        try:
            yield
        finally:
            for job in background:
                job.stop()

    # /docs and /redoc load their scripts and styles from this server, not from a CDN: a
    # warehouse's network often has no way out.
    app = FastAPIOffline(
        static_url="/docs-assets",
        swagger_ui_parameters={"validatorUrl": None},
        title="toteflow",
        version=toteflow.__version__,
        description="Central server of toteflow: catalogue, stock, orders, people, audit.",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.known_tokens = KnownTokens()
    errors.install(app)

    app.router.routes.extend(_api_routes())

    @app.get("/healthz", tags=["health"], responses={503: {"model": Problem}})
    def healthz(services: ServicesDep) -> JSONResponse:
        """Whether the server and its database answer."""
        services.health()
        return JSONResponse({"status": "ok", "version": toteflow.__version__})

    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    # Outermost: a method the path does not serve is refused before its body is read.
    app.add_middleware(AllowedMethods)
    return app
