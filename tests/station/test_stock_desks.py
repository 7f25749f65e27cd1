"""The stock desks on the real station store, offline: scans read, moves checked by the copy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from toteflow.contracts import stock as st
from toteflow.contracts.catalogue import Location, ProductUnit
from toteflow.domain.roles import Role
from toteflow.domain.scan import interpret
from toteflow.station.ports.store import CachedProduct
from toteflow.station.services.login import Person
from toteflow.station.services.stock_inquiry import StockInquiry, read_stock_scan
from toteflow.station.services.stock_move import HandMoveDesk
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

pytestmark = pytest.mark.anyio
AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
GTIN = "4006381333931"
PICKER = Person(7, "Pat Picker", "B10001", Role.PICKER, "session")
PACKER = Person(8, "Pam Packer", "B10002", Role.PACKER, "session")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def copy(registered: SqlStationUnitOfWorkFactory) -> SqlStationUnitOfWorkFactory:
    """SKU-A (GTIN, and a case of 6) in the catalogue; 10 of lot L1 at 01-001-3, 4 reserved;
    01-002-3 known whole and empty, 01-003-3 holding SKU-B."""
    units = [
        ProductUnit(
            barcode=GTIN,
            barcode_kind="gtin13",
            length_mm=100,
            width_mm=100,
            height_mm=100,
            weight_g=500,
        ),
        ProductUnit(uom="CS", units=6, barcode="CASE-A", barcode_kind="internal"),
    ]
    with registered() as uow:
        uow.catalogue.upsert_product(CachedProduct("SKU-A", "Item A", True, False, False, units))
        for code, positions in (
            ("01-001-3", [("SKU-A", "L1", 10, 4)]),
            ("01-002-3", []),
            ("01-003-3", [("SKU-B", "", 1, 0)]),
        ):
            uow.stock.keep_location(
                st.LocationStock(
                    location=Location(id=1, code=code, kind="reserve", active=True),
                    positions=[
                        st.StockPosition(
                            location=code,
                            location_kind="reserve",
                            sku=sku,
                            description="",
                            lot=lot,
                            expiry=None,
                            quantity=quantity,
                            reserved=reserved,
                        )
                        for sku, lot, quantity, reserved in positions
                    ],
                ),
                AT,
            )
        uow.commit()
    return registered


@pytest.mark.parametrize(
    ("raw", "kind", "code", "lot", "units"),
    [
        ("01-001-3", "location", "01-001-3", None, 1),
        (GTIN, "item", "SKU-A", None, 1),
        (f"]C101{GTIN.zfill(14)}10L1", "item", "SKU-A", "L1", 1),
        ("CASE-A", "item", "SKU-A", None, 6),
        ("]C100106141411234567897", "plate", "106141411234567897", None, 1),
        ("106141411234567897", "plate", "106141411234567897", None, 1),
        ("LP00000042", "plate", "LP00000042", None, 1),
        ("hello", "", "hello", None, 1),
    ],
)
def test_a_scan_is_read_as_a_location_an_item_or_a_plate(
    copy: SqlStationUnitOfWorkFactory, raw: str, kind: str, code: str, lot: str | None, units: int
) -> None:
    with copy() as uow:
        scanned = read_stock_scan(uow, raw, interpret(raw))
    assert (scanned.kind, scanned.code, scanned.lot, scanned.units) == (kind, code, lot, units)


async def test_offline_a_location_the_copy_knows_is_answered_with_its_age(
    copy: SqlStationUnitOfWorkFactory,
) -> None:
    inquiry = StockInquiry(PICKER, copy, interpret, clock=lambda: AT.replace(hour=13))
    found = await inquiry.ask("01-001-3")
    assert found.ok
    assert found.cached == "from this station's copy, 1 hour old (the server is not answering)"
    assert [(p.sku, p.quantity, p.reserved) for p in found.lines] == [("SKU-A", 10, 4)]
    unknown = await inquiry.ask("05-005-5")
    assert (unknown.ok, unknown.headline) == (False, "NOT IN THIS STATION'S COPY")


async def desk_after(
    copy: SqlStationUnitOfWorkFactory, *scans: str, who: Person = PICKER
) -> tuple[HandMoveDesk, list[str]]:
    desk = HandMoveDesk(who, copy, interpret)
    said = []
    for raw in scans:
        outcome = await desk.scan(raw)
        said.append(f"{outcome.headline}: {outcome.detail}")
    return desk, said


async def test_the_copy_refuses_what_orders_hold_and_a_mix(
    copy: SqlStationUnitOfWorkFactory,
) -> None:
    desk, said = await desk_after(copy, "01-001-3", "CASE-A", GTIN, "01-002-3")
    assert said[-1] == (
        "REFUSED: only 6 units of SKU-A free to move from 01-001-3 (10 on hand, 4 reserved for "
        "orders)"
    )
    assert desk.units == 7  # a case of 6 and one unit; nothing recorded, still in hand
    assert desk.set_quantity(2).ok
    _, said = await desk_after(copy, "01-001-3", GTIN, "01-003-3")
    assert said[-1] == "REFUSED: 01-003-3 is holding another SKU: choose another location"
    with copy() as uow:
        assert uow.outbox.after(0, 10) == []


async def test_a_move_the_copy_allows_is_recorded_with_the_copys_change(
    copy: SqlStationUnitOfWorkFactory,
) -> None:
    desk, said = await desk_after(copy, "01-001-3", GTIN, GTIN)
    assert (
        said[-1]
        == "ITEM: 2 units of SKU-A from 01-001-3; scan more of the item, F3 for a quantity, "
        "or the destination location"
    )
    assert desk.set_quantity(5).ok
    outcome = await desk.scan("01-002-3")
    assert outcome.done
    assert outcome.detail == "5 units of SKU-A lot L1 from 01-001-3 to 01-002-3"
    with copy() as uow:
        [event] = uow.outbox.after(0, 10)
        assert (event.type, event.user_id) == ("stock.moved_by_hand", 7)
        assert event.payload == {
            "from_location": "01-001-3",
            "to_location": "01-002-3",
            "sku": "SKU-A",
            "lot": "L1",
            "quantity": 5,
            "plate": None,
        }
        assert [p.quantity for p in uow.stock.at_location("01-001-3")] == [5]
        assert [p.quantity for p in uow.stock.at_location("01-002-3")] == [5]


async def test_bad_scans_say_what_to_do_and_a_packer_may_not_move(
    copy: SqlStationUnitOfWorkFactory,
) -> None:
    _, said = await desk_after(copy, GTIN, "01-001-3", "LP00000042", "CASE-B")
    assert said[0].startswith("LOCATION FIRST")
    assert "has not seen plate LP00000042" in said[2]
    assert said[3].startswith("NOT RECOGNISED")
    _, said = await desk_after(copy, "01-001-3", f"]C101{GTIN.zfill(14)}10L9", GTIN, "01-002-3")
    # The lot scanned first decides; the plain GTIN after it is more of the same.
    assert said[-1] == "REFUSED: there is no SKU-A lot L9 at 01-001-3 (it holds L1)"
    _, said = await desk_after(copy, "01-001-3", who=PACKER)
    assert said == ["NOT ALLOWED: your role may look up stock, not move it"]
