"""The pure rules of a move by hand: which position moves, and whether it may go there."""

from __future__ import annotations

from datetime import date

import pytest

from toteflow.domain.putaway_rules import Content, Location, Mixing, Plate, Size
from toteflow.domain.reservations import Held
from toteflow.domain.stock_moves import MOST_UNITS, Position, check_move, choose_position

CUBE = Size(100, 100, 100)  # 1,000,000 mm3


def moving(units: int, sku: str = "A", lot: str | None = None) -> Plate:
    return Plate("", sku, units, CUBE, 500, lot=lot)


def rack(code: str = "R2", **kw: object) -> Location:
    return Location(code, **kw)  # type: ignore[arg-type]


def test_the_only_lot_is_taken_and_several_lots_need_the_lot() -> None:
    one = [Position("A", "L1", None, 5, 0)]
    assert choose_position(one, "R1", "A", None) == one[0]
    two = [*one, Position("A", "L2", None, 3, 0)]
    assert "several lots (L1, L2): scan the label with the lot" in str(
        choose_position(two, "R1", "A", None)
    )
    assert choose_position(two, "R1", "A", "L2") == two[1]
    assert choose_position(two, "R1", "A", "L9") == ("there is no A lot L9 at R1 (it holds L1, L2)")
    assert choose_position(two, "R1", "B", None) == "there is no B at R1"
    # An empty row is no stock; one lot with two expiry dates gives the earliest first.
    dated = [
        Position("A", "L1", date(2027, 5, 1), 2, 0),
        Position("A", "L1", date(2027, 1, 1), 2, 0),
        Position("A", "L3", None, 0, 0),
    ]
    assert choose_position(dated, "R1", "A", None) == dated[1]


def test_a_move_never_takes_what_orders_hold() -> None:
    here = Position("A", "", None, 10, 4)
    assert check_move("R1", here, moving(6), rack()).allowed
    refused = check_move("R1", here, moving(7), rack())
    assert not refused.allowed
    assert refused.words == (
        "only 6 units of A free to move from R1 (10 on hand, 4 reserved for orders)"
    )
    assert check_move("R1", None, moving(1), rack()).words == "there is no A at R1"


@pytest.mark.parametrize(
    ("units", "destination", "kw", "words"),
    [
        (0, rack(), {}, "move at least 1 unit, not 0"),
        (MOST_UNITS + 1, rack(), {}, "move at most 1,000,000 units at once"),
        (1, None, {}, "unknown destination: scan a location label"),
        (1, rack("R1"), {}, "the stock is at R1 already"),
        (1, rack(kind="dock"), {}, "R2 is a dock location"),
        (1, rack(), {"active": False}, "R2 is an inactive location"),
        (1, rack(contents=(Content("B", None, 1),)), {}, "R2 is holding another SKU"),
        (
            1,
            rack(mixing=Mixing.SAME_LOT, contents=(Content("A", "L2", 1),)),
            {},
            "holding another SKU or lot",
        ),
        (1, rack(mixing=Mixing.EMPTY_ONLY, contents=(Content("A", None, 1),)), {}, "not empty"),
        (1, rack(home_sku="B"), {}, "another product's pick face"),
        (6, rack(size=Size(500, 100, 100)), {}, "R2 has room for 5 of the 6"),
        (3, rack(max_weight_g=1000), {}, "R2 has room for 2 of the 3"),
        (1, rack(size=Size(50, 50, 50)), {}, "R2 is too small for the unit"),
        (4, rack(home_sku="A", max_quantity=3), {}, "has room for 3 of the 4"),
        (1, rack(mixing=Mixing.EMPTY_ONLY), {"held": Held(1, 1, 1, {("B", None)})}, "not empty"),
    ],
)
def test_a_destination_that_does_not_fit_or_mix_is_refused(
    units: int, destination: Location | None, kw: dict[str, object], words: str
) -> None:
    here = Position("A", "", None, MOST_UNITS, 0)
    check = check_move("R1", here, moving(units), destination, **kw)  # type: ignore[arg-type]
    assert not check.allowed
    assert words in check.words


def test_a_same_sku_location_takes_more_of_it_and_says_what_moves() -> None:
    here = Position("A", "L1", None, 10, 0)
    check = check_move(
        "R1", here, moving(4, lot="L1"), rack(contents=(Content("A", "L1", 3, 1_000_000, 500),))
    )
    assert check.allowed
    assert check.words == "4 units of A lot L1 from R1 to R2"


def test_room_unknown_checks_only_the_kind_and_the_mix() -> None:
    here = Position("A", "", None, 10, 0)
    tiny = rack(size=Size(1, 1, 1))
    assert check_move("R1", here, moving(5), tiny, room_known=False).allowed
    mixed = rack(contents=(Content("B", None, 1),))
    assert not check_move("R1", here, moving(5), mixed, room_known=False).allowed
    assert not check_move("R1", here, moving(5), rack(home_sku="B"), room_known=False).allowed
    # A position never holds more than the wire can carry.
    full = rack(mixing=Mixing.MIXED, contents=(Content("A", None, MOST_UNITS),))
    assert "holds at most" in check_move("R1", here, moving(1), full, room_known=False).words
