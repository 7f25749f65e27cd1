"""Waves over SQLModel: order pool, stock reserved by conditional UPDATE, tasks set-based."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from toteflow.central.ports.waves import (
    LineInfo,
    LineOrigin,
    NewLine,
    NewTask,
    PoolLine,
    PoolOrder,
    PoolQuery,
    ProgressRow,
    StockRow,
    TaskRow,
    TaskSummary,
    WaveActivity,
    WaveOrder,
    WaveRow,
)
from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.contracts import waves as wv
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Conflict

# SQLite allows 32,766 parameters a statement; lists of ids go in chunks well below that.
# PostgreSQL takes a whole list as one array parameter instead.
CHUNK = 5000
# PostgreSQL's codes for a lost deadlock and a serialization failure: the transaction may
# simply be run again.
RETRYABLE = frozenset({"40001", "40P01"})
PICKABLE = ("pick_face", "reserve")


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


class SqlWaveRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _pg(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def _id_filters(self, column: Any, ids: Sequence[int]) -> list[Any]:
        """One WHERE clause per statement to run: an array on PostgreSQL, chunks on SQLite."""
        ids = list(ids)
        if not ids:
            return []
        if self._pg:
            return [column == sa.any_(sa.bindparam(None, ids, type_=ARRAY(sa.BigInteger)))]
        return [column.in_(chunk) for chunk in _chunks(ids)]

    def _add_by_id(
        self, table: str, column: str, amounts: dict[int, int], *, guard: str | None = None
    ) -> int:
        """`column += amount` for each row id, optionally only where `guard` holds; rows hit."""
        if not amounts:
            return 0
        ids = sorted(amounts)
        if self._pg:
            # One statement for any number of rows: the ids and amounts go in as two arrays.
            where = f" AND {guard.format(t='x', n='v.n')}" if guard else ""
            result = self.session.execute(
                sa.text(
                    f"UPDATE {table} AS x SET {column} = x.{column} + v.n "
                    "FROM unnest(CAST(:ids AS bigint[]), CAST(:ns AS bigint[])) AS v(id, n) "
                    f"WHERE x.id = v.id{where}"
                ),
                {"ids": ids, "ns": [amounts[i] for i in ids]},
            )
        else:
            where = f" AND {guard.format(t=table, n=':n')}" if guard else ""
            result = self.session.execute(
                sa.text(f"UPDATE {table} SET {column} = {column} + :n WHERE id = :id{where}"),
                [{"id": i, "n": amounts[i]} for i in ids],
            )
        return _rowcount(result)

    # waves --------------------------------------------------------------------------------

    def add(self, name: str, strategy: str, spec: dict[str, Any], created_by: int | None) -> int:
        wave = t.cols(t.Wave)
        return int(
            self.session.execute(
                sa.insert(t.table(t.Wave))
                .values(
                    name=name,
                    status="planned",
                    strategy=strategy,
                    filters=spec,
                    created_by=created_by,
                    created_at=t.utcnow(),
                )
                .returning(wave.id)
            ).scalar_one()
        )

    def get(self, wave_id: int, *, lock: bool = False) -> WaveRow | None:
        query = sa.select(t.table(t.Wave)).where(t.cols(t.Wave).id == wave_id)
        if lock:
            query = query.with_for_update()
        row = self.session.execute(query).first()
        return _wave_row(row) if row else None

    def name_taken(self, name: str) -> bool:
        wave = t.cols(t.Wave)
        return self.session.execute(sa.select(wave.id).where(wave.name == name)).first() is not None

    def find(self, status: str | None, offset: int, limit: int) -> tuple[list[WaveRow], int]:
        wave = t.cols(t.Wave)
        query = sa.select(t.table(t.Wave))
        if status:
            query = query.where(wave.status == status)
        total = self.session.execute(
            sa.select(sa.func.count()).select_from(query.subquery())
        ).scalar_one()
        rows = self.session.execute(query.order_by(wave.id.desc()).offset(offset).limit(limit))
        return [_wave_row(row) for row in rows], int(total)

    def update(
        self,
        wave_id: int,
        *,
        status: str,
        spec: dict[str, Any] | None = None,
        released_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status}
        if spec is not None:
            values["filters"] = spec
        if released_at is not None:
            values["released_at"] = released_at
        self.session.execute(
            sa.update(t.table(t.Wave)).where(t.cols(t.Wave).id == wave_id).values(**values)
        )

    # the pool and stock -------------------------------------------------------------------

    def pool(self, query: PoolQuery) -> list[PoolOrder]:
        o, ln = t.cols(t.Order), t.cols(t.OrderLine)
        select = (
            sa.select(
                o.id,
                o.reference,
                o.carrier,
                o.service,
                o.priority,
                o.ship_by,
                sa.func.count(ln.id).label("lines"),
                sa.func.sum(ln.quantity).label("units"),
            )
            .select_from(t.table(t.Order))
            .join(t.table(t.OrderLine), ln.order_id == o.id)
            .where(o.status == "received")
            .group_by(o.id, o.reference, o.carrier, o.service, o.priority, o.ship_by)
            .order_by(o.priority, o.ship_by, o.id)
        )
        if query.carrier:
            select = select.where(o.carrier == query.carrier)
        if query.service:
            select = select.where(o.service == query.service)
        if query.ship_by:
            select = select.where(o.ship_by <= query.ship_by)
        if query.priorities:
            select = select.where(o.priority.in_(query.priorities))
        return [
            PoolOrder(
                id=row.id,
                reference=row.reference,
                carrier=row.carrier,
                service=row.service,
                priority=row.priority,
                ship_by=row.ship_by,
                lines=int(row.lines),
                units=int(row.units or 0),
            )
            for row in self.session.execute(select)
        ]

    def pool_groups(self) -> list[wv.PoolGroup]:
        o, ln = t.cols(t.Order), t.cols(t.OrderLine)
        per_order = (
            sa.select(
                o.carrier,
                o.service,
                o.ship_by,
                sa.func.count(ln.id).label("n"),
                sa.func.sum(ln.quantity).label("u"),
            )
            .join(t.table(t.OrderLine), ln.order_id == o.id)
            .where(o.status == "received")
            .group_by(o.id, o.carrier, o.service, o.ship_by)
            .subquery()
        )
        n, u = per_order.c.n, per_order.c.u

        def count(condition: Any) -> Any:
            return sa.func.sum(sa.case((condition, 1), else_=0))

        rows = self.session.execute(
            sa.select(
                per_order.c.carrier,
                per_order.c.service,
                per_order.c.ship_by,
                sa.func.count().label("orders"),
                sa.func.sum(n).label("lines"),
                sa.func.sum(u).label("units"),
                count(sa.and_(n == 1, u == 1)).label("single_unit"),
                count(n == 1).label("single_line"),
                count(n >= 2).label("multi_line"),
            )
            .group_by(per_order.c.carrier, per_order.c.service, per_order.c.ship_by)
            .order_by(per_order.c.ship_by, per_order.c.carrier, per_order.c.service)
        )
        return [
            wv.PoolGroup(
                carrier=row.carrier,
                service=row.service,
                ship_by=row.ship_by,
                orders=int(row.orders),
                lines=int(row.lines),
                units=int(row.units),
                single_unit=int(row.single_unit),
                single_line=int(row.single_line),
                multi_line=int(row.multi_line),
            )
            for row in rows
        ]

    def lock_orders(self, order_ids: list[int]) -> set[int]:
        o = t.cols(t.Order)
        still: set[int] = set()
        for clause in self._id_filters(o.id, sorted(order_ids)):
            # FOR UPDATE re-checks the status on the newest row version after waiting, so an
            # order another release has just taken is skipped rather than taken twice.
            still.update(
                self.session.execute(
                    sa.select(o.id)
                    .where(clause, o.status == "received")
                    .order_by(o.id)
                    .with_for_update()
                ).scalars()
            )
        return still

    def lines(self, order_ids: list[int]) -> list[PoolLine]:
        ln, p, u = t.cols(t.OrderLine), t.cols(t.Product), t.cols(t.ProductUnit)
        out: list[PoolLine] = []
        for clause in self._id_filters(ln.order_id, order_ids):
            rows = self.session.execute(
                sa.select(
                    ln.id,
                    ln.order_id,
                    ln.line_no,
                    ln.product_id,
                    p.sku,
                    ln.quantity,
                    ln.allocated,
                    p.expiry_tracked,
                    # Litres and kilograms of one unit (of the EA unit; 0 without one).
                    # As floats before multiplying: three integers of mm overflow 32 bits.
                    sa.func.coalesce(
                        sa.cast(u.length_mm, sa.Float) * u.width_mm * u.height_mm / 1e6, 0.0
                    ),
                    sa.func.coalesce(sa.cast(u.weight_g, sa.Float) / 1e3, 0.0),
                )
                .select_from(t.table(t.OrderLine))
                .join(t.table(t.Product), p.id == ln.product_id)
                .outerjoin(
                    t.table(t.ProductUnit), sa.and_(u.product_id == ln.product_id, u.uom == "EA")
                )
                .where(clause)
            )
            # Positional: a wave reads some 40,000 of these, and named access costs.
            out += [PoolLine._make(row) for row in rows]
        return out

    def stock(
        self, product_ids: list[int], *, lock: bool, exclude_locations: frozenset[int] = frozenset()
    ) -> list[StockRow]:
        s, loc, zone = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Zone)
        out: list[StockRow] = []
        for clause in self._id_filters(s.product_id, sorted(product_ids)):
            query = (
                sa.select(
                    s.id,
                    s.product_id,
                    s.location_id,
                    loc.code,
                    loc.kind,
                    loc.aisle,
                    loc.bay,
                    zone.name.label("zone"),
                    s.lot,
                    s.expiry,
                    s.received_on,
                    s.quantity,
                    s.reserved,
                )
                .select_from(t.table(t.Stock))
                .join(t.table(t.Location), loc.id == s.location_id)
                .outerjoin(t.table(t.Zone), zone.id == loc.zone_id)
                .where(
                    clause,
                    s.quantity > s.reserved,
                    loc.kind.in_(PICKABLE),
                    loc.active.is_(True),
                    loc.aisle.is_not(None),
                    loc.bay.is_not(None),
                )
                .order_by(s.id)
            )
            if exclude_locations:
                query = query.where(s.location_id.not_in(sorted(exclude_locations)))
            if lock:
                # One statement in stock id order: two releases wanting the same rows queue
                # on them in the same order instead of deadlocking. The values read are the
                # newest, so the plan is made against what is really free.
                query = query.with_for_update(of=t.table(t.Stock))
            out += [
                StockRow(
                    id=row.id,
                    product_id=row.product_id,
                    location_id=row.location_id,
                    location=row.code,
                    kind=row.kind,
                    aisle=row.aisle,
                    bay=row.bay,
                    zone=row.zone,
                    lot=row.lot,
                    expiry=row.expiry,
                    received_on=row.received_on,
                    quantity=row.quantity,
                    reserved=row.reserved,
                )
                for row in self.session.execute(query)
            ]
        return out

    # release ------------------------------------------------------------------------------

    def reserve(self, units_by_stock: dict[int, int]) -> None:
        # The conditional UPDATE is the guarantee: a row gives only what is free in it at the
        # moment of writing, whatever was read before.
        hit = self._add_by_id(
            "stock", "reserved", units_by_stock, guard="{t}.quantity - {t}.reserved >= {n}"
        )
        if hit != len(units_by_stock):
            raise Conflict(
                "stock changed while the wave was being released: "
                f"{len(units_by_stock) - hit} stock rows no longer had the units; nothing was "
                "changed, release again"
            )

    def add_allocated(self, units_by_line: dict[int, int]) -> None:
        self._add_by_id("order_line", "allocated", units_by_line)

    def set_order_status(
        self,
        order_ids: list[int],
        status: str,
        *,
        expect: tuple[str, ...],
        reason: str = "",
        held_from: str | None = None,
    ) -> None:
        if not order_ids:
            return
        o = t.cols(t.Order)
        values: dict[str, Any] = {
            "status": status,
            "updated_at": t.utcnow(),
            "version": o.version + 1,
        }
        if reason:
            values["cancel_reason"] = reason
        if held_from is not None:
            values["held_from"] = held_from
        hit = 0
        for clause in self._id_filters(o.id, sorted(order_ids)):
            result = self.session.execute(
                sa.update(t.table(t.Order)).where(clause, o.status.in_(expect)).values(**values)
            )
            hit += _rowcount(result)
        if hit != len(set(order_ids)):
            raise Conflict(
                f"{len(set(order_ids)) - hit} orders changed meanwhile; nothing was changed, "
                "try again"
            )

    def cut_lines(self, quantities: dict[int, int]) -> None:
        ln, tl = t.cols(t.OrderLine), t.cols(t.TaskLine)
        keep = [{"lid": i, "q": q} for i, q in sorted(quantities.items()) if q > 0]
        if keep:
            self.session.execute(
                sa.update(t.table(t.OrderLine))
                .where(ln.id == sa.bindparam("lid"))
                .values(quantity=sa.bindparam("q")),
                keep,
            )
        drop = sorted(i for i, q in quantities.items() if q <= 0)
        for clause in self._id_filters(ln.id, drop):
            # A line a task ever pointed at stays (as history); only untouched lines go.
            used = sa.select(tl.id).where(tl.order_line_id == ln.id).exists()
            self.session.execute(sa.delete(t.table(t.OrderLine)).where(clause, ~used))

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
                    "destination": "",
                }
                for slot, order_id in enumerate(new.orders, start=1)
            ]
            lines += _line_rows(task_id, 1, new.lines)
        t.copy_rows(self.session, t.TaskContainer, containers)
        t.copy_rows(self.session, t.TaskLine, lines)
        return ids

    def append_lines(self, task_id: int, lines: list[NewLine]) -> None:
        tl = t.cols(t.TaskLine)
        last = self.session.execute(
            sa.select(sa.func.max(tl.stop_no)).where(tl.task_id == task_id)
        ).scalar_one()
        t.copy_rows(self.session, t.TaskLine, _line_rows(task_id, (last or 0) + 1, lines))

    # cancel, hold, follow -----------------------------------------------------------------

    def wave_orders(self, wave_id: int, *, lock: bool) -> list[WaveOrder]:
        o, tc, task = t.cols(t.Order), t.cols(t.TaskContainer), t.cols(t.Task)
        members = (
            sa.select(tc.order_id)
            .join(t.table(t.Task), task.id == tc.task_id)
            .where(task.wave_id == wave_id)
        )
        query = (
            sa.select(o.id, o.reference, o.status, o.held_from)
            .where(o.id.in_(members))
            .order_by(o.id)
        )
        if lock:
            query = query.with_for_update(of=t.table(t.Order))
        return [
            WaveOrder(row.id, row.reference, row.status, row.held_from)
            for row in self.session.execute(query)
        ]

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
        return _rowcount(result)

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

    # tasks and exceptions -----------------------------------------------------------------

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
        session, station = t.cols(t.UserSession), t.cols(t.Station)
        value = self.session.execute(
            sa.select(session.station_id)
            .join(t.table(t.Station), station.id == session.station_id)
            .where(
                session.user_id == user_id,
                session.ended_at.is_(None),
                session.expires_at > now,
                station.active.is_(True),
            )
            .order_by(session.created_at.desc(), session.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def line_info(self, order_line_id: int) -> LineInfo | None:
        ln, o, p = t.cols(t.OrderLine), t.cols(t.Order), t.cols(t.Product)
        row = self.session.execute(
            sa.select(
                ln.id,
                ln.order_id,
                o.reference,
                o.status,
                o.priority,
                ln.line_no,
                ln.product_id,
                p.sku,
                p.expiry_tracked,
                ln.quantity,
                ln.allocated,
                ln.picked,
            )
            .join(t.table(t.Order), o.id == ln.order_id)
            .join(t.table(t.Product), p.id == ln.product_id)
            .where(ln.id == order_line_id)
        ).first()
        if row is None:
            return None
        return LineInfo(
            id=row.id,
            order_id=row.order_id,
            reference=row.reference,
            order_status=row.status,
            priority=row.priority,
            line_no=row.line_no,
            product_id=row.product_id,
            sku=row.sku,
            expiry_tracked=row.expiry_tracked,
            quantity=row.quantity,
            allocated=row.allocated,
            picked=row.picked,
        )

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

    def exceptions(
        self, status: str | None, kind: str | None, offset: int, limit: int
    ) -> Page[wv.FloorException]:
        fe = t.cols(t.FloorException)
        query = self._exception_query()
        if status:
            query = query.where(fe.status == status)
        if kind:
            query = query.where(fe.kind == kind)
        total = self.session.execute(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        rows = self.session.execute(query.order_by(fe.id.desc()).offset(offset).limit(limit))
        return Page(
            items=[_exception(row) for row in rows], total=int(total), offset=offset, limit=limit
        )

    def exception(self, exception_id: int, *, lock: bool) -> wv.FloorException | None:
        query = self._exception_query().where(t.cols(t.FloorException).id == exception_id)
        if lock:
            query = query.with_for_update(of=t.table(t.FloorException))
        row = self.session.execute(query).first()
        return _exception(row) if row else None

    def _exception_query(self) -> Any:
        fe, o = t.cols(t.FloorException), t.cols(t.Order)
        tl, ol = t.cols(t.TaskLine), t.cols(t.OrderLine)
        # A short names its task line, a shortage its order: either way, show the order.
        return (
            sa.select(t.table(t.FloorException), o.reference.label("order_reference"))
            .select_from(t.table(t.FloorException))
            .outerjoin(t.table(t.TaskLine), tl.id == fe.task_line_id)
            .outerjoin(t.table(t.OrderLine), ol.id == tl.order_line_id)
            .outerjoin(t.table(t.Order), o.id == sa.func.coalesce(fe.order_id, ol.order_id))
        )

    def resolve_exception(
        self,
        exception_id: int,
        *,
        user_id: int | None,
        at: datetime,
        resolution: str,
        detail: dict[str, Any] | None = None,
        still_open: bool = False,
    ) -> None:
        values: dict[str, Any] = {"resolution": resolution[:300]}
        if detail is not None:
            values["detail"] = detail
        if not still_open:
            values.update(status="resolved", resolved_at=at, resolved_by=user_id)
        self.session.execute(
            sa.update(t.table(t.FloorException))
            .where(t.cols(t.FloorException).id == exception_id)
            .values(**values)
        )

    def audit_orders(
        self, actor: Actor, action: str, references: list[str], detail: dict[str, Any]
    ) -> None:
        now = t.utcnow()
        t.copy_rows(
            self.session,
            t.AuditEntry,
            [
                {
                    "at": now,
                    "user_id": actor.user_id,
                    "station_id": actor.station_id,
                    "action": action,
                    "entity": "order",
                    "entity_id": reference,
                    "detail": detail,
                    "event_id": None,
                }
                for reference in references
            ],
        )

    def retryable(self, error: BaseException) -> bool:
        return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in RETRYABLE


def _rowcount(result: Any) -> int:
    # An UPDATE's result is a CursorResult; Session.execute is typed with the plain Result.
    return int(result.rowcount)


def _wave_row(row: Any) -> WaveRow:
    return WaveRow(
        id=row.id,
        name=row.name,
        status=row.status,
        strategy=row.strategy,
        spec=dict(row.filters),
        created_by=row.created_by,
        created_at=_aware(row.created_at) or row.created_at,
        released_at=_aware(row.released_at),
    )


def _exception(row: Any) -> wv.FloorException:
    return wv.FloorException(
        id=row.id,
        kind=row.kind,
        status=row.status,
        reason=row.reason,
        order_reference=row.order_reference,
        task_line_id=row.task_line_id,
        station_id=row.station_id,
        user_id=row.user_id,
        detail=dict(row.detail),
        created_at=_aware(row.created_at) or row.created_at,
        resolved_at=_aware(row.resolved_at),
        resolved_by=row.resolved_by,
        resolution=row.resolution,
    )


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
