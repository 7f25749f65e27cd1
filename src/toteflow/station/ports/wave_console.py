"""The port through which the supervisor's wave console talks to the server."""

from __future__ import annotations

from typing import Protocol

from toteflow.contracts import waves as wv
from toteflow.contracts.tasks import Task


class WaveServer(Protocol):
    """The server's wave, exception and task API on behalf of a logged-in supervisor.

    Every call names the person's session. Refusals raise services.errors (NotFound,
    Refused, Forbidden, ...) with the server's sentence; a server that cannot be reached
    raises services.station_login.ServerUnreachable.
    """

    async def pool(self, session_token: str, filters: wv.WaveFilters) -> wv.Pool:
        """The orders a wave with these filters would take, grouped, and what each left out."""
        ...

    async def templates(self, session_token: str) -> list[wv.WaveTemplate]: ...
    async def waves(self, session_token: str, limit: int) -> list[wv.Wave]:
        """The newest waves first."""
        ...

    async def create(self, session_token: str, body: wv.WaveCreate) -> wv.Wave: ...
    async def preview(self, session_token: str, wave_id: int) -> wv.WavePreview: ...
    async def release(self, session_token: str, wave_id: int) -> wv.WaveRelease: ...
    async def cancel(self, session_token: str, wave_id: int, reason: str) -> wv.WaveCancelled: ...
    async def hold(self, session_token: str, wave_id: int, reason: str) -> wv.Wave: ...
    async def resume(self, session_token: str, wave_id: int) -> wv.Wave: ...
    async def progress(
        self, session_token: str, wave_id: int, *, open_tasks: bool = True
    ) -> wv.WaveProgress: ...
    async def exceptions(self, session_token: str, limit: int) -> list[wv.FloorException]:
        """Open floor exceptions, newest first."""
        ...

    async def pickers(self, session_token: str) -> list[wv.LoggedInPicker]:
        """People who may pick and are logged in at a station now, by name."""
        ...

    async def resolve(
        self, session_token: str, exception_id: int, body: wv.ExceptionResolve
    ) -> wv.ExceptionResolved: ...
    async def unassign(self, session_token: str, task_id: int, reason: str) -> Task: ...
    async def reassign(
        self, session_token: str, task_id: int, user_id: int, reason: str
    ) -> Task: ...
