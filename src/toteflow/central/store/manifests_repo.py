"""Carrier manifests over SQLModel: closing one ships its shipments and their orders."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from toteflow.central.store import shipping_tables as st
from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.central.store.shipments_repo import shipment_query, shipments_of
from toteflow.contracts import shipping as sh
from toteflow.contracts.common import Page


class SqlManifestRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def ship(
        self, carrier: str, ship_date: date, user_id: int | None, now: datetime
    ) -> tuple[sh.Manifest, list[sh.Shipment]]:
        ship, order_c = t.cols(st.Shipment), t.cols(t.Order)
        rows = self.session.execute(
            sa.select(ship.id, ship.order_id, ship.boxes, ship.weight_g)
            .where(
                ship.status == "packed",
                ship.manifest_id.is_(None),
                sa.func.upper(ship.carrier) == carrier.upper(),
            )
            .order_by(ship.id)
            .with_for_update()
        ).all()
        manifest_id = self.session.execute(
            sa.insert(t.table(st.Manifest))
            .values(
                carrier=carrier.upper(),
                ship_date=ship_date,
                closed_at=now,
                closed_by=user_id,
                shipments=len(rows),
                boxes=sum(r.boxes for r in rows),
                weight_g=sum(r.weight_g for r in rows),
            )
            .returning(t.cols(st.Manifest).id)
        ).scalar_one()
        ids = [r.id for r in rows]
        if ids:
            self.session.execute(
                sa.update(t.table(st.Shipment))
                .where(ship.id.in_(ids), ship.status == "packed")
                .values(status="shipped", shipped_at=now, manifest_id=manifest_id)
            )
            self.session.execute(
                sa.update(t.table(t.Order))
                .where(order_c.id.in_({r.order_id for r in rows}), order_c.status == "packed")
                .values(status="shipped", updated_at=now, version=order_c.version + 1)
            )
        manifest = self.session.get(st.Manifest, manifest_id)
        assert manifest is not None
        shipped: list[sh.Shipment] = []
        if ids:
            query = shipment_query().where(ship.id.in_(ids)).order_by(ship.id)
            shipped = shipments_of(self.session, self.session.execute(query).all())
        return _manifest(manifest), shipped

    def find(self, offset: int, limit: int) -> Page[sh.Manifest]:
        total = self.session.execute(
            sa.select(sa.func.count()).select_from(t.table(st.Manifest))
        ).scalar_one()
        rows = self.session.exec(
            select(st.Manifest).order_by(col(st.Manifest.id).desc()).offset(offset).limit(limit)
        ).all()
        return Page(items=[_manifest(m) for m in rows], total=total, offset=offset, limit=limit)


def _manifest(m: st.Manifest) -> sh.Manifest:
    return sh.Manifest(
        id=m.id or 0,
        carrier=m.carrier,
        ship_date=m.ship_date,
        closed_at=_aware(m.closed_at) or m.closed_at,
        closed_by=m.closed_by,
        shipments=m.shipments,
        boxes=m.boxes,
        weight_g=m.weight_g,
    )
