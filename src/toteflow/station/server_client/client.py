"""The station's HTTP client for the sync API; errors sorted into retry, stop, re-register."""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import uuid4

import httpx
from pydantic import ValidationError

from toteflow.contracts import sync
from toteflow.contracts.common import Model
from toteflow.contracts.people import Station
from toteflow.contracts.tasks import Task

M = TypeVar("M", bound=Model)

API = "/api/v1"
SESSION_HEADER = "X-Toteflow-Session"
# A sequence number no station reaches: a push starting there is always a gap, which the
# server answers with its last_seq and without applying anything (see probe_last_seq).
PROBE_SEQ = 2**31 - 1


class SyncError(Exception):
    """Base of the client's errors; str() never contains the token."""


class Offline(SyncError):
    """The server could not be reached or did not answer in time: retry later."""


class ServerTrouble(SyncError):
    """The server answered 5xx (or 429): retry later, after `retry_after` if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TokenRefused(SyncError):
    """401: the token was revoked or rotated; the station must be re-registered."""


class StationRefused(SyncError):
    """403: the token is valid but not for this station id (or not allowed this)."""


class BadReply(SyncError):
    """Another 4xx, or a reply that is not what the protocol says: a bug on one side."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def ssl_context(ca_file: str) -> ssl.SSLContext | bool:
    """Verify against `ca_file` when given (a site's own CA), else the system's trust store."""
    if not ca_file:
        return True
    return ssl.create_default_context(cafile=ca_file)


def make_http_client(ca_file: str = "", *, timeout: float = 15.0) -> httpx.AsyncClient:
    """The AsyncClient a station uses: TLS verified, bounded timeouts, no redirects."""
    return httpx.AsyncClient(
        verify=ssl_context(ca_file),
        timeout=httpx.Timeout(timeout, connect=5.0),
        follow_redirects=False,
    )


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no detail"
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return response.reason_phrase or "no detail"


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


class SyncClient:
    """Talks to one server as one station; the HTTP client is injected (tests mock it)."""

    def __init__(self, http: httpx.AsyncClient, server_url: str, token: str) -> None:
        self.http = http
        self.base = server_url.rstrip("/") + API
        self._headers = {"Authorization": f"Bearer {token}"}

    def __repr__(self) -> str:
        return f"SyncClient({self.base!r})"

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            response = await self.http.request(
                method,
                self.base + path,
                json=json,
                params=params,
                headers={**self._headers, **(headers or {})},
            )
        except httpx.TimeoutException:
            raise Offline(f"the server did not answer in time ({method} {path})") from None
        except httpx.TransportError as exc:
            raise Offline(f"cannot reach the server: {exc.__class__.__name__}") from None
        status = response.status_code
        if status < 400:
            return response
        detail = _detail(response)
        if status == 401:
            raise TokenRefused(f"the server refused this station's token: {detail}")
        if status == 403:
            raise StationRefused(f"the server refused this station: {detail}")
        if status >= 500 or status == 429:
            raise ServerTrouble(f"server error {status}: {detail}", _retry_after(response))
        raise BadReply(f"{method} {path} answered {status}: {detail}", status)

    async def push(self, station_id: int, events: Sequence[sync.Event]) -> sync.PushResponse:
        body = sync.PushRequest(station_id=station_id, events=list(events))
        response = await self._send("POST", "/sync/push", json=body.model_dump(mode="json"))
        return self._parse(sync.PushResponse, response)

    async def changes(self, since: int, limit: int = 500) -> sync.ChangesPage:
        response = await self._send("GET", "/sync/changes", params={"since": since, "limit": limit})
        return self._parse(sync.ChangesPage, response)

    async def next_task(self, session_token: str) -> Task | None:
        """The person's next task (their session token from log-in), or None if none waits."""
        response = await self._send("POST", "/tasks/next", headers={SESSION_HEADER: session_token})
        if response.status_code == 204:
            return None
        return self._parse(Task, response)

    async def get_task(self, task_id: int, session_token: str) -> Task:
        response = await self._send(
            "GET", f"/tasks/{task_id}", headers={SESSION_HEADER: session_token}
        )
        return self._parse(Task, response)

    async def this_station(self) -> Station:
        """The station the token belongs to (how a station set up from a token learns its id)."""
        return self._parse(Station, await self._send("GET", "/sync/station"))

    async def probe_last_seq(self, station_id: int) -> int:
        """The server's last sequence number for this station, without applying anything.

        A push whose first event lies beyond last_seq + 1 is a gap: the protocol stops before
        applying it and answers last_seq. This also proves the token and the station id.
        """
        probe = sync.Event(
            id=uuid4(),
            seq=PROBE_SEQ,
            type="station.probe",
            station_time=datetime.now(UTC),
        )
        reply = await self.push(station_id, [probe])
        if not reply.gap or reply.results:
            raise BadReply("the server applied a probe instead of answering a gap")
        return reply.last_seq

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise BadReply(f"the server's reply is not a {model.__name__}: {exc}") from None
