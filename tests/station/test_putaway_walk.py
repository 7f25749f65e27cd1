"""The put-away walk on the real station store: a suggestion, the location confirmed or another."""

from __future__ import annotations

import asyncio

from tests.station.receiving_world import (
    CASE_GTIN,
    RECEIVER,
    label_scan,
    make_desk,
    stock_cache,
)
from tests.station.test_receiving import outbox
from toteflow.domain.errors import Refused
from toteflow.domain.scan import interpret
from toteflow.station.ports.putaway import PutawayLeg, PutawayPlan
from toteflow.station.ports.store import CachedLocation
from toteflow.station.services.login import ServerUnreachable
from toteflow.station.services.putaway import PutawayDesk
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory


class Suggestions:
    def __init__(self, plan: PutawayPlan | None = None, *, online: bool = True) -> None:
        self.plan, self.online = plan, online

    async def suggest(self, plate: str, session_token: str) -> PutawayPlan:
        if not self.online:
            raise ServerUnreachable("the server is not answering")
        if self.plan is None:
            raise Refused(f"plate {plate} is not known")
        return self.plan


def received_plate(uow: SqlStationUnitOfWorkFactory) -> str:
    stock_cache(uow)
    with uow() as tx:
        for code in ("01-001-1", "01-002-1"):
            tx.catalogue.upsert_location(CachedLocation(code, None, 1, 1, 1, "reserve", True))
        tx.commit()
    desk = make_desk(uow)
    desk.open("ASN-7")
    desk.scan(label_scan(f"(01){CASE_GTIN}(10)L1(17)271231"))
    assert desk.receipt is not None
    assert desk.receipt.plate is not None
    return desk.receipt.plate


def walk(uow: SqlStationUnitOfWorkFactory, server: Suggestions | None) -> PutawayDesk:
    return PutawayDesk(RECEIVER, uow, lambda raw: interpret(raw), server=server)


def test_the_suggested_location_scanned_confirms_the_plate(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    plate = received_plate(registered)
    legs = [PutawayLeg("01-002-1", 8, "the pick face"), PutawayLeg("01-001-1", 4, "empty")]
    desk = walk(registered, Suggestions(PutawayPlan(plate, "SKU-1", 12, legs, "split")))
    assert not asyncio.run(desk.suggest("nonsense")).ok
    assert asyncio.run(desk.suggest(f"]C0{plate}")).ok  # as a scanner sends the label
    assert not desk.scan_location("T000001").ok  # a tote label is no location
    first = desk.scan_location("01-002-1")
    assert first.ok
    assert not first.done
    assert "01-001-1" in first.detail
    assert desk.scan_location("01-001-1").done
    assert outbox(registered)[-2:] == [
        (
            "putaway.confirmed",
            {"plate": plate, "location": "01-002-1", "quantity": 8, "reason": None},
        ),
        (
            "putaway.confirmed",
            {"plate": plate, "location": "01-001-1", "quantity": 4, "reason": None},
        ),
    ]


def test_another_location_needs_a_reason_and_offline_the_station_suggests(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    plate = received_plate(registered)
    desk = walk(registered, Suggestions(online=False))
    got = asyncio.run(desk.suggest(plate))
    assert got.ok, got
    assert "offline" in got.detail
    leg = desk.leg()
    assert leg is not None
    assert leg.quantity == 12
    other = "01-001-1" if leg.location != "01-001-1" else "01-002-1"
    asked = desk.scan_location(other)
    assert asked.reason
    before = len(outbox(registered))
    assert not desk.confirm_elsewhere("felt_like_it").ok
    assert len(outbox(registered)) == before
    assert desk.confirm_elsewhere("cannot_reach").done
    assert outbox(registered)[-1] == (
        "putaway.confirmed",
        {"plate": plate, "location": other, "quantity": None, "reason": "cannot_reach"},
    )


def test_an_unknown_plate_is_refused_in_words(registered: SqlStationUnitOfWorkFactory) -> None:
    received_plate(registered)
    desk = walk(registered, Suggestions(None))
    got = asyncio.run(desk.suggest("LP0001999999"))
    assert not got.ok
    assert "not known" in got.detail
    offline = walk(registered, Suggestions(online=False))
    assert "received nothing" in asyncio.run(offline.suggest("LP0001999999")).detail
