"""The picker's scan checks and the walk estimate: plain data in, a verdict out."""

from __future__ import annotations

from datetime import date

import pytest

from toteflow.config import default_config_dir
from toteflow.domain.gs1 import with_check_digit
from toteflow.domain.pick_checks import (
    PackSize,
    ScanRefused,
    StopSpec,
    check_item,
    check_location,
    check_new_tote,
    check_put,
)
from toteflow.domain.pick_estimate import (
    SECONDS_PER_STOP,
    SECONDS_PER_UNIT,
    WALK_METRES_PER_SECOND,
    Estimator,
    remaining,
    walk_left,
)
from toteflow.domain.route_network import tour_length
from toteflow.domain.scan import interpret
from toteflow.shared.layout_file import load_layout

TODAY = date(2026, 11, 22)
EACH = with_check_digit("400638133393")
CASE = with_check_digit("1400638133393")


def stop(**changes: object) -> StopSpec:
    values: dict[str, object] = {
        "location": "05-017-2",
        "sku": "MUG-1",
        "description": "Blue mug",
        "packs": [PackSize(EACH, "EA", 1), PackSize(CASE, "CS", 6)],
        "lot_tracked": False,
        "expiry_tracked": False,
        "lot_substitution": False,
        "lot": "",
        "expiry": None,
        "open_quantity": 8,
        "slot": 2,
        "tote": "T000002",
        "cart": "C0001",
    }
    values.update(changes)
    return StopSpec(**values)  # type: ignore[arg-type]


def refused(call: object, *args: object) -> str:
    with pytest.raises(ScanRefused) as caught:
        call(*args)  # type: ignore[operator]
    return str(caught.value)


def gs1(gtin: str, *, lot: str | None = None, expiry: str | None = None) -> str:
    text = f"]C101{gtin.zfill(14)}"
    if expiry:
        text += f"17{expiry}"
    if lot:
        text += f"10{lot}"
    return text


def test_location_must_be_the_stops() -> None:
    check_location(interpret("05-017-2"), stop())
    assert refused(check_location, interpret("05-018-2"), stop()) == (
        "wrong location 05-018-2: go to 05-017-2"
    )
    assert "that was a tote label" in refused(check_location, interpret("T000001"), stop())
    assert "check digit wrong" in refused(check_location, interpret("4006381333932"), stop())


def test_item_by_each_or_case_barcode() -> None:
    assert check_item(interpret(EACH), stop(), TODAY).units == 1
    assert check_item(interpret(CASE), stop(), TODAY).units == 6
    assert check_item(interpret(gs1(EACH)), stop(), TODAY).units == 1
    other = with_check_digit("400000000001")
    assert refused(check_item, interpret(other), stop(), TODAY) == (
        "wrong item: this is not MUG-1 (Blue mug)"
    )
    assert "only 5 needed" in refused(check_item, interpret(CASE), stop(open_quantity=5), TODAY)
    # Every unit needed is in hand already: no "only 0 needed".
    full = refused(check_item, interpret(EACH), stop(open_quantity=0), TODAY)
    assert full == "every unit this stop needs is in your hand: scan the tote now"
    assert "scan the item first" in refused(check_item, interpret("T000002"), stop(), TODAY)


def test_lots_expiry_and_substitution() -> None:
    tracked = stop(lot_tracked=True, expiry_tracked=True, lot="L1", expiry=date(2030, 1, 31))
    assert "scan the label that carries the lot (L1)" in refused(
        check_item, interpret(EACH), tracked, TODAY
    )
    assert refused(check_item, interpret(gs1(EACH, lot="L2", expiry="300131")), tracked, TODAY) == (
        "wrong lot L2: take lot L1"
    )
    assert "expiry 2030-02-28 is not the reserved 2030-01-31" in refused(
        check_item, interpret(gs1(EACH, lot="L1", expiry="300228")), tracked, TODAY
    )
    assert "expired on 2025-01-31" in refused(
        check_item, interpret(gs1(EACH, lot="L1", expiry="250131")), tracked, TODAY
    )
    good = check_item(interpret(gs1(EACH, lot="L1", expiry="300131")), tracked, TODAY)
    assert (good.lot, good.expiry, good.substituted) == ("L1", date(2030, 1, 31), False)
    loose = stop(lot_tracked=True, lot="L1", lot_substitution=True)
    taken = check_item(interpret(gs1(EACH, lot="L9")), loose, TODAY)
    assert (taken.lot, taken.substituted) == ("L9", True)


def test_put_into_the_stops_tote_or_slot() -> None:
    check_put(interpret("T000002"), stop())
    check_put(interpret("C0001-S02"), stop())
    assert refused(check_put, interpret("T000003"), stop()) == (
        "wrong tote T000003: put it in slot 2 (tote T000002)"
    )
    assert "wrong slot 3" in refused(check_put, interpret("C0001-S03"), stop())
    assert "wrong cart C0009" in refused(check_put, interpret("C0009-S02"), stop())
    assert "scan the tote now" in refused(check_put, interpret(EACH), stop())


def test_a_new_tote_is_empty_and_free() -> None:
    in_use = {"T000001": 1, "T000002": 2}
    assert check_new_tote(interpret("T000009"), 2, in_use, frozenset()) == "T000009"
    assert "already in slot 1" in refused(
        check_new_tote, interpret("T000001"), 2, in_use, frozenset()
    )
    assert "was closed" in refused(
        check_new_tote, interpret("T000007"), 2, {}, frozenset({"T000007"})
    )
    assert "is the full one" in refused(
        check_new_tote, interpret("T000002"), 2, in_use, frozenset(), "T000002"
    )
    assert "scan a tote label" in refused(check_new_tote, interpret("05-017-2"), 2, {}, frozenset())


def test_walk_left_is_the_shortest_walk_through_what_is_left() -> None:
    layout = load_layout(default_config_dir() / "warehouse.toml")
    stops = ["03-010-1", "07-030-2", "12-005-1"]
    assert walk_left(layout, None, stops) == pytest.approx(tour_length(layout, stops))
    from_here = walk_left(layout, "03-010-1", stops[1:])
    assert from_here is not None
    assert from_here < tour_length(layout, stops)
    assert walk_left(None, None, stops) is None
    assert walk_left(layout, None, ["PACK-01"]) is None


def test_remaining_time_counts_walking_stops_and_units() -> None:
    layout = load_layout(default_config_dir() / "warehouse.toml")
    left = remaining(layout, None, ["03-010-1", "03-010-2"], 5, planned_m=0, planned_stops=2)
    walk = tour_length(layout, ["03-010-1"])
    assert left.distance_m == pytest.approx(walk)
    # Two lines at one bay are one place to stop at.
    assert left.seconds == pytest.approx(
        walk / WALK_METRES_PER_SECOND + SECONDS_PER_STOP + 5 * SECONDS_PER_UNIT
    )
    pro_rata = remaining(None, None, ["A", "B"], 2, planned_m=300.0, planned_stops=6)
    assert pro_rata.distance_m == pytest.approx(100.0)


def test_an_estimator_remembers_legs_and_answers_as_a_fresh_estimate_does() -> None:
    layout = load_layout(default_config_dir() / "warehouse.toml")
    estimate = Estimator(layout)
    route = ["03-010-1", "03-010-2", "07-030-2", "12-005-1", "12-005-2"]
    here = None
    # Along a walk, stop by stop, and once more the same: the remembered legs change nothing.
    for n in [*range(len(route)), len(route) - 1]:
        left = route[n:]
        expected = remaining(layout, here, left, len(left), planned_m=500.0, planned_stops=5)
        assert estimate.remaining(here, left, len(left), planned_m=500.0, planned_stops=5) == (
            expected
        )
        here = route[n]
    # A code that is not a rack location of the layout: the planned metres pro rata.
    off = estimate.remaining(None, ["PACK-01", "03-010-1"], 1, planned_m=500.0, planned_stops=5)
    assert off.distance_m == pytest.approx(200.0)


def test_a_keyed_sku_counts_only_where_allowed_and_never_for_a_tracked_item() -> None:
    """The SKU shown on screen, typed because the barcode will not scan: one unit, keyed."""
    for typed in ("MUG-1", " mug-1 "):
        assert "keying in the item is not allowed" in refused(
            check_item, interpret(typed), stop(), TODAY
        )
        taken = check_item(interpret(typed), stop(), TODAY, allow_keyed=True)
        assert (taken.units, taken.keyed, taken.lot) == (1, True, None)
    # The item number of an SKU-00810 style SKU, or our own SKU label's text, will do too.
    for typed in ("00810", "SKU-00810"):
        assert check_item(interpret(typed), stop(sku="SKU-00810"), TODAY, allow_keyed=True).keyed
    # A scanned barcode is never "keyed", even where keying is allowed.
    assert not check_item(interpret(EACH), stop(), TODAY, allow_keyed=True).keyed
    # Another SKU is still the wrong item.
    with pytest.raises(ScanRefused, match="wrong item: this is not SKU-00810"):
        check_item(interpret("SKU-00811"), stop(sku="SKU-00810"), TODAY, allow_keyed=True)
    tracked = stop(lot_tracked=True, lot="L1")
    assert refused(check_item, interpret("MUG-1"), tracked, TODAY) == (
        "keying in the item is not allowed at this site: scan its barcode"
    )
    with pytest.raises(ScanRefused, match="MUG-1 carries a lot: it cannot be keyed in"):
        check_item(interpret("MUG-1"), tracked, TODAY, allow_keyed=True)
    with pytest.raises(ScanRefused, match="too many"):
        check_item(interpret("MUG-1"), stop(open_quantity=0), TODAY, allow_keyed=True)
