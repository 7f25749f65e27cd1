"""The supervisor's wave console at a station: the pool, building, releasing and following waves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from toteflow.contracts import waves as wv
from toteflow.contracts.people import User
from toteflow.contracts.tasks import Task
from toteflow.domain.errors import ServiceError
from toteflow.domain.roles import Permission, allows
from toteflow.station.ports.wave_console import WaveServer
from toteflow.station.services.login import Person
from toteflow.station.services.wave_filters import PoolFilter

# Waves shown on the console, and how many of the released ones get their progress fetched.
SHOWN_WAVES = 30
FOLLOWED_WAVES = 10


def resolutions(found: wv.FloorException) -> tuple[wv.ResolveAction, ...]:
    """What can be done with an exception: re-allocating or cutting needs the order line and
    the units missing (a short at packing names neither: it can only be closed)."""
    missing = found.detail.get("missing")
    line = found.task_line_id is not None or isinstance(found.detail.get("order_line_id"), int)
    if isinstance(missing, int) and missing > 0 and line:
        return ("close", "reallocate", "cancel_line")
    return ("close",)


@dataclass(frozen=True)
class WaveLine:
    """A wave on the console, with its progress while it is being picked."""

    wave: wv.Wave
    progress: wv.WaveProgress | None = None


class WaveConsole:
    """What one logged-in supervisor asks the server for; each call is one round trip or a few."""

    def __init__(self, person: Person, server: WaveServer) -> None:
        self.person = person
        self.server = server

    @property
    def may_supervise(self) -> bool:
        return allows(self.person.role, Permission.MANAGE_WAVES)

    @property
    def _session(self) -> str:
        return self.person.session_token

    # the pool and building --------------------------------------------------------------

    async def pool(self, pool_filter: PoolFilter) -> list[wv.PoolGroup]:
        groups = await self.server.pool(self._session)
        return [g for g in groups if pool_filter.matches(g)]

    async def templates(self) -> list[wv.WaveTemplate]:
        return await self.server.templates(self._session)

    async def build(
        self, template: str | None, pool_filter: PoolFilter
    ) -> tuple[wv.Wave, wv.WavePreview]:
        """A planned wave from the template (if any) with exactly these filters, and its preview.

        Every filter is sent, the empty ones too: the wave takes what the console shows,
        not a template's filter the supervisor cleared.
        """
        if template is None and not pool_filter.narrowed:
            raise ServiceError("choose a template or narrow the pool first: a wave needs filters")
        wave = await self.server.create(
            self._session, wv.WaveCreate(template=template, filters=pool_filter.exact())
        )
        return wave, await self.server.preview(self._session, wave.id)

    async def preview(self, wave_id: int) -> wv.WavePreview:
        return await self.server.preview(self._session, wave_id)

    async def release(self, wave_id: int) -> wv.WaveRelease:
        return await self.server.release(self._session, wave_id)

    async def cancel(self, wave_id: int, reason: str) -> wv.WaveCancelled:
        return await self.server.cancel(
            self._session, wave_id, reason or "cancelled at the console"
        )

    async def hold_or_resume(self, wave: wv.Wave) -> wv.Wave:
        """Hold a released wave, resume one on hold; other states are refused by the server."""
        if wave.status == "on_hold":
            return await self.server.resume(self._session, wave.id)
        return await self.server.hold(self._session, wave.id, "held at the console")

    # following ----------------------------------------------------------------------------

    async def overview(self) -> list[WaveLine]:
        """The newest waves; those being picked with their progress (fetched side by side)."""
        waves = await self.server.waves(self._session, SHOWN_WAVES)
        followed = [w for w in waves if w.status in ("released", "on_hold")][:FOLLOWED_WAVES]
        found = await asyncio.gather(
            *(self.server.progress(self._session, w.id, open_tasks=False) for w in followed)
        )
        progress = {p.wave.id: p for p in found}
        return [WaveLine(w, progress.get(w.id)) for w in waves]

    async def progress(self, wave_id: int) -> wv.WaveProgress:
        return await self.server.progress(self._session, wave_id)

    # exceptions and tasks -----------------------------------------------------------------

    async def exceptions(self) -> list[wv.FloorException]:
        return await self.server.exceptions(self._session, 200)

    async def resolve(
        self, exception_id: int, action: wv.ResolveAction, note: str
    ) -> wv.ExceptionResolved:
        return await self.server.resolve(
            self._session, exception_id, wv.ExceptionResolve(action=action, note=note.strip()[:200])
        )

    async def pickers(self) -> list[User]:
        """Active people who may take pick tasks, by name."""
        users = await self.server.users(self._session)
        return sorted(
            (u for u in users if u.active and allows(u.role, Permission.PICK)),
            key=lambda u: (u.name.lower(), u.id),
        )

    async def unassign(self, task_id: int) -> Task:
        return await self.server.unassign(self._session, task_id, "unassigned at the console")

    async def reassign(self, task_id: int, user: User) -> Task:
        return await self.server.reassign(
            self._session, task_id, user.id, f"given to {user.name} at the console"
        )
