"""Directed put-away: rule order, fit, mixing, reservations, cross-dock, confirming elsewhere."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toteflow.domain.putaway import (
    Backorder,
    ElsewhereReason,
    PutawayPlan,
    confirm_elsewhere,
    cross_dock_split,
    reservations_for,
    suggest,
)
from toteflow.domain.putaway_rules import (
    DEFAULT_RULES,
    PICK_FACE,
    Content,
    Location,
    Mixing,
    Plate,
    PutawayRule,
    RuleOrderError,
    Size,
    Velocity,
    room_for,
    rules_from_config,
    unit_fits,
)
from toteflow.domain.reservations import Reservation, held_by_location, is_live, live

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)
BOX = Size(400, 300, 200)  # 24 litres
BOX_G = 5_000


def plate(quantity: int = 10, **kw: object) -> Plate:
    values: dict[str, object] = {
        "plate": "P1",
        "sku": "SKU-1",
        "quantity": quantity,
        "unit": BOX,
        "unit_weight_g": BOX_G,
        "lot": "L1",
    }
    values.update(kw)
    return Plate(**values)  # type: ignore[arg-type]


def bin_(code: str, dock: float = 10.0, **kw: object) -> Location:
    values: dict[str, object] = {"code": code, "dock_distance_m": dock}
    values.update(kw)
    return Location(**values)  # type: ignore[arg-type]


def stock(sku: str = "SKU-1", lot: str | None = "L1", quantity: int = 5) -> Content:
    return Content(sku, lot, quantity, BOX.volume, BOX_G)


def legs(plan: PutawayPlan) -> list[tuple[str, int, PutawayRule]]:
    return [(leg.location, leg.quantity, leg.rule) for leg in plan.legs]


# --- fit -----------------------------------------------------------------------------------


def test_a_unit_fits_turned_but_an_upright_one_only_about_the_vertical() -> None:
    tall = Size(100, 100, 500)
    low_opening = Size(600, 600, 300)
    assert unit_fits(tall, low_opening, upright=False)
    assert not unit_fits(tall, low_opening, upright=True)
    assert unit_fits(Size(300, 500, 100), Size(600, 400, 200), upright=True)


def test_room_counts_volume_weight_pick_face_maximum_and_reservations() -> None:
    location = bin_("01-001-1", size=Size(1200, 1000, 400))  # 480 litres: 20 boxes
    assert room_for(plate(), location).units == 20
    heavy = replace(location, max_weight_g=52_000)
    assert room_for(plate(), heavy).units == 10
    assert room_for(plate(), heavy).why_not is None
    face = replace(location, kind=PICK_FACE, home_sku="SKU-1", max_quantity=12, contents=(stock(),))
    assert room_for(plate(), face).units == 7
    held = held_by_location([reserve("P9", "01-001-1", 4)], NOW)["01-001-1"]
    assert room_for(plate(), face, held).units == 3


def test_room_says_why_a_location_takes_nothing() -> None:
    location = bin_("01-001-1")
    assert room_for(plate(storage_class="chilled"), location).why_not == "in storage class ambient"
    assert room_for(plate(upright=True), replace(location, upright_allowed=False)).why_not == (
        "not for units that must stay upright"
    )
    assert room_for(plate(unit=Size(2000, 10, 10)), location).why_not == "too small for the unit"
    mixed_lot = replace(location, mixing=Mixing.SAME_LOT, contents=(stock(lot="L2"),))
    assert room_for(plate(), mixed_lot).why_not == "holding another SKU or lot"
    other_face = replace(location, kind=PICK_FACE, home_sku="SKU-2")
    assert room_for(plate(), other_face).why_not == "another product's pick face"


# --- rules ---------------------------------------------------------------------------------


def test_the_pick_face_is_topped_up_to_its_maximum_and_the_rest_goes_elsewhere() -> None:
    face = bin_(
        "01-001-1", 5, kind=PICK_FACE, home_sku="SKU-1", max_quantity=8, contents=(stock(),)
    )
    reserve_bin = bin_("02-001-1", 20)
    plan = suggest(plate(10), [reserve_bin, face], at=NOW)
    assert legs(plan) == [
        ("01-001-1", 3, PutawayRule.PICK_FACE),
        ("02-001-1", 7, PutawayRule.NEAREST_EMPTY),
    ]
    assert plan.legs[0].reason == "SKU-1's pick face, 5 of 8: top it up to 8"
    assert plan.words() == (
        "3 units to 01-001-1: SKU-1's pick face, 5 of 8: top it up to 8; "
        "7 units to 02-001-1: the nearest empty ambient location that fits, 20 m from the dock"
    )


def test_same_sku_and_lot_beats_a_nearer_empty_location() -> None:
    empty = bin_("01-001-1", 1)
    same = bin_("09-001-1", 90, contents=(stock(),))
    other_lot = bin_("02-001-1", 2, contents=(stock(lot="L2"),))
    plan = suggest(plate(5), [empty, other_lot, same], at=NOW)
    assert legs(plan) == [("09-001-1", 5, PutawayRule.SAME_LOT)]
    assert plan.legs[0].reason == "already holds SKU-1 lot L1"


def test_the_nearest_empty_location_of_the_storage_class_that_fits() -> None:
    locations = [
        bin_("01-001-1", 3, storage_class="chilled"),
        bin_("01-002-1", 4, size=Size(300, 300, 300)),  # too small
        bin_("01-003-1", 5, contents=(stock("SKU-2"),)),  # not empty
        bin_("01-004-1", 9),
        bin_("01-005-1", 7),
    ]
    plan = suggest(plate(5), locations, at=NOW)
    assert legs(plan) == [("01-005-1", 5, PutawayRule.NEAREST_EMPTY)]


def test_velocity_slotting_sends_fast_movers_to_the_front() -> None:
    locations = [
        bin_("01-030-1", velocity_zone=Velocity.C, front_distance_m=45),
        bin_("01-010-1", velocity_zone=Velocity.A, front_distance_m=15),
        bin_("01-002-1", velocity_zone=Velocity.A, front_distance_m=3),
        bin_("01-020-1", velocity_zone=Velocity.B, front_distance_m=30),
    ]
    rules = rules_from_config(["velocity"])
    fast = suggest(plate(2, velocity=Velocity.A), locations, at=NOW, rules=rules)
    slow = suggest(plate(2, velocity=Velocity.C), locations, at=NOW, rules=rules)
    assert legs(fast) == [("01-002-1", 2, PutawayRule.VELOCITY)]
    assert fast.legs[0].reason == "A zone for a fast-moving (A) product, 3 m from the front"
    assert legs(slow) == [("01-030-1", 2, PutawayRule.VELOCITY)]


def test_a_plate_too_big_for_any_one_place_is_split_over_a_few() -> None:
    small = [bin_(f"01-00{i}-1", i, size=Size(1200, 1000, 400)) for i in range(1, 4)]  # 20 each
    plan = suggest(plate(50), small, at=NOW)
    assert [(leg.location, leg.quantity) for leg in plan.legs] == [
        ("01-001-1", 20),
        ("01-002-1", 20),
        ("01-003-1", 10),
    ]
    assert plan.legs[0].reason.startswith("part of the plate; ")


def test_no_place_fits_says_why() -> None:
    locations = [
        bin_("01-001-1", storage_class="frozen"),
        bin_("01-002-1", storage_class="frozen"),
        bin_("01-003-1", size=Size(100, 100, 100)),
        bin_("01-004-1", mixing=Mixing.EMPTY_ONLY, contents=(stock(),)),
    ]
    plan = suggest(plate(5), locations, at=NOW)
    assert plan.legs == ()
    assert plan.unplaced == 5
    assert plan.why_not == (
        "no place fits 5 units: 2 are in storage class frozen, "
        "1 is not empty (one plate at a time), 1 is too small for the unit"
    )
    assert plan.words() == plan.why_not


def test_with_the_pick_face_rule_alone_only_the_face_is_explained() -> None:
    face = bin_("01-001-1", kind=PICK_FACE, home_sku="SKU-1", max_quantity=5, contents=(stock(),))
    plan = suggest(plate(3), [face, bin_("02-001-1")], at=NOW, rules=(PutawayRule.PICK_FACE,))
    assert plan.why_not == "no place fits 3 units: 1 is at the maximum quantity"


def test_nothing_to_put_away() -> None:
    assert suggest(plate(0), [bin_("01-001-1")], at=NOW).why_not == "nothing to put away (0 units)"


def test_backorders_are_served_first_by_cross_dock() -> None:
    backorders = [
        Backorder(11, "SO-1", "SKU-1", 4),
        Backorder(12, "SO-2", "SKU-2", 9),  # another SKU
        Backorder(13, "SO-3", "SKU-1", 3),
    ]
    plan = suggest(plate(10), [bin_("01-001-1")], at=NOW, backorders=backorders)
    assert [(c.order, c.quantity) for c in plan.cross_dock] == [("SO-1", 4), ("SO-3", 3)]
    assert legs(plan) == [("01-001-1", 3, PutawayRule.NEAREST_EMPTY)]
    assert plan.words().startswith("4 units to cross-dock for order SO-1; 3 units to cross-dock")
    split, left = cross_dock_split("SKU-1", 2, backorders)
    assert [(c.order, c.quantity) for c in split] == [("SO-1", 2)]
    assert left == 0


def test_the_rule_order_comes_from_config() -> None:
    assert (
        rules_from_config(["pick_face", "same_lot", "nearest_empty", "velocity"]) == DEFAULT_RULES
    )
    with pytest.raises(RuleOrderError, match="unknown put-away rule 'closest'"):
        rules_from_config(["closest"])
    with pytest.raises(RuleOrderError, match="listed twice"):
        rules_from_config(["velocity", "velocity"])
    with pytest.raises(RuleOrderError, match="no put-away rules"):
        rules_from_config([])


# --- reservations ------------------------------------------------------------------------------


def reserve(
    plate_id: str, location: str, quantity: int, expires: datetime = LATER, sku: str = "SKU-1"
) -> Reservation:
    return Reservation(
        plate_id, location, sku, "L1", quantity, quantity * BOX.volume, quantity * BOX_G, expires
    )


def test_live_reservations_are_those_not_yet_expired() -> None:
    fresh, stale = reserve("P2", "A", 1), reserve("P3", "A", 1, expires=NOW)
    assert is_live(fresh, NOW)
    assert not is_live(stale, NOW)
    assert live([fresh, stale], NOW) == [fresh]


def test_two_plates_are_never_sent_to_the_same_empty_bin() -> None:
    locations = [bin_("01-001-1", 1, mixing=Mixing.EMPTY_ONLY), bin_("01-002-1", 2)]
    first = suggest(plate(5), locations, at=NOW)
    claimed = reservations_for(first, plate(5), expires_at=LATER)
    second = suggest(plate(5, plate="P2", sku="SKU-2"), locations, at=NOW, reservations=claimed)
    assert legs(first)[0][0] == "01-001-1"
    assert legs(second)[0][0] == "01-002-1"
    # Once the first reservation lapses, the bin is free again; a plate's own never blocks it.
    assert legs(suggest(plate(5, plate="P2"), locations, at=LATER, reservations=claimed))[0][0] == (
        "01-001-1"
    )
    assert legs(suggest(plate(5), locations, at=NOW, reservations=claimed))[0][0] == "01-001-1"


# --- confirming elsewhere -------------------------------------------------------------------------


def test_confirm_elsewhere_needs_a_fixed_reason_and_a_place_that_fits() -> None:
    target = bin_("05-001-1", size=Size(1200, 1000, 400))
    assert confirm_elsewhere(plate(5), target, None, at=NOW).words.startswith("say why")
    wrong = confirm_elsewhere(plate(5), target, "felt like it", at=NOW)
    assert not wrong.allowed
    assert "not a reason to put it elsewhere" in wrong.words
    ok = confirm_elsewhere(plate(5), target, ElsewhereReason.SUGGESTED_FULL, at=NOW)
    assert ok.allowed
    assert ok.words == "5 units to 05-001-1"
    assert confirm_elsewhere(plate(5), target, "cannot_reach", at=NOW).allowed
    too_many = confirm_elsewhere(plate(25), target, "suggested_full", at=NOW)
    assert too_many.words == "05-001-1 has room for 20 of the 25: choose another"
    mixed = replace(target, contents=(stock("SKU-2"),))
    assert confirm_elsewhere(plate(5), mixed, "suggested_full", at=NOW).words == (
        "05-001-1 is holding another SKU: choose another"
    )
    taken = [reserve("P7", "05-001-1", 18)]
    assert not confirm_elsewhere(
        plate(5), target, "suggested_full", at=NOW, reservations=taken
    ).allowed
    assert not confirm_elsewhere(plate(5), None, "suggested_full", at=NOW).allowed


# --- properties ------------------------------------------------------------------------------

SKUS = ("SKU-1", "SKU-2", "SKU-3")
LOTS = ("L1", "L2")
sizes = st.builds(Size, st.integers(200, 1300), st.integers(200, 1100), st.integers(200, 1600))


@st.composite
def locations(draw: st.DrawFn) -> list[Location]:
    count = draw(st.integers(1, 14))
    made = []
    for i in range(count):
        face = draw(st.integers(0, 4)) == 0
        contents = tuple(
            Content(
                draw(st.sampled_from(SKUS)),
                draw(st.sampled_from(LOTS)),
                draw(st.integers(1, 6)),
                BOX.volume,
                BOX_G,
            )
            for _ in range(draw(st.integers(0, 2)))
        )
        made.append(
            Location(
                code=f"{i:02d}-001-1",
                kind=PICK_FACE if face else "reserve",
                storage_class=draw(st.sampled_from(["ambient", "ambient", "chilled"])),
                size=draw(sizes),
                max_weight_g=draw(st.integers(1_000, 1_000_000)),
                upright_allowed=draw(st.booleans()),
                mixing=draw(st.sampled_from(list(Mixing))),
                contents=contents,
                home_sku=draw(st.sampled_from(SKUS)) if face else None,
                max_quantity=draw(st.integers(1, 30)) if face else None,
                velocity_zone=draw(st.sampled_from([None, *Velocity])),
                front_distance_m=draw(st.integers(0, 60)),
                dock_distance_m=draw(st.integers(0, 80)),
            )
        )
    return made


plates = st.builds(
    Plate,
    plate=st.sampled_from(["P1", "P2", "P3"]),
    sku=st.sampled_from(SKUS),
    quantity=st.integers(1, 24),
    unit=st.builds(Size, st.integers(50, 400), st.integers(50, 300), st.integers(50, 300)),
    unit_weight_g=st.integers(1, 8_000),
    storage_class=st.sampled_from(["ambient", "chilled"]),
    velocity=st.sampled_from(list(Velocity)),
    lot=st.sampled_from(LOTS),
    upright=st.booleans(),
)
rule_orders = st.permutations(list(PutawayRule)).flatmap(
    lambda order: st.integers(1, len(order)).map(lambda n: tuple(order[:n]))
)


def check_fits(p: Plate, location: Location, quantity: int, others: list[Reservation]) -> None:
    """An independent check that `quantity` units of `p` may go to `location`."""
    mine = [r for r in others if r.location == location.code and is_live(r, NOW)]
    assert location.storage_class == p.storage_class
    assert not (p.upright and not location.upright_allowed)
    assert unit_fits(p.unit, location.size, upright=p.upright)
    volume = sum(c.quantity * c.unit_volume_mm3 for c in location.contents)
    volume += sum(r.volume_mm3 for r in mine) + quantity * p.unit.volume
    assert volume <= location.volume
    weight = sum(c.quantity * c.unit_weight_g for c in location.contents)
    weight += sum(r.weight_g for r in mine) + quantity * p.unit_weight_g
    assert weight <= location.max_weight_g
    if location.max_quantity is not None:
        units = sum(c.quantity for c in location.contents if c.sku == p.sku)
        assert units + sum(r.quantity for r in mine) + quantity <= location.max_quantity
    present = {(c.sku, c.lot) for c in location.contents} | {(r.sku, r.lot) for r in mine}
    if location.home_sku is not None:
        assert location.home_sku == p.sku
    if location.mixing is Mixing.EMPTY_ONLY:
        assert not present
    elif location.mixing is Mixing.SAME_SKU:
        assert {sku for sku, _ in present} <= {p.sku}
    elif location.mixing is Mixing.SAME_LOT:
        assert present <= {(p.sku, p.lot)}


@settings(max_examples=300, deadline=None)
@given(p=plates, where=locations(), rules=rule_orders)
def test_every_suggestion_fits_and_accounts_for_every_unit(
    p: Plate, where: list[Location], rules: tuple[PutawayRule, ...]
) -> None:
    plan = suggest(p, where, at=NOW, rules=rules)
    by_code = {loc.code: loc for loc in where}
    assert plan.placed + plan.unplaced == p.quantity
    assert len({leg.location for leg in plan.legs}) == len(plan.legs)
    for leg in plan.legs:
        assert leg.quantity > 0
        check_fits(p, by_code[leg.location], leg.quantity, [])
    assert (plan.why_not is None) == (plan.unplaced == 0)


@settings(max_examples=200, deadline=None)
@given(batch=st.lists(plates, min_size=2, max_size=5), where=locations())
def test_reservations_of_earlier_suggestions_are_never_overbooked(
    batch: list[Plate], where: list[Location]
) -> None:
    reservations: list[Reservation] = []
    by_code = {loc.code: loc for loc in where}
    for i, p in enumerate(batch):
        p = replace(p, plate=f"P{i}")
        plan = suggest(p, where, at=NOW, reservations=reservations)
        for leg in plan.legs:
            check_fits(p, by_code[leg.location], leg.quantity, reservations)
        reservations += reservations_for(plan, p, expires_at=LATER)


@settings(max_examples=200, deadline=None)
@given(p=plates, where=locations(), maximum=st.integers(4, 60))
def test_a_pick_face_with_room_is_chosen_first(
    p: Plate, where: list[Location], maximum: int
) -> None:
    face = Location(
        code="99-001-1",
        kind=PICK_FACE,
        storage_class=p.storage_class,
        size=Size(3000, 3000, 3000),
        max_weight_g=10**9,
        home_sku=p.sku,
        max_quantity=maximum,
        contents=(Content(p.sku, p.lot, 3, p.unit.volume, p.unit_weight_g),),
        dock_distance_m=500,
    )
    where = [loc for loc in where if loc.home_sku != p.sku] + [face]
    plan = suggest(p, where, at=NOW)
    # Topped up to its maximum (3 units on it already), however far from the dock it is.
    first = plan.legs[0]
    assert (first.location, first.quantity, first.rule) == (
        "99-001-1",
        min(p.quantity, maximum - 3),
        PutawayRule.PICK_FACE,
    )


@settings(max_examples=200, deadline=None)
@given(p=plates, where=locations())
def test_a_same_sku_and_lot_location_beats_an_empty_one(p: Plate, where: list[Location]) -> None:
    same = Location(
        code="98-001-1",
        storage_class=p.storage_class,
        size=Size(3000, 3000, 3000),
        max_weight_g=10**9,
        mixing=Mixing.SAME_LOT,
        contents=(Content(p.sku, p.lot, 1, p.unit.volume, p.unit_weight_g),),
        dock_distance_m=1000,
    )
    where = [loc for loc in where if loc.kind != PICK_FACE] + [same]
    plan = suggest(p, where, at=NOW)
    chosen = plan.legs[0]
    assert (chosen.location, chosen.rule) == ("98-001-1", PutawayRule.SAME_LOT) or (
        # only an earlier same-lot location that fits as well may come before it
        chosen.rule is PutawayRule.SAME_LOT
        and next(loc for loc in where if loc.code == chosen.location).dock_distance_m <= 1000
    )


@settings(max_examples=200, deadline=None)
@given(p=plates, where=locations())
def test_among_fitting_empty_locations_the_nearest_is_chosen(
    p: Plate, where: list[Location]
) -> None:
    plan = suggest(p, where, at=NOW, rules=(PutawayRule.NEAREST_EMPTY,))
    fitting = [
        loc
        for loc in where
        if loc.kind != PICK_FACE and not loc.contents and room_for(p, loc).units >= p.quantity
    ]
    if not fitting:
        assert all(leg.quantity < p.quantity for leg in plan.legs)
        return
    nearest = min(fitting, key=lambda loc: (loc.dock_distance_m, loc.code))
    assert legs(plan) == [(nearest.code, p.quantity, PutawayRule.NEAREST_EMPTY)]


@settings(max_examples=200, deadline=None)
@given(p=plates, where=locations())
def test_fast_movers_go_to_the_front_of_their_zone(p: Plate, where: list[Location]) -> None:
    p = replace(p, velocity=Velocity.A)
    plan = suggest(p, where, at=NOW, rules=(PutawayRule.VELOCITY,))
    fitting = [
        loc for loc in where if loc.kind != PICK_FACE and room_for(p, loc).units >= p.quantity
    ]
    if not fitting:
        return
    rank = {Velocity.A: 0, Velocity.B: 1, Velocity.C: 2, None: 3}

    def key(loc: Location) -> tuple[int, float]:
        return (rank[loc.velocity_zone], loc.front_distance_m)

    chosen = next(loc for loc in where if loc.code == plan.legs[0].location)
    assert key(chosen) == min(key(loc) for loc in fitting)
