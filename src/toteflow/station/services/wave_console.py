"""The supervisor's wave console at a station: the pool, building, releasing and following waves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from toteflow.contracts import waves as wv
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


def left_out_words(left_out: list[wv.LeftOut]) -> str:
    """Which filter left how many waiting orders out: "carrier UPS: 20 · max lines 5: 3"."""
    return " · ".join(f"{o.words}: {o.orders}" for o in left_out)


def pool_words(pool: wv.Pool) -> str:
    """The pool's totals, and on a second line what the filters left out (if anything)."""
    if pool.orders == pool.waiting:
        head = f"Pool: {pool.orders} orders waiting"
    else:
        head = f"Pool: {pool.orders} of {pool.waiting} waiting orders"
    head += f", {pool.lines} lines, {pool.units} units"
    if not pool.left_out:
        return head
    return f"{head}\nLeft out by {left_out_words(pool.left_out)}"


def status_words(wave: wv.Wave) -> str:
    """A wave's state as the console says it: one cancelled before release was discarded."""
    if wave.status == "cancelled" and wave.released_at is None:
        return "discarded"
    return wave.status.replace("_", " ")


def short_names(names: list[str], width: int) -> dict[str, str]:
    """Names that fit `width`, cut in the middle ("ups-gro…20261122-091500") so that their
    ends, where generated names differ, stay; a name that would then look like another's
    is shown whole."""
    shown: dict[str, str] = {}
    for name in names:
        shown[name] = name
        if len(name) <= width:
            continue
        # Generated names end in the date and time (15 characters): keep that whole.
        tail = min(width - 6, max(width // 2, 15))
        shown[name] = name[: width - tail - 1] + "…" + name[-tail:]
    seen: dict[str, int] = {}
    for text in shown.values():
        seen[text] = seen.get(text, 0) + 1
    return {name: (name if seen[text] > 1 else text) for name, text in shown.items()}


@dataclass(frozen=True)
class WaveLine:
    """A wave on the console, with its progress while it is being picked."""

    wave: wv.Wave
    progress: wv.WaveProgress | None = None


def _ended(wave: wv.Wave) -> bool:
    return wave.status == "done" or (wave.status == "cancelled" and wave.released_at is not None)


class WaveConsole:
    """What one logged-in supervisor asks the server for; each call is one round trip or a few."""

    def __init__(self, person: Person, server: WaveServer) -> None:
        self.person = person
        self.server = server
        self._ended: dict[int, wv.WaveProgress] = {}

    @property
    def may_supervise(self) -> bool:
        return allows(self.person.role, Permission.MANAGE_WAVES)

    @property
    def _session(self) -> str:
        return self.person.session_token

    # the pool and building --------------------------------------------------------------

    async def pool(self, pool_filter: PoolFilter) -> wv.Pool:
        """The pool as a wave with these filters would take it: the server selects, so what
        the pool shows is what the preview starts from."""
        return await self.server.pool(self._session, pool_filter.exact())

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
        """The newest waves; those being picked with their progress (fetched side by side).

        A wave that has ended after its release (done, or cancelled part-picked) is read
        once and kept: its figures no longer move, and a done wave's short lines must show.
        """
        waves = await self.server.waves(self._session, SHOWN_WAVES)
        followed = [w for w in waves if w.status in ("released", "on_hold")][:FOLLOWED_WAVES]
        ended = [w for w in waves if _ended(w) and w.id not in self._ended][:FOLLOWED_WAVES]
        found = await asyncio.gather(
            *(self.server.progress(self._session, w.id, open_tasks=False) for w in followed),
            *(self.server.progress(self._session, w.id, open_tasks=False) for w in ended),
        )
        progress = {p.wave.id: p for p in found}
        self._ended.update((w.id, progress[w.id]) for w in ended if w.id in progress)
        return [WaveLine(w, progress.get(w.id) or self._ended.get(w.id)) for w in waves]

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

    async def pickers(self) -> list[wv.LoggedInPicker]:
        """Whom a task can be given to: people who may pick, logged in at a station now, by
        name; not the supervisor asking (their station is the console, not a pick walk)."""
        found = await self.server.pickers(self._session)
        return [p for p in found if p.user_id != self.person.user_id]

    async def unassign(self, task_id: int) -> Task:
        return await self.server.unassign(self._session, task_id, "unassigned at the console")

    async def reassign(self, task_id: int, user: wv.LoggedInPicker) -> Task:
        return await self.server.reassign(
            self._session, task_id, user.user_id, f"given to {user.name} at the console"
        )
