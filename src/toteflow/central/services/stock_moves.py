"""Stock at the terminal: what a location holds, where an item is, and stock moved by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from toteflow.central.ports.putaway import PlateRow, StoredLocation
from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.putaway.common import (
    Clock,
    domain_location,
    existing_plate,
    utc_now,
)
from toteflow.central.services.waves.common import retrying
from toteflow.contracts import stock as st
from toteflow.domain.actor import Actor
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.plates import PlateStatus
from toteflow.domain.putaway_rules import NOTHING_HELD, Plate, Size, Velocity
from toteflow.domain.reservations import held_by_location
from toteflow.domain.roles import Permission
from toteflow.domain.stock_moves import check_move, choose_position


@dataclass(frozen=True)
class HandMove:
    """A move as asked: by the API or a station's `stock.moved_by_hand` event."""

    from_location: str
    to_location: str
    sku: str | None = None
    lot: str | None = None
    quantity: int | None = None
    plate: str | None = None
    event_id: str | None = None
    # When the units moved on the floor (a station event's own time): the ledger's date.
    happened_at: datetime | None = None

    @classmethod
    def of(
        cls,
        body: st.MoveRequest,
        event_id: str | None = None,
        happened_at: datetime | None = None,
    ) -> HandMove:
        return cls(
            body.from_location,
            body.to_location,
            body.sku,
            body.lot,
            body.quantity,
            body.plate,
            event_id,
            happened_at,
        )


class StockService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock = utc_now) -> None:
        self.uow = uow
        self.clock = clock

    def at_location(self, actor: Actor, code: str) -> st.LocationStock:
        actor.require(Permission.READ_STOCK)
        with self.uow() as uow:
            location = uow.catalogue.location_by_code(code)
            if location is None:
                raise NotFound(f"no location {code}: scan a location label")
            return st.LocationStock(
                location=location, positions=uow.stock_moves.at_location(location.id)
            )

    def of_item(self, actor: Actor, code: str) -> st.ItemStock:
        """Where the item is: `code` is its SKU or any of its barcodes (a GTIN as 14 digits)."""
        actor.require(Permission.READ_STOCK)
        with self.uow() as uow:
            found = uow.stock_moves.product_for_code(code)
            if found is None:
                raise NotFound(f"no product has the SKU or barcode {code}")
            product_id, sku, description = found
            product = uow.catalogue.product_by_sku(sku)
            assert product is not None
            return st.ItemStock(
                sku=sku,
                description=description,
                positions=uow.stock_moves.of_product(product_id),
                product=product,
            )

    def move(self, actor: Actor, body: st.MoveRequest) -> st.Moved:
        def run(uow: UnitOfWork) -> st.Moved:
            moved = move_in(uow, actor, HandMove.of(body), self.clock())
            uow.commit()
            return moved

        return retrying(self.uow, run)


def move_in(uow: UnitOfWork, actor: Actor, body: HandMove, at: datetime) -> st.Moved:
    """Move the units in the caller's unit of work; every check comes before the first write.

    The plate (if named), then both locations in id order, then the source's stock rows are
    locked, so the destination's contents and the source's reservations are what is really
    there; the domain's `check_move` decides, and the one repo call moves the units by
    conditional updates. Audited, and told to the stations as a `stock.moved` change.
    """
    actor.require(Permission.MOVE_STOCK)
    if actor.station_id is not None:
        uow.stock_moves.wait_for_station(actor.station_id)
    plate = _plate(uow, body) if body.plate else None
    sku = plate.sku if plate is not None else body.sku
    if not sku:
        raise Refused("name the item (its SKU or barcode) or the plate to move")
    ends = _locked(uow, body.from_location, body.to_location)
    source, target = ends[body.from_location], ends.get(body.to_location)
    facts = uow.putaway.product_facts(sku)
    if facts is None:
        found = uow.stock_moves.product_for_code(sku)
        facts = uow.putaway.product_facts(found[1]) if found else None
    if facts is None:
        raise NotFound(f"no product has the SKU or barcode {sku}")
    lot = plate.lot if plate is not None else body.lot
    rows = uow.stock_moves.sources(source.id, facts.id, lock=True)
    chosen = choose_position([r.position for r in rows], source.code, facts.sku, lot)
    if isinstance(chosen, str):
        raise Refused(chosen)
    row = next(r for r in rows if r.position is chosen)
    units = body.quantity or (min(plate.quantity, chosen.quantity) if plate else 0)
    moving = Plate(
        plate=plate.code if plate else "",
        sku=facts.sku,
        quantity=units,
        unit=Size(facts.length_mm, facts.width_mm, facts.height_mm),
        unit_weight_g=facts.weight_g,
        storage_class=facts.storage_class,
        velocity=Velocity(facts.velocity),
        lot=chosen.lot or None,
        expiry=chosen.expiry,
        upright=facts.upright,
    )
    destination = domain_location(target, (source.x, source.y)) if target else None
    held = NOTHING_HELD
    if target is not None:
        reservations = uow.putaway.live_reservations(at)
        held = held_by_location(reservations, at).get(target.code) or NOTHING_HELD
    check = check_move(
        source.code,
        chosen,
        moving,
        destination,
        active=target.active if target else True,
        held=held,
    )
    if not check.allowed:
        raise Refused(check.words)
    assert target is not None
    after = uow.stock_moves.move(
        row, target.id, facts.id, units, body.happened_at or at, body.event_id or ""
    )
    if plate is not None and units >= plate.quantity:
        # The whole plate went: it is stored where it is now.
        uow.putaway.set_plate(
            plate.id, status=PlateStatus.STORED, expect=[PlateStatus.STORED], location_id=target.id
        )
    detail = {
        "from": source.code,
        "to": target.code,
        "sku": facts.sku,
        "lot": chosen.lot,
        "expiry": chosen.expiry.isoformat() if chosen.expiry else None,
        "quantity": units,
        "plate": plate.code if plate else None,
        "by_hand": True,
    }
    uow.audit.record(actor, st.STOCK_MOVED_BY_HAND, "location", source.code, detail, body.event_id)
    uow.feed.add_change(
        "stock.moved",
        "location",
        target.code,
        {**detail, "on_hand": after.to_on_hand, "from_on_hand": after.from_on_hand},
    )
    return st.Moved(
        from_location=source.code,
        to_location=target.code,
        sku=facts.sku,
        lot=chosen.lot,
        expiry=chosen.expiry,
        quantity=units,
        plate=plate.code if plate else None,
        from_on_hand=after.from_on_hand,
        to_on_hand=after.to_on_hand,
        words=check.words,
    )


def _plate(uow: UnitOfWork, body: HandMove) -> PlateRow:
    assert body.plate is not None
    plate = existing_plate(uow, body.plate, lock=True)
    if plate.status != PlateStatus.STORED:
        raise Refused(
            f"plate {plate.code} is {plate.status.replace('_', ' ')}: only a stored plate "
            "is moved by hand (put it away first)"
        )
    if plate.location != body.from_location:
        raise Refused(f"plate {plate.code} is at {plate.location}, not {body.from_location}")
    if body.sku and body.sku != plate.sku:
        raise Refused(f"plate {plate.code} holds {plate.sku}, not {body.sku}")
    return plate


def _locked(uow: UnitOfWork, source: str, target: str) -> dict[str, StoredLocation]:
    """Both locations, locked in id order (so two moves the other way round queue, never
    deadlock); an unknown source is refused, an unknown destination left for the check."""
    found = {
        code: row
        for code in {source, target}
        if (row := uow.putaway.location(code, contents=False)) is not None
    }
    if source not in found:
        raise NotFound(f"no location {source}: scan a location label")
    locked: dict[str, StoredLocation] = {}
    for code in sorted(found, key=lambda c: found[c].id):
        row = uow.putaway.location(code, lock=True)
        assert row is not None
        locked[code] = row
    return locked
