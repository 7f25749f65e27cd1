"""A wave server in memory with fixed figures, for snapshots of the supervisor's console."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from toteflow.contracts import waves as wv
from toteflow.contracts.tasks import Task
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Role
from toteflow.station.services.login import Person

SUPERVISOR = Person(3, "Sam Supervisor", "B00103", Role.SUPERVISOR, "session-s")
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
CART = wv.CartSpec(slots=8, volume_l=400.0, weight_kg=150.0)


def wave(
    wave_id: int, name: str, status: wv.WaveStatus, *, released: bool | None = None, **figures: int
) -> wv.Wave:
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
        released_at=AT if (status != "planned" if released is None else released) else None,
        **figures,
    )


def progress(of: wv.Wave) -> wv.WaveProgress:
    finished = of.status == "done"
    done = of.lines if finished else of.lines * 3 // 5
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
        finished=finished,
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
            wave(6, "ups-ground-1500-20261122-093012", "planned"),
            # Discarded (cancelled before release); its name differs only in the time.
            wave(5, "ups-ground-1500-20261122-091544", "cancelled", released=False),
            wave(2, "express-20261122-0915", "released", orders=24, lines=48, tasks=6),
            wave(1, "singles-20261122-0800", "on_hold", orders=96, lines=96, tasks=4),
            wave(0, "demo-cart", "done", orders=4, lines=4, tasks=1),
        ]
    )
    exceptions_shown: list[wv.FloorException] = field(default_factory=list)

    async def pool(self, session_token: str, filters: wv.WaveFilters) -> wv.Pool:
        group = wv.PoolGroup(
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
        left_out = []
        if filters.carrier:
            left_out.append(
                wv.LeftOut(filter="carrier", words=f"carrier {filters.carrier}", orders=12)
            )
        return wv.Pool(
            waiting=40 + sum(o.orders for o in left_out),
            orders=40,
            lines=71,
            units=90,
            groups=[group],
            left_out=left_out,
        )

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
        finished = found.finished or not open_tasks
        return found.model_copy(update={"open_tasks": []}) if finished else found

    async def exceptions(self, session_token: str, limit: int) -> list[wv.FloorException]:
        return self.exceptions_shown[:limit]

    async def pickers(self, session_token: str) -> list[wv.LoggedInPicker]:
        return [
            wv.LoggedInPicker(
                user_id=1,
                name="Pat Picker",
                badge="B00101",
                station_id=2,
                station="pick-02",
                since=AT,
            )
        ]

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
