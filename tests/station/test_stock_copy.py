"""The station's copy of stock: kept from answers, moved by the feed, a refused move undone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from toteflow.contracts import stock as st
from toteflow.contracts import sync
from toteflow.contracts.catalogue import Location, Product
from toteflow.station.services.events import record
from toteflow.station.services.stock_inquiry import age_words
from toteflow.station.services.sync import apply_changes, apply_push_response
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def position(location: str, quantity: int, reserved: int = 0) -> st.StockPosition:
    return st.StockPosition(
        location=location,
        location_kind="reserve",
        sku="SKU-A",
        description="Item A",
        lot="L1",
        expiry=None,
        quantity=quantity,
        reserved=reserved,
    )


def answer(code: str, *positions: st.StockPosition) -> st.LocationStock:
    return st.LocationStock(
        location=Location(id=1, code=code, kind="reserve", active=True), positions=list(positions)
    )


def held(uow: SqlStationUnitOfWorkFactory, code: str) -> list[tuple[str, int, int]]:
    with uow() as unit:
        return [(p.sku, p.quantity, p.reserved) for p in unit.stock.at_location(code)]


def test_a_location_answer_is_kept_whole_and_replaced_by_the_next(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    with registered() as uow:
        uow.stock.keep_location(answer("01-001-3", position("01-001-3", 10, 4)), AT)
        uow.commit()
    with registered() as uow:
        uow.stock.keep_location(answer("01-001-3", position("01-001-3", 7, 4)), AT)
        uow.commit()
        place = uow.stock.place("01-001-3")
    assert place is not None
    assert place.seen_at == AT
    assert held(registered, "01-001-3") == [("SKU-A", 7, 4)]
    item = st.ItemStock(
        sku="SKU-A",
        description="Item A",
        positions=[position("01-009-3", 2)],
        product=Product.model_validate(
            {
                "id": 1,
                "sku": "SKU-A",
                "description": "Item A",
                "lot_tracked": False,
                "expiry_tracked": False,
                "serial_tracked": False,
                "lot_substitution": False,
                "upright": False,
                "units": [],
            }
        ),
    )
    with registered() as uow:
        uow.stock.keep_item(item, AT)
        uow.commit()
        assert [p.location for p in uow.stock.of_sku("SKU-A")] == ["01-009-3"]


def test_a_stock_moved_change_sets_both_ends_to_the_servers_counts(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    with registered() as uow:
        uow.stock.keep_location(answer("01-001-3", position("01-001-3", 10)), AT)
        uow.commit()
    moved = {
        "from": "01-001-3",
        "to": "01-002-3",
        "sku": "SKU-A",
        "lot": "L1",
        "quantity": 4,
        "on_hand": 9,  # something was there already, on the server's books
        "from_on_hand": 6,
        "by_hand": True,
    }
    # A put-away's change names no source count: only the destination is set.
    put_away = {"from": "DOCK-01", "to": "01-001-3", "sku": "SKU-A", "lot": "L1", "quantity": 3}
    page = sync.ChangesPage(
        changes=[
            sync.Change(seq=1, kind="stock.moved", entity="location", entity_id="x", payload=p)
            for p in (moved, {**put_away, "on_hand": 9})
        ],
        cursor=2,
        more=False,
    )
    with registered() as uow:
        outcome = apply_changes(uow, page, AT)
        uow.commit()
    assert outcome.applied == 2
    assert held(registered, "01-002-3") == [("SKU-A", 9, 0)]
    assert held(registered, "01-001-3") == [("SKU-A", 9, 0)]


def test_a_move_the_server_refused_is_taken_back_in_the_copy(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    from toteflow.station.ports.stock import HandMoveRecord

    with registered() as uow:
        uow.stock.keep_location(answer("01-001-3", position("01-001-3", 10)), AT)
        move = st.MoveRequest(
            from_location="01-001-3", to_location="01-002-3", sku="SKU-A", lot="L1", quantity=4
        )
        uow.stock.moved(HandMoveRecord("01-001-3", "01-002-3", "SKU-A", "L1", None, 4), AT)
        event = record(uow, 7, st.STOCK_MOVED_BY_HAND, move.model_dump(mode="json"))
        uow.commit()
    assert held(registered, "01-002-3") == [("SKU-A", 4, 0)]
    refused = sync.PushResponse(
        results=[
            sync.EventResult(
                id=event.id, seq=event.seq, status="rejected", reason="stock move not applied"
            )
        ],
        last_seq=event.seq,
    )
    with registered() as uow:
        apply_push_response(uow, [event], refused, AT)
        uow.commit()
    assert held(registered, "01-001-3") == [("SKU-A", 10, 0)]
    assert held(registered, "01-002-3") == []


def test_the_copys_age_is_said_in_words() -> None:
    assert age_words([], AT) == "from this station's copy (the server is not answering)"
    assert "under a minute old" in age_words([AT - timedelta(seconds=5)], AT)
    assert "12 min old" in age_words([AT - timedelta(minutes=12, seconds=30)], AT)
    assert "3 hours old" in age_words([AT - timedelta(hours=3), AT], AT)
    assert "2 days old" in age_words([AT - timedelta(days=2, hours=1)], AT)
