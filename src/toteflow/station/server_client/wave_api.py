"""The server's wave, exception and task API for the wave console, errors in service terms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from toteflow.contracts import putaway as pa
from toteflow.contracts import waves as wv
from toteflow.contracts.common import Page
from toteflow.contracts.tasks import Task
from toteflow.domain.errors import (
    Forbidden,
    NotFound,
    Refused,
    ServiceError,
    Unauthenticated,
)
from toteflow.station.server_client.client import API, SESSION_HEADER
from toteflow.station.services.login import ServerUnreachable

M = TypeVar("M")
_REFUSALS: dict[int, type[ServiceError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Refused,
}


def _detail(response: httpx.Response) -> str:
    """The server's sentence; for a 422, each field and what is wrong with it."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or f"status {response.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail[:3]:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                parts.append(f"{where}: {item.get('msg', 'invalid')}" if where else str(item))
        if parts:
            return "; ".join(parts)
    return response.reason_phrase or f"status {response.status_code}"


class WaveApi:
    """Implements ports.wave_console.WaveServer and ports.held_stock.HeldServer over HTTP.

    Each call opens a short-lived AsyncClient from `http` on the loop that awaits it (as
    StationApi does), with the station's token and the person's session.
    """

    def __init__(self, http: Callable[[], httpx.AsyncClient], server_url: str, token: str) -> None:
        self.http = http
        self.base = server_url.rstrip("/") + API
        self._token = token

    def __repr__(self) -> str:
        return f"WaveApi({self.base!r})"

    async def _call(
        self,
        method: str,
        path: str,
        session_token: str,
        reply: type[M] | TypeAdapter[M],
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> M:
        headers = {"Authorization": f"Bearer {self._token}", SESSION_HEADER: session_token}
        if isinstance(json, BaseModel):
            json = json.model_dump(mode="json", exclude_unset=True)
        try:
            async with self.http() as http:
                response = await http.request(
                    method, self.base + path, json=json, params=params, headers=headers
                )
        except httpx.TimeoutException:
            raise ServerUnreachable("the server did not answer in time: try again") from None
        except httpx.TransportError as exc:
            raise ServerUnreachable(
                f"cannot reach the server ({exc.__class__.__name__}): the console needs it"
            ) from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise ServerUnreachable(f"the server is in trouble ({status}): {_detail(response)}")
        if status >= 400:
            raise _REFUSALS.get(status, ServiceError)(_detail(response))
        adapter = reply if isinstance(reply, TypeAdapter) else TypeAdapter(reply)
        try:
            return adapter.validate_python(response.json())
        except (ValueError, ValidationError):
            raise ServiceError(
                f"the server's answer to {method} {path} is not understood"
            ) from None

    async def pool(self, session_token: str, filters: wv.WaveFilters) -> wv.Pool:
        # Lists (priorities, zones) go as repeated parameters, as the server reads them.
        params = filters.model_dump(mode="json", exclude_none=True)
        return await self._call("GET", "/waves/pool", session_token, wv.Pool, params=params)

    async def templates(self, session_token: str) -> list[wv.WaveTemplate]:
        return await self._call("GET", "/waves/templates", session_token, _TEMPLATES)

    async def waves(self, session_token: str, limit: int) -> list[wv.Wave]:
        page = await self._call(
            "GET", "/waves", session_token, Page[wv.Wave], params={"limit": limit}
        )
        return page.items

    async def create(self, session_token: str, body: wv.WaveCreate) -> wv.Wave:
        return await self._call("POST", "/waves", session_token, wv.Wave, json=body)

    async def preview(self, session_token: str, wave_id: int) -> wv.WavePreview:
        return await self._call("GET", f"/waves/{wave_id}/preview", session_token, wv.WavePreview)

    async def release(self, session_token: str, wave_id: int) -> wv.WaveRelease:
        return await self._call("POST", f"/waves/{wave_id}/release", session_token, wv.WaveRelease)

    async def cancel(self, session_token: str, wave_id: int, reason: str) -> wv.WaveCancelled:
        return await self._call(
            "POST",
            f"/waves/{wave_id}/cancel",
            session_token,
            wv.WaveCancelled,
            json={"reason": reason},
        )

    async def hold(self, session_token: str, wave_id: int, reason: str) -> wv.Wave:
        return await self._call(
            "POST", f"/waves/{wave_id}/hold", session_token, wv.Wave, json={"reason": reason}
        )

    async def resume(self, session_token: str, wave_id: int) -> wv.Wave:
        return await self._call("POST", f"/waves/{wave_id}/resume", session_token, wv.Wave)

    async def progress(
        self, session_token: str, wave_id: int, *, open_tasks: bool = True
    ) -> wv.WaveProgress:
        return await self._call(
            "GET",
            f"/waves/{wave_id}/progress",
            session_token,
            wv.WaveProgress,
            params=None if open_tasks else {"open_tasks": "false"},
        )

    async def exceptions(self, session_token: str, limit: int) -> list[wv.FloorException]:
        page = await self._call(
            "GET",
            "/exceptions",
            session_token,
            Page[wv.FloorException],
            params={"status": "open", "limit": limit},
        )
        return page.items

    async def resolve(
        self, session_token: str, exception_id: int, body: wv.ExceptionResolve
    ) -> wv.ExceptionResolved:
        return await self._call(
            "POST",
            f"/exceptions/{exception_id}/resolve",
            session_token,
            wv.ExceptionResolved,
            json=body.model_dump(mode="json"),
        )

    async def pickers(self, session_token: str) -> list[wv.LoggedInPicker]:
        return await self._call("GET", "/pickers", session_token, _PICKERS)

    async def unassign(self, session_token: str, task_id: int, reason: str) -> Task:
        return await self._call(
            "POST", f"/tasks/{task_id}/unassign", session_token, Task, json={"reason": reason}
        )

    async def reassign(self, session_token: str, task_id: int, user_id: int, reason: str) -> Task:
        return await self._call(
            "POST",
            f"/tasks/{task_id}/reassign",
            session_token,
            Task,
            json={"user_id": user_id, "reason": reason},
        )

    # held stock ---------------------------------------------------------------------------

    async def held_plates(self, session_token: str, limit: int) -> list[pa.HeldPlate]:
        page = await self._call(
            "GET",
            "/plates",
            session_token,
            Page[pa.HeldPlate],
            params={"status": "held", "limit": limit},
        )
        return page.items

    async def release_plate(self, session_token: str, plate: str, note: str) -> pa.Plate:
        return await self._call(
            "POST", f"/plates/{plate}/release", session_token, pa.Plate, json={"note": note}
        )

    async def reject_plate(
        self, session_token: str, plate: str, body: pa.RejectRequest
    ) -> pa.Plate:
        return await self._call(
            "POST",
            f"/plates/{plate}/reject",
            session_token,
            pa.Plate,
            json=body.model_dump(mode="json"),
        )


_PICKERS = TypeAdapter(list[wv.LoggedInPicker])
_TEMPLATES = TypeAdapter(list[wv.WaveTemplate])
