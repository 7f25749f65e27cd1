"""Cross-dock at a pack station: an order held open takes the feed's new counts, the screen
says where the units wait."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.station.test_packing import order
from toteflow.contracts import sync
from toteflow.contracts.shipping import CrossDockedUnits, PackOrder
from toteflow.station.services.packing.views import PackView
from toteflow.station.services.sync import apply_changes
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory
from toteflow.station.tui.screens.pack_order import order_words

AT = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


def crossed(seq: int, found: PackOrder) -> sync.Change:
    payload: dict[str, Any] = {
        "reference": found.reference,
        "units": 3,
        "words": f"3 units of SKU-A cross-docked to PACK-01 for order {found.reference}",
        "pack_order": found.model_dump(mode="json"),
    }
    return sync.Change(
        seq=seq,
        kind="order.cross_docked",
        entity="order",
        entity_id=found.reference,
        payload=payload,
    )


def apply(uow: SqlStationUnitOfWorkFactory, change: sync.Change) -> list[str]:
    with uow() as unit:
        outcome = apply_changes(
            unit, sync.ChangesPage(changes=[change], cursor=change.seq, more=False), AT
        )
        unit.commit()
    return outcome.skipped


def test_a_pack_order_held_open_takes_the_cross_docked_units_and_keeps_its_progress(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    before = order("SO-1")
    short = before.model_copy(
        update={"lines": [before.lines[0].model_copy(update={"picked": 4}), before.lines[1]]}
    )
    with registered() as unit:
        unit.packing.upsert_order(short, "key-1", 7, AT)
        unit.packing.set_progress("SO-1", {"SKU-A": 2}, {}, AT)
        unit.commit()
    after = before.model_copy(
        update={"cross_docked": [CrossDockedUnits(sku="SKU-A", quantity=3, location="PACK-01")]}
    )
    assert apply(registered, crossed(1, after)) == []
    with registered() as unit:
        held = unit.packing.get("SO-1")
        notices = [n.message for n in unit.notices.pending()]
    assert held is not None
    assert [li.picked for li in held.order.lines] == [7, 1]
    assert held.order.cross_docked[0].location == "PACK-01"
    assert (held.shipment_key, held.verified) == ("key-1", {"SKU-A": 2})
    assert notices == ["3 units of SKU-A cross-docked to PACK-01 for order SO-1: pack them with it"]


def test_an_order_not_open_here_is_left_to_be_fetched_when_opened(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    assert apply(registered, crossed(1, order("SO-9"))) == []
    with registered() as unit:
        assert unit.packing.get("SO-9") is None
        assert unit.notices.pending() == []


def test_the_pack_screen_says_where_cross_docked_units_wait() -> None:
    found = order("SO-1").model_copy(
        update={"cross_docked": [CrossDockedUnits(sku="SKU-A", quantity=3, location="PACK-01")]}
    )
    words = order_words(PackView("SO-1", found, "open", (), ())).plain
    assert "3 x SKU-A cross-docked at PACK-01" in words
    assert "tote T000001" in words
