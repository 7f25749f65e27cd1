"""Errors as answers a person can act on: no stack traces, refusals audited."""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

from toteflow.domain.actor import Actor
from toteflow.domain.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Refused,
    ServiceError,
    Unauthenticated,
)

log = logging.getLogger("toteflow.server")

STATUS: dict[type[ServiceError], int] = {
    NotFound: 404,
    Conflict: 409,
    Refused: 409,
    Unauthenticated: 401,
    Forbidden: 403,
}


def install(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        if status in (401, 403):
            _audit_denial(request, status, str(exc))
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(OperationalError)
    async def database_down(request: Request, exc: OperationalError) -> JSONResponse:
        ref = uuid.uuid4().hex[:8]
        log.error("database unavailable (ref %s): %s", ref, exc.orig)
        return JSONResponse(
            {"detail": f"the database is not answering; try again shortly (ref {ref})"},
            status_code=503,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes the input; an Infinity or NaN in it is not valid JSON,
        # and a lone UTF-16 surrogate ("\ud800", which JSON may spell) cannot be encoded as
        # UTF-8: either would turn a 422 into a 500 and reset the keep-alive connection.
        return JSONResponse({"detail": _echoable(jsonable_encoder(exc.errors()))}, status_code=422)

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, exc: DataError) -> JSONResponse:
        # The database refused a value itself (out of range, bad characters): the request's fault.
        ref = uuid.uuid4().hex[:8]
        log.warning("value refused by the database (ref %s): %s", ref, exc.orig)
        detail = f"a value in the request is out of range or cannot be stored (ref {ref})"
        return JSONResponse({"detail": f"{detail}; nothing was changed"}, status_code=400)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        ref = uuid.uuid4().hex[:8]
        log.exception("database error (ref %s)", ref, exc_info=exc)
        return JSONResponse(
            {"detail": f"the request could not be stored (ref {ref}); nothing was changed"},
            status_code=409,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        ref = uuid.uuid4().hex[:8]
        log.exception("unexpected error (ref %s)", ref, exc_info=exc)
        return JSONResponse(
            {"detail": f"internal error (ref {ref}); the server log has the details"},
            status_code=500,
        )


def _echoable(value: Any) -> Any:
    """The echoed input as valid JSON in UTF-8: non-finite numbers and lone surrogates spelt out."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return _utf8(value)
    if isinstance(value, list):
        return [_echoable(item) for item in value]
    if isinstance(value, dict):
        return {_utf8(str(key)): _echoable(item) for key, item in value.items()}
    return value


def _utf8(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # "\ud800" comes back as the six characters a person would have typed.
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _audit_denial(request: Request, status: int, why: str) -> None:
    actor: Actor = getattr(request.state, "actor", None) or Actor(None, None, None)
    action = "request.unauthenticated" if status == 401 else "request.forbidden"
    try:
        request.app.state.services.people.record_denial(
            actor, action, f"{request.method} {request.url.path}", why
        )
    except Exception:  # auditing a refusal must not turn it into a 500
        log.exception("could not audit a refused request")
