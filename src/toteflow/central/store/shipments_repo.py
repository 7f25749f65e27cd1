"""Shipments and their boxes over SQLModel: the pack order, the pack batch, the read side."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from toteflow.central.ports.shipping import LabelSource
from toteflow.central.store import shipping_tables as st
from toteflow.central.store import tables as t
from toteflow.central.store.people_repo import _aware
from toteflow.central.store.tote_trail_repo import order_trail
from toteflow.contracts import shipping as sh
from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.common import Page
from toteflow.contracts.orders import Address
from toteflow.domain.orders import OrderStatus
from toteflow.domain.shipping_batch import OrderState, ShipmentState, ShippingBatch, SsccBlockRange


class SqlShipmentRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    # pack orders ------------------------------------------------------------------------

    def pack_order(self, key: str) -> sh.PackOrder | None:
        order = self.session.exec(select(t.Order).where(col(t.Order.reference) == key)).first()
        if order is None:
            container = t.cols(t.TaskContainer)
            order_id = self.session.execute(
                sa.select(container.order_id)
                .where(container.tote_code == key)
                .order_by(container.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            if order_id is None:
                # A tote closed full mid-walk left its slot: the order's totes know it.
                trail = t.cols(t.OrderTote)
                order_id = self.session.execute(
                    sa.select(trail.order_id)
                    .where(trail.tote_code == key)
                    .order_by(trail.id.desc())
                    .limit(1)
                ).scalar_one_or_none()
            if order_id is None:
                return None
            order = self.session.get(t.Order, order_id)
            if order is None:
                return None
        assert order.id is not None
        ol, prod = t.cols(t.OrderLine), t.cols(t.Product)
        rows = self.session.execute(
            sa.select(
                ol.product_id,
                ol.quantity,
                ol.picked,
                ol.id,
                prod.sku,
                prod.description,
                prod.upright,
                prod.lot_tracked,
                prod.expiry_tracked,
                prod.serial_tracked,
                prod.lot_substitution,
            )
            .join(t.table(t.Product), prod.id == ol.product_id)
            .where(ol.order_id == order.id)
            .order_by(ol.line_no)
        ).all()
        tl = t.cols(t.TaskLine)
        lots: dict[int, set[str]] = defaultdict(set)
        for line_id, lot in self.session.execute(
            sa.select(tl.order_line_id, tl.lot).where(
                tl.order_line_id.in_({r.id for r in rows}), tl.picked > 0, tl.lot != ""
            )
        ):
            lots[line_id].add(lot)
        units: dict[int, list[ProductUnit]] = defaultdict(list)
        for unit in self.session.exec(
            select(t.ProductUnit).where(
                col(t.ProductUnit.product_id).in_({r.product_id for r in rows})
            )
        ):
            units[unit.product_id].append(ProductUnit.model_validate(unit, from_attributes=True))
        container = t.cols(t.TaskContainer)
        totes = [
            code
            for (code,) in self.session.execute(
                sa.select(container.tote_code)
                .where(container.order_id == order.id, container.tote_code.is_not(None))
                .order_by(container.id)
            )
        ]
        trail, to_pick = order_trail(self.session, order.id)
        totes += [x.tote for x in trail]
        # A pick never takes from a packing location: a picked line there is a cross-dock.
        loc = t.cols(t.Location)
        crossed = self.session.execute(
            sa.select(prod.sku, loc.code, sa.func.sum(tl.picked).label("units"))
            .select_from(t.table(t.TaskLine))
            .join(t.table(t.Location), loc.id == tl.location_id)
            .join(t.table(t.Product), prod.id == tl.product_id)
            .where(tl.order_line_id.in_({r.id for r in rows}), tl.picked > 0, loc.kind == "pack")
            .group_by(prod.sku, loc.code)
            .order_by(prod.sku, loc.code)
        ).all()
        return sh.PackOrder(
            reference=order.reference,
            status=OrderStatus(order.status),
            customer_name=order.customer_name,
            ship_to=_address(order),
            carrier=order.carrier,
            service=order.service,
            ship_by=order.ship_by,
            priority=order.priority,
            totes=list(dict.fromkeys(totes)),
            tote_trail=trail,
            to_pick=to_pick,
            cross_docked=[
                sh.CrossDockedUnits(sku=c.sku, quantity=int(c.units), location=c.code)
                for c in crossed
            ],
            lines=[
                sh.PackLine(
                    sku=r.sku,
                    description=r.description,
                    ordered=r.quantity,
                    picked=r.picked,
                    upright=r.upright,
                    units=units[r.product_id],
                    lot_tracked=r.lot_tracked,
                    expiry_tracked=r.expiry_tracked,
                    serial_tracked=r.serial_tracked,
                    lot_substitution=r.lot_substitution,
                    lots=sorted(lots[r.id]),
                )
                for r in rows
            ],
        )

    # batches of pack events -------------------------------------------------------------

    def load_batch(
        self, orders: set[str], shipment_keys: set[str], ssccs: set[str], station_id: int
    ) -> ShippingBatch:
        order_c, ol, prod = t.cols(t.Order), t.cols(t.OrderLine), t.cols(t.Product)
        states: dict[str, OrderState] = {}
        if orders:
            # Locked: a cancel or a second station's close cannot slip in before our writes.
            for row in self.session.execute(
                sa.select(order_c.id, order_c.reference, order_c.status)
                .where(order_c.reference.in_(orders))
                .order_by(order_c.id)
                .with_for_update()
            ):
                states[row.reference] = OrderState(
                    row.id, row.reference, OrderStatus(row.status), {}
                )
        by_id = {s.id: s for s in states.values()}
        if by_id:
            for row in self.session.execute(
                sa.select(ol.order_id, prod.sku, ol.picked)
                .join(t.table(t.Product), prod.id == ol.product_id)
                .where(ol.order_id.in_(by_id))
            ):
                by_id[row.order_id].picked[row.sku] = row.picked
        ship_c, box_c = t.cols(st.Shipment), t.cols(st.ShipmentBox)
        shipments: dict[str, ShipmentState] = {}
        open_by_order: dict[int, str] = {}
        conditions = []
        if shipment_keys:
            conditions.append(ship_c.key.in_(shipment_keys))
        if by_id:
            conditions.append(ship_c.order_id.in_(by_id) & ship_c.status.in_(("open", "packed")))
        if conditions:
            for row in self.session.execute(
                sa.select(ship_c.id, ship_c.key, ship_c.order_id, ship_c.status)
                .where(sa.or_(*conditions))
                .with_for_update()
            ):
                shipments[row.key] = ShipmentState(row.id, row.key, row.order_id, row.status, 0, {})
                if row.status in ("open", "packed"):
                    open_by_order[row.order_id] = row.key
        if shipments:
            ids = {s.id: s for s in shipments.values()}
            for row in self.session.execute(
                sa.select(box_c.shipment_id, box_c.contents).where(box_c.shipment_id.in_(ids))
            ):
                state = ids[row.shipment_id]
                state.boxes += 1
                for sku, quantity in dict(row.contents).items():
                    state.packed[sku] = state.packed.get(sku, 0) + int(quantity)
        known: set[str] = set()
        if ssccs:
            known = {
                s
                for (s,) in self.session.execute(sa.select(box_c.sscc).where(box_c.sscc.in_(ssccs)))
            }
        block = t.cols(st.SsccBlock)
        blocks = [
            SsccBlockRange(r.company_prefix, r.extension_digit, r.first_serial, r.last_serial)
            for r in self.session.execute(
                sa.select(
                    block.company_prefix,
                    block.extension_digit,
                    block.first_serial,
                    block.last_serial,
                ).where(block.station_id == station_id)
            )
        ]
        return ShippingBatch(
            orders=states,
            shipments=shipments,
            open_by_order=open_by_order,
            known_ssccs=known,
            blocks=blocks,
        )

    def write_batch(
        self, batch: ShippingBatch, station_id: int, users: dict[str, int | None]
    ) -> None:
        now = t.utcnow()
        ship_c, box_c, order_c = t.cols(st.Shipment), t.cols(st.ShipmentBox), t.cols(t.Order)
        if batch.new_shipments:
            t.insert_rows(
                self.session,
                st.Shipment,
                [
                    {
                        "key": state.key,
                        "order_id": state.order_id,
                        "station_id": station_id,
                        "user_id": users.get(state.key),
                        "carrier": first.carrier,
                        "service": first.service,
                        "status": "open",
                        "boxes": 0,
                        "weight_g": 0,
                        "partial": False,
                        "overridden": False,
                        "created_at": now,
                    }
                    for state, first in batch.new_shipments
                ],
            )
            keys = [state.key for state, _ in batch.new_shipments]
            for row in self.session.execute(
                sa.select(ship_c.id, ship_c.key).where(ship_c.key.in_(keys))
            ):
                batch.shipments[row.key].id = row.id
        if batch.new_boxes:
            t.insert_rows(
                self.session,
                st.ShipmentBox,
                [
                    {
                        "shipment_id": batch.shipments[c.shipment_key].id,
                        "box_no": c.box_no,
                        "box_code": c.box_code,
                        "sscc": c.sscc,
                        "tracking": c.tracking,
                        "weight_g": c.weight_g,
                        "expected_weight_g": c.expected_weight_g,
                        "length_mm": c.length_mm,
                        "width_mm": c.width_mm,
                        "height_mm": c.height_mm,
                        "contents": c.contents,
                        "label_prints": 0,
                        "label_printer": "",
                    }
                    for c in batch.new_boxes
                ],
            )
            touched = sorted({batch.shipments[c.shipment_key].id or 0 for c in batch.new_boxes})
            inner = t.table(st.ShipmentBox).alias("b")
            self.session.execute(
                sa.update(t.table(st.Shipment))
                .where(ship_c.id.in_(touched))
                .values(
                    boxes=sa.select(sa.func.count())
                    .select_from(inner)
                    .where(inner.c.shipment_id == ship_c.id)
                    .scalar_subquery(),
                    weight_g=sa.select(sa.func.coalesce(sa.func.sum(inner.c.weight_g), 0))
                    .where(inner.c.shipment_id == ship_c.id)
                    .scalar_subquery(),
                )
            )
        if batch.printed:
            self.session.execute(
                sa.update(t.table(st.ShipmentBox))
                .where(box_c.sscc == sa.bindparam("s"))
                .values(
                    label_prints=box_c.label_prints + 1,
                    label_printer=sa.bindparam("p"),
                    label_printed_at=sa.bindparam("at"),
                ),
                [{"s": p.sscc, "p": p.printer[:60], "at": now} for p in batch.printed],
            )
        if batch.closed:
            self.session.execute(
                sa.update(t.table(st.Shipment))
                .where(ship_c.key == sa.bindparam("k"), ship_c.status == "open")
                .values(
                    status="packed",
                    packed_at=now,
                    carrier=sa.bindparam("c"),
                    service=sa.bindparam("sv"),
                    cost_cents=sa.bindparam("cost"),
                    partial=sa.bindparam("partial"),
                    overridden=sa.bindparam("ov"),
                    keyed_units=sa.bindparam("keyed"),
                ),
                [
                    {
                        "k": c.shipment_key,
                        "c": c.carrier,
                        "sv": c.service,
                        "cost": c.cost_cents,
                        "partial": c.partial,
                        "ov": c.overridden,
                        "keyed": c.keyed_units,
                    }
                    for c in batch.closed
                ],
            )
        if batch.packed_orders:
            self.session.execute(
                sa.update(t.table(t.Order))
                .where(order_c.id.in_(batch.packed_orders), order_c.status == "picked")
                .values(status="packed", updated_at=now, version=order_c.version + 1)
            )

    def find(self, filters: sh.ShipmentFilter, offset: int, limit: int) -> Page[sh.Shipment]:
        query = shipment_query()
        ship = t.cols(st.Shipment)
        if filters.status:
            query = query.where(ship.status == filters.status)
        if filters.carrier:
            query = query.where(sa.func.upper(ship.carrier) == filters.carrier.upper())
        if filters.order_reference:
            query = query.where(t.cols(t.Order).reference == filters.order_reference)
        if filters.shipped_on:
            start = datetime.combine(filters.shipped_on, datetime.min.time(), tzinfo=UTC)
            query = query.where(
                ship.shipped_at >= start, ship.shipped_at < start + timedelta(days=1)
            )
        total = self.session.execute(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        rows = self.session.execute(query.order_by(ship.id).offset(offset).limit(limit)).all()
        return Page(items=shipments_of(self.session, rows), total=total, offset=offset, limit=limit)

    def get(self, shipment_id: int) -> sh.Shipment | None:
        rows = self.session.execute(
            shipment_query().where(col(st.Shipment.id) == shipment_id)
        ).all()
        found = shipments_of(self.session, rows)
        return found[0] if found else None

    def label_source(self, sscc: str) -> LabelSource | None:
        box = t.cols(st.ShipmentBox)
        shipment_id = self.session.execute(
            sa.select(box.shipment_id).where(box.sscc == sscc)
        ).scalar_one_or_none()
        if shipment_id is None:
            return None
        shipment = self.get(shipment_id)
        assert shipment is not None
        order = self.session.exec(
            select(t.Order).where(col(t.Order.reference) == shipment.order_reference)
        ).one()
        chosen = next(b for b in shipment.boxes if b.sscc == sscc)
        return LabelSource(shipment, chosen, _address(order), order.reference)


def shipment_query() -> Any:
    """Shipments with their order's reference: the rows shipments_of() reads."""
    return sa.select(st.Shipment, t.cols(t.Order).reference).join(
        t.Order, col(t.Order.id) == col(st.Shipment.order_id)
    )


def shipments_of(session: Session, rows: Any) -> list[sh.Shipment]:
    """The shipments of shipment_query() rows, each with its boxes."""
    ids = [row[0].id for row in rows]
    boxes: dict[int, list[sh.ShipmentBox]] = defaultdict(list)
    if ids:
        for box in session.exec(
            select(st.ShipmentBox)
            .where(col(st.ShipmentBox.shipment_id).in_(ids))
            .order_by(col(st.ShipmentBox.shipment_id), col(st.ShipmentBox.box_no))
        ):
            boxes[box.shipment_id].append(
                sh.ShipmentBox(
                    box_no=box.box_no,
                    box_code=box.box_code,
                    sscc=box.sscc,
                    tracking=box.tracking,
                    weight_g=box.weight_g,
                    expected_weight_g=box.expected_weight_g,
                    length_mm=box.length_mm,
                    width_mm=box.width_mm,
                    height_mm=box.height_mm,
                    contents={k: int(v) for k, v in box.contents.items()},
                    label_prints=box.label_prints,
                    label_printed_at=_aware(box.label_printed_at),
                )
            )
    return [
        sh.Shipment(
            id=s.id or 0,
            key=s.key,
            order_reference=reference,
            status=s.status,
            carrier=s.carrier,
            service=s.service,
            weight_g=s.weight_g,
            cost_cents=s.cost_cents,
            partial=s.partial,
            overridden=s.overridden,
            keyed_units=s.keyed_units,
            manifest_id=s.manifest_id,
            station_id=s.station_id,
            user_id=s.user_id,
            created_at=_aware(s.created_at) or s.created_at,
            packed_at=_aware(s.packed_at),
            shipped_at=_aware(s.shipped_at),
            boxes=boxes[s.id or 0],
        )
        for s, reference in rows
    ]


def _address(order: t.Order) -> Address:
    return Address(
        name=order.ship_name,
        line1=order.ship_line1,
        line2=order.ship_line2,
        city=order.ship_city,
        region=order.ship_region,
        postal_code=order.ship_postal_code,
        country=order.ship_country,
    )
