"""Floor exceptions as supervisors list and resolve them, each with its order's reference."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.contracts import waves as wv
from toteflow.contracts.common import Page


class SqlWaveExceptionRepo:
    """Short picks, shortages at release and refused events, for the exception queue."""

    def __init__(self, session: Session) -> None:
        self.session = session

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
        station, person = t.cols(t.Station), t.cols(t.User)
        # A short names its task line, a shortage its order: either way, show the order.
        return (
            sa.select(
                t.table(t.FloorException),
                o.reference.label("order_reference"),
                station.name.label("station_name"),
                person.name.label("user_name"),
            )
            .select_from(t.table(t.FloorException))
            .outerjoin(t.table(t.TaskLine), tl.id == fe.task_line_id)
            .outerjoin(t.table(t.OrderLine), ol.id == tl.order_line_id)
            .outerjoin(t.table(t.Order), o.id == sa.func.coalesce(fe.order_id, ol.order_id))
            .outerjoin(t.table(t.Station), station.id == fe.station_id)
            .outerjoin(t.table(t.User), person.id == fe.user_id)
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
        station=row.station_name,
        user_name=row.user_name,
    )
