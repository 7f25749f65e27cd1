"""Twenty receivers putting away at once onto the last free locations: no bin given twice,
no location overfilled or mixed against its rule."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from tests.server.conftest import Site
from tests.support.wave_floor import add_locations, add_product, rows
from toteflow.central.services.putaway import Receipt
from toteflow.central.store import tables as t
from toteflow.contracts import catalogue as cat
from toteflow.contracts import putaway as pa
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Role

RECEIVERS = 20
UNITS = 10  # a plate; a unit is a 100 mm cube of 500 g
ONE_PLATE = [f"01-{bay:03d}-3" for bay in range(1, 7)]  # empty_only
SMALL = [f"02-{bay:03d}-3" for bay in range(1, 5)]  # same_sku, room for 15 units
FULL = [f"03-{bay:03d}-3" for bay in range(1, 4)]  # already holding stock
SMALL_SIZE = {"length_mm": 500, "width_mm": 300, "height_mm": 100}


@dataclass
class Tally:
    suggested: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    confirmed: list[tuple[str, str, int]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def test_twenty_receivers_at_once_never_share_a_bin_or_overfill(site: Site) -> None:
    services = site.parts.services
    add_locations(services, ONE_PLATE + SMALL + FULL)
    services.catalogue.add_location(SYSTEM, cat.LocationCreate(code="DOCK-01", kind="dock"))
    for code in ONE_PLATE:
        services.catalogue.set_location_storage(
            SYSTEM, code, cat.LocationStorageUpdate(mixing="empty_only")
        )
    for code in SMALL:
        services.catalogue.set_location_storage(
            SYSTEM, code, cat.LocationStorageUpdate(mixing="same_sku", **SMALL_SIZE)
        )
    add_product(services, "SKU-A")
    add_product(services, "SKU-B")
    for code in FULL:
        services.catalogue.set_location_storage(
            SYSTEM, code, cat.LocationStorageUpdate(mixing="empty_only")
        )
        services.catalogue.adjust_stock(
            SYSTEM,
            cat.StockAdjustment(location=code, sku="SKU-B", delta=1, reason="found"),
        )
    receiver = Actor(None, None, Role.PICKER, "setup")
    plates = [
        services.putaway.receive_to_plate(
            receiver, Receipt("SKU-A" if n % 2 else "SKU-B", UNITS, "DOCK-01")
        ).code
        for n in range(RECEIVERS)
    ]
    tally = Tally()
    lock = threading.Lock()
    start = threading.Barrier(RECEIVERS)

    def work(number: int, plate: str) -> None:
        actor = Actor(None, None, Role.PICKER, f"receiver {number}")
        start.wait()
        try:
            advice = services.putaway.suggest(actor, pa.SuggestRequest(plate=plate))
            with lock:
                tally.suggested[plate] = [(leg.location, leg.quantity) for leg in advice.legs]
            for leg in advice.legs:
                body = pa.ConfirmRequest(plate=plate, location=leg.location, quantity=leg.quantity)
                services.putaway.confirm(actor, body)
                with lock:
                    tally.confirmed.append((plate, leg.location, leg.quantity))
        except Refused as refusal:
            with lock:
                tally.refused.append(str(refusal))
        except BaseException as exc:
            with lock:
                tally.errors.append(exc)

    threads = [threading.Thread(target=work, args=(n, plate)) for n, plate in enumerate(plates)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not tally.errors, tally.errors
    assert not tally.refused, tally.refused

    # No empty_only bin was given to two plates, and none received two plates.
    given: dict[str, set[str]] = defaultdict(set)
    for plate, legs in tally.suggested.items():
        for location, _ in legs:
            given[location].add(plate)
    given_twice = [code for code in ONE_PLATE if len(given[code]) > 1]
    assert given_twice == []
    assert not set(given) & set(FULL)

    # What is on each location now fits it and keeps its mixing rule.
    s, loc, p = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Product)
    held = rows(
        site.parts.engine,
        sa.select(loc.code, p.sku, s.quantity)
        .join(t.table(t.Location), loc.id == s.location_id)
        .join(t.table(t.Product), p.id == s.product_id)
        .where(s.quantity > 0, loc.kind != "dock"),
    )
    by_location: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in held:
        by_location[row.code].append((row.sku, row.quantity))
    violations = []
    for code, contents in by_location.items():
        if code in SMALL and (sum(n for _, n in contents) > 15 or len(contents) > 1):
            violations.append(code)
        plates_here = {plate for plate, where, _ in tally.confirmed if where == code}
        if code in ONE_PLATE and len(plates_here) > 1:
            violations.append(code)
    assert violations == []
    placed = sum(n for _, _, n in tally.confirmed)
    # 6 one-plate bins take 6 plates; 4 small bins take 15 units of one SKU each.
    assert placed == 6 * UNITS + 4 * 15
    dock = rows(
        site.parts.engine,
        sa.select(s.quantity)
        .join(t.table(t.Location), loc.id == s.location_id)
        .where(loc.code == "DOCK-01"),
    )
    assert sum(r.quantity for r in dock) == RECEIVERS * UNITS - placed
    print(
        f"\n{site.parts.engine.dialect.name}: {RECEIVERS} receivers, "
        f"{len(tally.confirmed)} legs confirmed, {placed} units placed, "
        f"{len(violations)} capacity/mixing violations, {len(given_twice)} bins given twice"
    )
