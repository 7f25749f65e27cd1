"""A wave server in memory with fixed figures, for snapshots of the supervisor's console."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from toteflow.contracts import waves as wv
from toteflow.contracts.people import User
from toteflow.contracts.tasks import Task
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Role
from toteflow.station.services.login import Person

SUPERVISOR = Person(3, "Sam Supervisor", "B00103", Role.SUPERVISOR, "session-s")
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
CART = wv.CartSpec(slots=8, volume_l=400.0, weight_kg=150.0)


def wave(wave_id: int, name: str, status: wv.WaveStatus, **figures: int) -> wv.Wave:
    return wv.Wave(
        id=wave_id,
        name=name,
        status=status,
        strategy="cart",
        template="ups-ground-1500",
        filters=wv.WaveFilters(carrier="UPS", service="GROUND", cutoff="15:00"),
        cart=CART,
        created_by=3,
        created_at=AT,
        released_at=AT if status != "planned" else None,
        **figures,
    )


def progress(of: wv.Wave) -> wv.WaveProgress:
    done = of.lines * 3 // 5
    return wv.WaveProgress(
        wave=of,
        tasks=of.tasks,
        tasks_done=of.tasks // 2,
        lines=of.lines,
        lines_done=done,
        lines_short=1,
        units=of.lines * 2,
        units_picked=done * 2,
        percent_done=round(100 * done / of.lines, 1),
        lines_per_hour=142.0,
        finished=False,
        zones=[
            wv.ZoneProgress(zone="A", lines=20, lines_done=14, units=40, units_picked=28),
            wv.ZoneProgress(zone="B", lines=16, lines_done=7, units=32, units_picked=14),
            wv.ZoneProgress(zone="C", lines=12, lines_done=7, units=24, units_picked=14),
        ],
        pickers=[
            wv.PickerProgress(
                user_id=1, name="Pat Picker", tasks=3, lines_done=17, lines_per_hour=96.0
            ),
            wv.PickerProgress(
                user_id=5, name="Kim Picker", tasks=2, lines_done=11, lines_per_hour=74.5
            ),
        ],
        open_tasks=[
            wv.TaskProgress(
                id=41,
                kind="cart",
                zone=None,
                status="in_progress",
                user_id=1,
                name="Pat Picker",
                lines=12,
                lines_done=9,
            ),
            wv.TaskProgress(
                id=42,
                kind="cart",
                zone=None,
                status="assigned",
                user_id=5,
                name="Kim Picker",
                lines=10,
                lines_done=2,
            ),
            wv.TaskProgress(
                id=43,
                kind="cart",
                zone=None,
                status="ready",
                user_id=None,
                name=None,
                lines=9,
                lines_done=0,
            ),
        ],
    )


@dataclass
class FakeWaveServer:
    """Answers the console's reads from fixed waves; every change is refused."""

    waves_shown: list[wv.Wave] = field(
        default_factory=lambda: [
            wave(3, "ups-ground-1500-20261122", "planned"),
            wave(2, "express-20261122-0915", "released", orders=24, lines=48, tasks=6),
            wave(1, "singles-20261122-0800", "on_hold", orders=96, lines=96, tasks=4),
        ]
    )

    async def pool(self, session_token: str) -> list[wv.PoolGroup]:
        return [
            wv.PoolGroup(
                carrier="UPS",
                service="GROUND",
                ship_by=date(2026, 11, 22),
                orders=40,
                lines=71,
                units=90,
                single_unit=18,
                single_line=25,
                multi_line=15,
            )
        ]

    async def templates(self, session_token: str) -> list[wv.WaveTemplate]:
        return [
            wv.WaveTemplate(
                name="ups-ground-1500",
                title="UPS ground before 15:00",
                filters=wv.WaveFilters(carrier="UPS", service="GROUND", cutoff="15:00"),
            )
        ]

    async def waves(self, session_token: str, limit: int) -> list[wv.Wave]:
        return self.waves_shown[:limit]

    async def progress(
        self, session_token: str, wave_id: int, *, open_tasks: bool = True
    ) -> wv.WaveProgress:
        found = progress(next(w for w in self.waves_shown if w.id == wave_id))
        return found if open_tasks else found.model_copy(update={"open_tasks": []})

    async def exceptions(self, session_token: str, limit: int) -> list[wv.FloorException]:
        return []

    async def users(self, session_token: str) -> list[User]:
        return [User(id=1, name="Pat Picker", badge="B00101", role=Role.PICKER, active=True)]

    async def create(self, session_token: str, body: wv.WaveCreate) -> wv.Wave:
        raise Refused("this fake changes nothing")

    async def preview(self, session_token: str, wave_id: int) -> wv.WavePreview:
        raise Refused("this fake changes nothing")

    async def release(self, session_token: str, wave_id: int) -> wv.WaveRelease:
        raise Refused("this fake changes nothing")

    async def cancel(self, session_token: str, wave_id: int, reason: str) -> wv.WaveCancelled:
        raise Refused("this fake changes nothing")

    async def hold(self, session_token: str, wave_id: int, reason: str) -> wv.Wave:
        raise Refused("this fake changes nothing")

    async def resume(self, session_token: str, wave_id: int) -> wv.Wave:
        raise Refused("this fake changes nothing")

    async def resolve(
        self, session_token: str, exception_id: int, body: wv.ExceptionResolve
    ) -> wv.ExceptionResolved:
        raise Refused("this fake changes nothing")

    async def unassign(self, session_token: str, task_id: int, reason: str) -> Task:
        raise Refused("this fake changes nothing")

    async def reassign(self, session_token: str, task_id: int, user_id: int, reason: str) -> Task:
        raise Refused("this fake changes nothing")
