"""The demo's receiving walk: the demo notice received with F9, a damaged case held, every
plate put away with F9, and the stock there for the next wave."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from textual.pilot import Pilot

from tests.tui.station_world import LiveServer, on_screen, press, synced, until
from tests.tui.terminal_input import feed_terminal_bytes
from tests.tui.test_pack_demo import demo_key
from tests.tui.test_station_demo import DemoSite, demo_site  # noqa: F401  (the fixture)
from toteflow.central.services import demo
from toteflow.central.store import tables as t
from toteflow.central.store.putaway_tables import Plate
from toteflow.contracts import orders as o
from toteflow.contracts.waves import WaveCreate, WaveFilters
from toteflow.domain.actor import SYSTEM
from toteflow.station import bootstrap as station_bootstrap
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.putaway import PutawayScreen
from toteflow.station.tui.screens.receive_dialogs import DamageDialog
from toteflow.station.tui.screens.receive_home import ReceiveHomeScreen
from toteflow.station.tui.screens.receiving import ReceivingScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio

BADGE, PIN = next((b, p) for _, b, p, r in demo.DEMO_PEOPLE if r.value == "receiver")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def label(delivery: demo.DemoDelivery, name: str) -> demo.DemoLabel:
    return next(lb for lb in delivery.labels if lb.name == name)


def ready(app: StationApp, delivery: demo.DemoDelivery) -> bool:
    """The notice, its products and its dock are in the station's store (fetched online)."""
    with app.services.floor.uow() as uow:
        return (
            uow.inbound.get(delivery.notice.reference) is not None
            and all(uow.catalogue.product(line.sku) for line in delivery.notice.lines)
            and uow.catalogue.location(delivery.notice.dock or "") is not None
        )


def plates(site: DemoSite) -> list[Any]:
    p, loc, prod = t.cols(Plate), t.cols(t.Location), t.cols(t.Product)
    with site.engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(
                    p.code,
                    p.status,
                    p.quantity,
                    p.lot,
                    p.put_away_at,
                    loc.code.label("location"),
                    loc.kind,
                    prod.sku,
                )
                .join(t.Location, loc.id == p.location_id)
                .join(t.Product, prod.id == p.product_id)
                .order_by(p.id)
            ).all()
        )


def stock_of(site: DemoSite, sku: str) -> dict[tuple[str, str], tuple[str, int, int]]:
    """Each location and lot of `sku`: the location's kind, the quantity and units reserved."""
    s, loc, prod = t.cols(t.Stock), t.cols(t.Location), t.cols(t.Product)
    with site.engine.connect() as connection:
        rows = connection.execute(
            sa.select(loc.code, s.lot, loc.kind, s.quantity, s.reserved)
            .join(t.Location, loc.id == s.location_id)
            .join(t.Product, prod.id == s.product_id)
            .where(prod.sku == sku, s.quantity > 0)
        ).all()
    return {(code, lot): (kind, quantity, reserved) for code, lot, kind, quantity, reserved in rows}


async def f9_until(pilot: Pilot[Any], screen: object, done: Any) -> int:
    """F9 until `done()`, each press answered; how many presses it took."""
    presses = 0
    while not done():
        assert presses < 20, "F9 did not finish the walk"
        assert pilot.app.screen is screen
        try:
            await demo_key(pilot)
        except AssertionError:
            raise AssertionError(str(pilot.app.screen.query_one(ScanFeedback).render())) from None
        presses += 1
    return presses


async def test_a_newcomer_receives_the_demo_notice_holds_a_damaged_case_and_puts_it_away(
    demo_site: tuple[DemoSite, LiveServer],  # noqa: F811  (the fixture)
) -> None:
    site, server = demo_site
    delivery = site.delivery
    assert delivery is not None
    assert site.services is not None
    fresh, loose, palletised = (line.sku for line in delivery.notice.lines)
    per_case = {line.sku: 0 for line in delivery.notice.lines}
    for unit in delivery.notice.ssccs:
        for content in unit.contents:
            per_case[content.sku] += content.quantity
    per_case = {line.sku: per_case[line.sku] // line.quantity for line in delivery.notice.lines}
    await station_bootstrap.register_with_token(site.settings.station, server.url, site.token)
    built = station_bootstrap.build_station_app(site.settings, demo=True, tune_gc=False)
    app = built.app
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            # The badge and the PIN in one terminal read, as a wedge scanner and a typist.
            await feed_terminal_bytes(app, f"{BADGE}\r{PIN}\r".encode())
            home = await on_screen(pilot, ReceiveHomeScreen)
            assert await until(pilot, lambda: ready(app, delivery))
            await demo_key(pilot)  # the notice
            screen = await on_screen(pilot, ReceivingScreen)
            assert screen.desk.notice.reference == delivery.notice.reference
            await press(pilot, "f4")  # the mixed pallet is broken and checked case by case
            await demo_key(pilot)
            await demo_key(pilot)  # two cases of the fresh line
            # The third case's lot and expiry on two labels: both labels in one read.
            lot, expiry = label(delivery, "4a-case-lot"), label(delivery, "4b-case-expiry")
            assert expiry.expiry is not None
            burst = f"]C101{lot.code}10{lot.lot}\r]C117{expiry.expiry:%y%m%d}\r"
            before = screen.signals
            await feed_terminal_bytes(app, burst.encode())
            assert await until(pilot, lambda: screen.signals >= before + 2)
            rows = {row.sku: row for row in screen.desk.lines()}
            assert rows[fresh].still_open == 0, rows
            # The next case is damaged: F5, a reason, its every unit; F9 scans it.
            await press(pilot, "f5")
            await on_screen(pilot, DamageDialog)
            await press(pilot, "enter", *str(per_case[loose]), "enter")
            await on_screen(pilot, ReceivingScreen)
            assert "damaged" in str(screen.query_one("#receive-damage").render())
            await demo_key(pilot)
            await demo_key(pilot)  # the other case of it
            await press(pilot, "f4")  # whole pallets again: the second pallet by its SSCC
            assert screen.desk.expected_scan() == label(delivery, "7-pallet").code
            await demo_key(pilot)
            rows = {row.sku: row for row in screen.desk.lines()}
            assert [rows[sku].still_open for sku in (fresh, loose, palletised)] == [0, 0, 0]
            assert rows[loose].damaged == per_case[loose]
            assert screen.desk.expected_scan() is None
            await press(pilot, "f10")
            await on_screen(pilot, ReceiveHomeScreen)
            assert await until(pilot, lambda: synced(app))
            await press(pilot, "f3")
            putaway = await on_screen(pilot, PutawayScreen)
            # Each plate, then the location suggested for it: F9 until nothing is left.
            presses = await f9_until(
                pilot, putaway, lambda: putaway.desk.plan is None and not putaway.expected_scan()
            )
            assert presses == 6, presses  # three plates, two scans each
            assert await until(pilot, lambda: synced(app))
            await press(pilot, "escape")
            assert app.screen is home
    finally:
        built.close()
    found = plates(site)
    held = [p for p in found if p.status == "held"]
    stored = [p for p in found if p.status == "stored"]
    assert [(p.sku, p.quantity, p.kind) for p in held] == [
        (loose, per_case[loose], "quarantine")
    ], found
    assert sorted(p.sku for p in stored) == sorted([fresh, loose, palletised]), found
    assert {p.kind for p in stored} <= {"pick_face", "reserve"}, found
    assert all(p.put_away_at is not None for p in stored)
    assert len(stored) + len(held) == len(found)
    assert stored[-1].code == label(delivery, "7-pallet").code
    times = site.services.putaway.dock_to_stock(SYSTEM, None, 0, 100)
    seconds = {p.plate: p.seconds for p in times.plates}
    assert all(seconds[p.code] is not None for p in stored), times
    assert times.summary.plates == len(stored)
    # Quarantined units are never allocated: a wave wanting every unit of the loose SKU
    # and every unit of the fresh one takes what was put away, and nothing held.
    wanted = {
        sku: sum(q - r for kind, q, r in stock_of(site, sku).values() if kind != "quarantine")
        for sku in (fresh, loose)
    }
    order = o.OrderCreate(
        reference="SO-NEXT-WAVE",
        customer_name="Next Wave",
        ship_to=o.Address(
            name="Next Wave",
            line1="1 Main St",
            city="Austin",
            region="TX",
            postal_code="73301",
            country="US",
        ),
        carrier="UPS",
        service="GROUND",
        ship_by=date(2026, 11, 22),
        priority=2,  # the demo's orders are 1, 3, 5 or 7: this wave takes this order only
        lines=[
            o.OrderLineIn(sku=fresh, quantity=wanted[fresh]),
            o.OrderLineIn(sku=loose, quantity=wanted[loose] + per_case[loose]),
        ],
    )
    site.services.orders.create(SYSTEM, order)
    wave = site.services.waves.create(
        SYSTEM,
        WaveCreate(name="Next wave", strategy="discrete", filters=WaveFilters(priorities=[2])),
    )
    site.services.wave_release.release(SYSTEM, wave.id)
    for p in stored:
        if p.sku == palletised:
            continue
        _, quantity, reserved = stock_of(site, p.sku)[p.location, p.lot]
        assert reserved == quantity, (p, stock_of(site, p.sku))
    quarantined = stock_of(site, loose)[held[0].location, ""]
    assert quarantined == ("quarantine", per_case[loose], 0)
