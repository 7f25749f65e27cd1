"""Following a wave: lines done by zone and picker, lines an hour, the open tasks."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from toteflow.central.ports.repos import UnitOfWorkFactory
from toteflow.central.services.waves.common import Clock, existing, utc_now, wave_view
from toteflow.contracts import waves as wv
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission


class WaveProgressService:
    """How far a wave is: read only, as often as a console refreshes."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock = utc_now) -> None:
        self.uow = uow
        self.clock = clock

    def progress(self, actor: Actor, wave_id: int, *, open_tasks: bool = True) -> wv.WaveProgress:
        """Lines done per wave, zone and picker, and lines per hour; the open tasks if asked."""
        actor.require(Permission.READ_ORDERS)
        now = self.clock()
        with self.uow() as uow:
            row = existing(uow, wave_id)
            activity = uow.wave_progress.activity(wave_id, row.released_at, task_lines=open_tasks)
        zones: dict[str | None, list[int]] = {}
        pickers: dict[int, int] = defaultdict(int)
        # Units picked and keyed per person: what their scan accuracy is counted from.
        picked_by: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        lines = done = short = units = picked = keyed = 0
        for r in activity.rows:
            if r.status == "cancelled":
                continue
            finished = r.status in ("picked", "short")
            zone = zones.setdefault(r.zone, [0, 0, 0, 0])
            zone[0] += r.lines
            zone[1] += r.lines if finished else 0
            zone[2] += r.units
            zone[3] += r.picked
            lines += r.lines
            done += r.lines if finished else 0
            short += r.lines if r.status == "short" else 0
            units += r.units
            picked += r.picked
            keyed += r.keyed
            if r.user_id is not None:
                picked_by[r.user_id][0] += r.picked
                picked_by[r.user_id][1] += r.keyed
            if r.user_id is not None and finished:
                pickers[r.user_id] += r.lines
        tasks_of: dict[int, list[datetime]] = defaultdict(list)
        for task in activity.tasks:
            if task.user_id is not None:
                tasks_of[task.user_id].append(task.assigned_at or now)
        people = []
        for user_id in sorted(set(tasks_of) | set(pickers)):
            started = min(tasks_of.get(user_id) or [now])
            last = activity.last_event.get(user_id) or now
            their_units, their_keyed = picked_by.get(user_id, [0, 0])
            people.append(
                wv.PickerProgress(
                    user_id=user_id,
                    name=activity.names.get(user_id, f"user {user_id}"),
                    tasks=len(tasks_of.get(user_id, [])),
                    lines_done=pickers.get(user_id, 0),
                    lines_per_hour=_per_hour(pickers.get(user_id, 0), started, last),
                    units_picked=their_units,
                    units_keyed=their_keyed,
                    scanned_pct=_scanned_pct(their_units, their_keyed),
                )
            )
        unfinished = [t for t in activity.tasks if t.status not in ("done", "cancelled")]
        released_at = row.released_at or now
        return wv.WaveProgress(
            wave=wave_view(row),
            tasks=len(activity.tasks),
            tasks_done=sum(1 for t in activity.tasks if t.status == "done"),
            lines=lines,
            lines_done=done,
            lines_short=short,
            units=units,
            units_picked=picked,
            units_keyed=keyed,
            percent_done=round(100 * done / lines, 1) if lines else 0.0,
            lines_per_hour=_per_hour(done, released_at, activity.last_event.get(None) or now),
            finished=row.status == "done"
            or (row.status in ("released", "on_hold") and not unfinished and done == lines),
            zones=[
                wv.ZoneProgress(zone=z, lines=v[0], lines_done=v[1], units=v[2], units_picked=v[3])
                for z, v in sorted(zones.items(), key=lambda z: (z[0] is None, z[0] or ""))
            ],
            pickers=people,
            open_tasks=[
                wv.TaskProgress(
                    id=t.id,
                    kind=t.kind,
                    zone=t.zone,
                    status=t.status,
                    user_id=t.user_id,
                    name=activity.names.get(t.user_id) if t.user_id is not None else None,
                    lines=t.lines,
                    lines_done=t.lines_done,
                )
                for t in (unfinished if open_tasks else [])
            ],
        )


def _per_hour(lines: int, start: datetime, end: datetime) -> float:
    # At least a minute: the first line of a shift would otherwise read as thousands an hour.
    seconds = max((end - start).total_seconds(), 60.0)
    return round(lines * 3600 / seconds, 1) if lines else 0.0


def _scanned_pct(picked: int, keyed: int) -> float:
    """The share of units picked on a scan, not a typed SKU (100 before the first pick)."""
    return round(100 * (picked - keyed) / picked, 1) if picked else 100.0
