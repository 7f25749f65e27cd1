"""Cycle counts over SQLModel: live counts one per location, books from the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from toteflow.central.ports.counts import CountResult, CountRow, ScheduleCandidate
from toteflow.central.store import tables as t
from toteflow.central.store.counts_tables import LIVE_COUNT, CountLine, CycleCount, StockMove
from toteflow.central.store.late_moves import utc
from toteflow.central.store.stock_ledger import record_moves
from toteflow.contracts import counts as cc
from toteflow.domain.cycle_counts import Position, Variance, location_class
from toteflow.domain.ledger import LedgerMove

# Only where stock is kept is counted: not docks, packing or staging.
STORAGE = ("pick_face", "reserve")


class SqlStockLedger:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, moves: Sequence[LedgerMove]) -> None:
        record_moves(self.session, moves)


class SqlCountRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_counts(
        self,
        location_ids: Sequence[int],
        reason: str,
        reference: str,
        *,
        not_user_id: int | None = None,
        recount_of: int | None = None,
    ) -> list[int]:
        if not location_ids:
            return []
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        count = t.table(CycleCount)
        created = []
        now = t.utcnow()
        for location_id in sorted(set(location_ids)):
            statement = (
                dialect.insert(count)
                .values(
                    location_id=location_id,
                    status="open",
                    reason=reason,
                    reference=reference[:80],
                    created_at=now,
                    recount_of=recount_of,
                    not_user_id=not_user_id,
                    variance_units=0,
                    outcome="",
                    note="",
                )
                .on_conflict_do_nothing(
                    index_elements=["location_id"], index_where=sa.text(LIVE_COUNT)
                )
                .returning(count.c.id)
            )
            found = self.session.execute(statement).scalar()
            if found is not None:
                created.append(int(found))
        return created

    def emptied_locations(self, stock_ids: Sequence[int]) -> list[int]:
        if not stock_ids:
            return []
        s, loc = t.cols(t.Stock), t.cols(t.Location)
        touched = sa.select(s.location_id).where(s.id.in_(list(stock_ids)))
        rows = self.session.execute(
            sa.select(s.location_id)
            .join(t.table(t.Location), loc.id == s.location_id)
            .where(s.location_id.in_(touched), loc.kind.in_(STORAGE))
            .group_by(s.location_id)
            .having(sa.func.sum(s.quantity) == 0)
        ).scalars()
        return sorted(int(r) for r in rows)

    def location_ids(self, request: cc.CountRequest) -> list[int]:
        loc, s, p = t.cols(t.Location), t.cols(t.Stock), t.cols(t.Product)
        query = sa.select(loc.id).where(loc.kind.in_(STORAGE), loc.active.is_(True))
        if request.location is not None:
            query = query.where(loc.code == request.location)
        elif request.aisle is not None:
            query = query.where(loc.aisle == request.aisle)
        else:
            holding = (
                sa.select(s.location_id)
                .join(t.table(t.Product), p.id == s.product_id)
                .where(p.sku == request.sku, s.quantity > 0)
            )
            home = sa.select(p.id).where(p.sku == request.sku)
            query = query.where(sa.or_(loc.id.in_(holding), loc.home_product_id.in_(home)))
        return [int(r) for r in self.session.execute(query.order_by(loc.code)).scalars()]

    def location_of_line(self, task_line_id: int) -> int | None:
        tl = t.cols(t.TaskLine)
        found = self.session.execute(
            sa.select(tl.location_id).where(tl.id == task_line_id)
        ).scalar()
        return int(found) if found is not None else None

    def location_id(self, code: str) -> int | None:
        loc = t.cols(t.Location)
        found = self.session.execute(sa.select(loc.id).where(loc.code == code)).scalar()
        return int(found) if found is not None else None

    def schedule_candidates(self) -> list[ScheduleCandidate]:
        loc, s, p, c = t.cols(t.Location), t.cols(t.Stock), t.cols(t.Product), t.cols(CycleCount)
        held: dict[int, set[str]] = defaultdict(set)
        for location_id, velocity in self.session.execute(
            sa.select(s.location_id, p.velocity)
            .join(t.table(t.Product), p.id == s.product_id)
            .where(s.quantity > 0)
        ):
            held[int(location_id)].add(velocity)
        for location_id, velocity in self.session.execute(
            sa.select(loc.id, p.velocity).join(t.table(t.Product), p.id == loc.home_product_id)
        ):
            held[int(location_id)].add(velocity)
        last = dict(
            self.session.execute(
                sa.select(c.location_id, sa.func.max(c.counted_at))
                .where(c.status == "closed")
                .group_by(c.location_id)
            ).all()
        )
        ids = self.session.execute(
            sa.select(loc.id).where(loc.kind.in_(STORAGE), loc.active.is_(True)).order_by(loc.id)
        ).scalars()
        return [
            ScheduleCandidate(int(i), tuple(sorted(held.get(int(i), ()))), _aware(last.get(i)))
            for i in ids
            if int(i) in held
        ]

    def open_for(self, user_id: int | None) -> list[cc.CountTask]:
        c = t.cols(CycleCount)
        query = sa.select(c.id).where(c.status == "open")
        if user_id is not None:
            query = query.where(sa.or_(c.not_user_id.is_(None), c.not_user_id != user_id))
        return self.tasks([int(i) for i in self.session.execute(query.order_by(c.id)).scalars()])

    def tasks(self, ids: Sequence[int]) -> list[cc.CountTask]:
        if not ids:
            return []
        c, loc, z = t.cols(CycleCount), t.cols(t.Location), t.cols(t.Zone)
        rows = self.session.execute(
            sa.select(c.id, loc.code, z.name, c.reason, c.recount_of, c.created_at)
            .join(t.table(t.Location), loc.id == c.location_id)
            .outerjoin(t.table(t.Zone), z.id == loc.zone_id)
            .where(c.id.in_(list(ids)))
            .order_by(c.id)
        )
        return [
            cc.CountTask(
                id=r.id,
                location=r.code,
                zone=r.name,
                reason=r.reason,
                recount=r.recount_of is not None,
                created_at=_aware(r.created_at),
            )
            for r in rows
        ]

    def get(self, count_id: int, *, lock: bool = False) -> CountRow | None:
        c, loc = t.cols(CycleCount), t.cols(t.Location)
        query = (
            sa.select(
                c.id,
                c.location_id,
                loc.code,
                c.status,
                c.reason,
                c.recount_of,
                c.not_user_id,
                c.counter_id,
                c.counted_at,
            )
            .join(t.table(t.Location), loc.id == c.location_id)
            .where(c.id == count_id)
        )
        if lock:
            query = query.with_for_update(of=t.table(CycleCount))
        r = self.session.execute(query).first()
        if r is None:
            return None
        return CountRow(
            r.id,
            r.location_id,
            r.code,
            r.status,
            r.reason,
            r.recount_of,
            r.not_user_id,
            r.counter_id,
            _aware(r.counted_at),
        )

    def book_at(self, location_id: int, at: datetime) -> dict[Position, int]:
        s, m = t.cols(t.Stock), t.cols(StockMove)
        book: dict[Position, int] = defaultdict(int)
        for r in self.session.execute(
            sa.select(s.product_id, s.lot, s.expiry, s.quantity).where(s.location_id == location_id)
        ):
            book[Position(r.product_id, r.lot, r.expiry)] += r.quantity
        for r in self.session.execute(
            sa.select(m.product_id, m.lot, m.expiry, sa.func.sum(m.delta))
            .where(m.location_id == location_id, m.at > utc(at))
            .group_by(m.product_id, m.lot, m.expiry)
        ):
            book[Position(r[0], r[1], r[2])] -= int(r[3])
        return dict(book)

    def product_ids(self, skus: Sequence[str]) -> dict[str, int]:
        p = t.cols(t.Product)
        rows = self.session.execute(sa.select(p.sku, p.id).where(p.sku.in_(list(skus))))
        return {sku: int(i) for sku, i in rows}

    def skus(self, product_ids: Sequence[int]) -> dict[int, str]:
        p = t.cols(t.Product)
        rows = self.session.execute(sa.select(p.id, p.sku).where(p.id.in_(list(product_ids))))
        return {int(i): sku for i, sku in rows}

    def resave_lines(self, count_id: int, lines: Sequence[Variance], off: int) -> None:
        c, line = t.cols(CycleCount), t.table(CountLine)
        self.session.execute(sa.delete(line).where(line.c.count_id == count_id))
        t.insert_rows(
            self.session,
            CountLine,
            [
                {
                    "count_id": count_id,
                    "product_id": v.position.product_id,
                    "lot": v.position.lot,
                    "expiry": v.position.expiry,
                    "counted": v.counted,
                    "book": v.book,
                }
                for v in lines
            ],
        )
        self.session.execute(
            sa.update(t.table(CycleCount)).where(c.id == count_id).values(variance_units=off)
        )

    def save_result(self, count_id: int, result: CountResult) -> None:
        c = t.cols(CycleCount)
        self.resave_lines(count_id, result.lines, result.off)
        self.session.execute(
            sa.update(t.table(CycleCount))
            .where(c.id == count_id)
            .values(
                counter_id=result.counter_id,
                station_id=result.station_id,
                event_id=result.event_id,
                counted_at=result.counted_at,
                posted_at=t.utcnow(),
            )
        )

    def close(
        self,
        count_id: int,
        *,
        status: str,
        outcome: str,
        decided_by: int | None = None,
        note: str = "",
    ) -> None:
        c = t.cols(CycleCount)
        values: dict[str, Any] = {"status": status, "outcome": outcome, "note": note[:200]}
        if status != "awaiting_approval":
            values.update(decided_by=decided_by, decided_at=t.utcnow())
        self.session.execute(sa.update(t.table(CycleCount)).where(c.id == count_id).values(values))

    def view(self, count_id: int) -> cc.CountView | None:
        found = self._views(t.cols(CycleCount).id == count_id)
        return found[0] if found else None

    def listing(self, status: str | None, limit: int) -> list[cc.CountView]:
        c = t.cols(CycleCount)
        where = c.status == status if status else sa.true()
        return self._views(where, limit)

    def _views(self, where: Any, limit: int = 1) -> list[cc.CountView]:
        c, loc, z = t.cols(CycleCount), t.cols(t.Location), t.cols(t.Zone)
        line, p = t.cols(CountLine), t.cols(t.Product)
        rows = self.session.execute(
            sa.select(c, loc.code, z.name.label("zone"))
            .join(t.table(t.Location), loc.id == c.location_id)
            .outerjoin(t.table(t.Zone), z.id == loc.zone_id)
            .where(where)
            .order_by(c.id)
            .limit(limit)
        ).all()
        lines: dict[int, list[cc.CountLineView]] = defaultdict(list)
        if rows:
            for r in self.session.execute(
                sa.select(line.count_id, p.sku, line.lot, line.expiry, line.counted, line.book)
                .join(t.table(t.Product), p.id == line.product_id)
                .where(line.count_id.in_([r.id for r in rows]))
                .order_by(line.id)
            ):
                lines[r.count_id].append(
                    cc.CountLineView(
                        sku=r.sku,
                        lot=r.lot,
                        expiry=r.expiry,
                        counted=r.counted,
                        book=r.book,
                        variance=r.counted - r.book,
                    )
                )
        return [
            cc.CountView(
                id=r.id,
                location=r.code,
                zone=r.zone,
                status=r.status,
                reason=r.reason,
                outcome=r.outcome,
                recount_of=r.recount_of,
                counter_id=r.counter_id,
                counted_at=_aware(r.counted_at),
                variance_units=r.variance_units,
                lines=lines.get(r.id, []),
                note=r.note,
            )
            for r in rows
        ]

    def accuracy(self) -> list[cc.Accuracy]:
        # A location's final result: the last closed count that was not sent to a recount.
        c, loc, z, s, p = (
            t.cols(CycleCount),
            t.cols(t.Location),
            t.cols(t.Zone),
            t.cols(t.Stock),
            t.cols(t.Product),
        )
        classes: dict[int, set[str]] = defaultdict(set)
        for location_id, velocity in self.session.execute(
            sa.select(s.location_id, p.velocity).join(t.table(t.Product), p.id == s.product_id)
        ):
            classes[int(location_id)].add(velocity)
        tally: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0])
        for r in self.session.execute(
            sa.select(c.location_id, z.name, c.outcome)
            .join(t.table(t.Location), loc.id == c.location_id)
            .outerjoin(t.table(t.Zone), z.id == loc.zone_id)
            .where(c.status == "closed", c.outcome.in_(("accurate", "adjusted")))
        ):
            key = (r.name, location_class(classes.get(int(r.location_id), ())))
            tally[key][0] += 1
            tally[key][1] += r.outcome == "accurate"
        return [
            cc.Accuracy(
                zone=zone,
                velocity=velocity,
                counted=counted,
                accurate=accurate,
                accuracy_pct=round(100.0 * accurate / counted, 1),
            )
            for (zone, velocity), (counted, accurate) in sorted(
                tally.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
            )
        ]


def _aware(value: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes of what were UTC times.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
