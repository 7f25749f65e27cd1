"""What following a wave reads: its lines by zone, status and person, its tasks, the last events."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.ports.waves import ProgressRow, TaskSummary, WaveActivity
from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware


class SqlWaveProgressRepo:
    """Reads only: a wave's progress, counted in the database."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def activity(
        self, wave_id: int, since: datetime | None, *, task_lines: bool = True
    ) -> WaveActivity:
        tl, task, loc, zone = t.cols(t.TaskLine), t.cols(t.Task), t.cols(t.Location), t.cols(t.Zone)
        out = WaveActivity()
        for row in self.session.execute(
            sa.select(
                zone.name.label("zone"),
                tl.status,
                task.user_id,
                sa.func.count().label("lines"),
                sa.func.sum(tl.quantity).label("units"),
                sa.func.sum(tl.picked).label("picked"),
                sa.func.sum(tl.keyed).label("keyed"),
            )
            .select_from(t.table(t.TaskLine))
            .join(t.table(t.Task), task.id == tl.task_id)
            .join(t.table(t.Location), loc.id == tl.location_id)
            .outerjoin(t.table(t.Zone), zone.id == loc.zone_id)
            .where(task.wave_id == wave_id)
            .group_by(zone.name, tl.status, task.user_id)
        ):
            out.rows.append(
                ProgressRow(
                    row.zone,
                    row.status,
                    row.user_id,
                    int(row.lines),
                    int(row.units),
                    int(row.picked),
                    int(row.keyed or 0),
                )
            )
        counted = (
            sa.select(
                tl.task_id,
                sa.func.count().label("lines"),
                sa.func.sum(sa.case((tl.status.in_(("picked", "short")), 1), else_=0)).label(
                    "done"
                ),
            )
            .join(t.table(t.Task), task.id == tl.task_id)
            .where(task.wave_id == wave_id, tl.status != "cancelled")
            .group_by(tl.task_id)
            .subquery()
        )
        columns = [task.id, task.status, task.user_id, task.assigned_at, task.kind, task.zone]
        query = sa.select(*columns).where(task.wave_id == wave_id).order_by(task.id)
        if task_lines:
            # A second pass over the wave's lines: only when someone needs each task's count.
            query = query.add_columns(counted.c.lines, counted.c.done).outerjoin(
                counted, counted.c.task_id == task.id
            )
        for row in self.session.execute(query):
            lines, done = (row.lines, row.done) if task_lines else (0, 0)
            out.tasks.append(
                TaskSummary(
                    row.id,
                    row.status,
                    row.user_id,
                    _aware(row.assigned_at),
                    row.kind,
                    row.zone,
                    int(lines or 0),
                    int(done or 0),
                )
            )
        people = sorted({task.user_id for task in out.tasks if task.user_id is not None})
        if people:
            user, event = t.cols(t.User), t.cols(t.AppliedEvent)
            out.names = {
                row.id: row.name
                for row in self.session.execute(
                    sa.select(user.id, user.name).where(user.id.in_(people))
                )
            }
            query = (
                sa.select(event.user_id, sa.func.max(event.applied_at))
                .where(event.user_id.in_(people))
                .group_by(event.user_id)
            )
            if since is not None:
                query = query.where(event.applied_at >= since)
            for user_id, last in self.session.execute(query):
                at = _aware(last)
                if at is not None:
                    out.last_event[user_id] = at
            if out.last_event:
                out.last_event[None] = max(at for at in out.last_event.values())
        return out
