"""Wave tasks over SQLModel: written set-based (COPY on PostgreSQL), held, cancelled, handed on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from toteflow.central.ports.waves import LineOrigin, LoggedIn, NewLine, NewTask, TaskRow
from toteflow.central.store import tables as t
from toteflow.central.store.set_based import SetBasedRepo, rowcount


class SqlWaveTaskRepo(SetBasedRepo):
    """The tasks a wave makes and the supervisor moves."""

    # writing ------------------------------------------------------------------------------

    def add_tasks(self, wave_id: int | None, tasks: list[NewTask]) -> list[int]:
        if not tasks:
            return []
        now = t.utcnow()
        task = t.cols(t.Task)
        ids = list(
            self.session.execute(
                sa.insert(t.table(t.Task)).returning(task.id, sort_by_parameter_order=True),
                [
                    {
                        "wave_id": wave_id,
                        "kind": new.kind,
                        "zone": new.zone,
                        "status": new.status,
                        "priority": new.priority,
                        "slots": len(new.orders),
                        "distance_m": new.distance_m,
                        "created_at": now,
                        "version": 0,
                    }
                    for new in tasks
                ],
            ).scalars()
        )
        containers: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        for task_id, new in zip(ids, tasks, strict=True):
            containers += [
                {
                    "task_id": task_id,
                    "slot": slot,
                    "order_id": order_id,
                    "status": "open",
                    "destination": new.destination,
                    "arriving_tote": None,
                    "arriving_from": None,
                }
                for slot, order_id in enumerate(new.orders, start=1)
            ]
            lines += _line_rows(task_id, 1, new.lines)
        t.copy_rows(self.session, t.TaskContainer, containers)
        t.copy_rows(self.session, t.TaskLine, lines)
        # Pick-and-pass: each zone task after the first of its order waits for that one.
        chained = [
            {"tid": ids[n], "after": ids[new.after]}
            for n, new in enumerate(tasks)
            if new.after is not None
        ]
        if chained:
            task_c = t.cols(t.Task)
            self.session.execute(
                sa.update(t.table(t.Task))
                .where(task_c.id == sa.bindparam("tid"))
                .values(after_task_id=sa.bindparam("after")),
                chained,
            )
        return ids

    def append_lines(self, task_id: int, lines: list[NewLine]) -> None:
        tl = t.cols(t.TaskLine)
        last = self.session.execute(
            sa.select(sa.func.max(tl.stop_no)).where(tl.task_id == task_id)
        ).scalar_one()
        t.copy_rows(self.session, t.TaskLine, _line_rows(task_id, (last or 0) + 1, lines))

    # cancel and hold ----------------------------------------------------------------------

    def free_orders_work(self, order_ids: list[int]) -> None:
        tl, ol = t.cols(t.TaskLine), t.cols(t.OrderLine)
        freed: dict[int, int] = defaultdict(int)
        line_ids: list[int] = []
        for clause in self._id_filters(ol.order_id, sorted(order_ids)):
            rows = self.session.execute(
                sa.select(tl.id, tl.stock_id, tl.quantity, tl.picked, tl.shorted)
                .join(t.table(t.OrderLine), ol.id == tl.order_line_id)
                .where(clause, tl.status == "open")
                .order_by(tl.id)
                .with_for_update(of=t.table(t.TaskLine))
            ).all()
            for row in rows:
                line_ids.append(row.id)
                freed[row.stock_id] += row.quantity - row.picked - row.shorted
        self._add_by_id(
            "stock",
            "reserved",
            {sid: -n for sid, n in freed.items() if n},
            guard="{t}.reserved + {n} >= 0",
        )
        for clause in self._id_filters(tl.id, line_ids):
            self.session.execute(
                sa.update(t.table(t.TaskLine)).where(clause).values(status="cancelled")
            )
        for clause in self._id_filters(ol.order_id, sorted(order_ids)):
            self.session.execute(
                sa.update(t.table(t.OrderLine)).where(clause).values(allocated=ol.picked)
            )

    def wave_tasks(self, wave_id: int) -> list[TaskRow]:
        task = t.cols(t.Task)
        rows = self.session.execute(
            sa.select(task.id, task.wave_id, task.status, task.user_id, task.station_id)
            .where(task.wave_id == wave_id)
            .order_by(task.id)
        )
        return [TaskRow(r.id, r.wave_id, r.status, r.user_id, r.station_id) for r in rows]

    def settle_tasks(self, wave_id: int) -> list[TaskRow]:
        task, tl = t.cols(t.Task), t.cols(t.TaskLine)
        busy = (
            sa.select(tl.id)
            .where(tl.task_id == task.id, sa.or_(tl.status == "open", tl.picked > 0))
            .exists()
        )
        rows = self.session.execute(
            sa.select(task.id, task.wave_id, task.status, task.user_id, task.station_id)
            .where(task.wave_id == wave_id, task.status.not_in(("done", "cancelled")), ~busy)
            .order_by(task.id)
            .with_for_update(of=t.table(t.Task))
        ).all()
        found = [TaskRow(r.id, r.wave_id, r.status, r.user_id, r.station_id) for r in rows]
        for clause in self._id_filters(task.id, [r.id for r in found]):
            self.session.execute(
                sa.update(t.table(t.Task))
                .where(clause)
                .values(status="cancelled", version=task.version + 1)
            )
        return found

    def set_wave_tasks(self, wave_id: int, status: str, *, where: str, unassigned: bool) -> int:
        task = t.cols(t.Task)
        query = sa.update(t.table(t.Task)).where(task.wave_id == wave_id, task.status == where)
        if unassigned:
            query = query.where(task.user_id.is_(None))
        result = self.session.execute(query.values(status=status, version=task.version + 1))
        return rowcount(result)

    # one task -----------------------------------------------------------------------------

    def task(self, task_id: int, *, lock: bool) -> TaskRow | None:
        task = t.cols(t.Task)
        query = sa.select(task.id, task.wave_id, task.status, task.user_id, task.station_id).where(
            task.id == task_id
        )
        if lock:
            query = query.with_for_update()
        row = self.session.execute(query).first()
        return (
            TaskRow(row.id, row.wave_id, row.status, row.user_id, row.station_id) if row else None
        )

    def set_task(
        self,
        task_id: int,
        status: str,
        user_id: int | None,
        station_id: int | None,
        at: datetime | None,
    ) -> None:
        task = t.cols(t.Task)
        self.session.execute(
            sa.update(t.table(t.Task))
            .where(task.id == task_id)
            .values(
                status=status,
                user_id=user_id,
                station_id=station_id,
                assigned_at=at,
                version=task.version + 1,
            )
        )

    def user_station(self, user_id: int, now: datetime) -> int | None:
        found = self.logged_in(now, user_id=user_id)
        return found[0].station_id if found else None

    def logged_in(self, now: datetime, *, user_id: int | None = None) -> list[LoggedIn]:
        session, station, user = t.cols(t.UserSession), t.cols(t.Station), t.cols(t.User)
        newer = t.table(t.UserSession).alias("newer")
        query = (
            sa.select(
                session.user_id,
                user.name,
                user.badge,
                user.role,
                user.active,
                session.station_id,
                station.name.label("station"),
                session.created_at,
            )
            .join(t.table(t.Station), station.id == session.station_id)
            .join(t.table(t.User), user.id == session.user_id)
            .where(
                session.ended_at.is_(None),
                session.expires_at > now,
                station.active.is_(True),
                # Only the newest log-in at its station: one left open on a station where
                # someone else has since logged in is stale (the terminal shows the other).
                ~sa.select(newer.c.id)
                .where(newer.c.station_id == session.station_id, newer.c.id > session.id)
                .exists(),
            )
            .order_by(session.created_at.desc(), session.id.desc())
        )
        if user_id is not None:
            query = query.where(session.user_id == user_id)
        seen: set[int] = set()
        out: list[LoggedIn] = []
        for row in self.session.execute(query):
            if row.user_id in seen:  # logged in at two stations: the newest log-in counts
                continue
            seen.add(row.user_id)
            out.append(
                LoggedIn(
                    user_id=row.user_id,
                    name=row.name,
                    badge=row.badge,
                    role=row.role,
                    active=row.active,
                    station_id=row.station_id,
                    station=row.station,
                    # SQLite hands timestamps back without a zone; they were written in UTC.
                    since=row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC),
                )
            )
        return out

    def task_line_origin(self, task_line_id: int) -> LineOrigin | None:
        tl, task = t.cols(t.TaskLine), t.cols(t.Task)
        row = self.session.execute(
            sa.select(tl.order_line_id, tl.location_id, task.wave_id, tl.task_id, tl.slot)
            .join(t.table(t.Task), task.id == tl.task_id)
            .where(tl.id == task_line_id)
        ).first()
        if row is None:
            return None
        return LineOrigin(row.order_line_id, row.location_id, row.wave_id, row.task_id, row.slot)


def _line_rows(task_id: int, first_stop: int, lines: Sequence[NewLine]) -> list[dict[str, Any]]:
    rows = []
    for stop, line in enumerate(lines, start=first_stop):
        rows.append(
            {
                "task_id": task_id,
                "stop_no": stop,
                "order_line_id": line.order_line_id,
                "stock_id": line.stock.id,
                "location_id": line.stock.location_id,
                "product_id": line.product_id,
                "lot": line.stock.lot,
                "expiry": line.stock.expiry,
                "quantity": line.quantity,
                "picked": 0,
                "shorted": 0,
                "slot": line.slot,
                "status": "open",
            }
        )
    return rows
