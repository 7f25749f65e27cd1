"""Pick paths: exact against Held-Karp, never longer than the policies, valid tours."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.routing_oracle import distance_matrix, grid_distance, held_karp
from toteflow.domain.layout import Layout, LocationCode, LocationError
from toteflow.domain.route_network import network_distance, tour_length
from toteflow.domain.routing import (
    EXACT_MAX_BLOCKS,
    METHODS,
    RoutingError,
    route,
)
from toteflow.shared.layout_file import load_layout

ROOT = Path(__file__).resolve().parents[2]
ONE = load_layout(ROOT / "tests" / "layouts" / "one_block.toml")
TWO = load_layout(ROOT / "config" / "warehouse.toml")
THREE = load_layout(ROOT / "tests" / "layouts" / "three_blocks.toml")
# Four blocks is the most the exact programme takes; six goes to the local search.
FOUR = Layout(8, 40, 1.0, 3.0, (0, 8, 20, 31, 40), depot_aisle=5)
SIX = Layout(8, 36, 1.0, 3.0, (0, 6, 12, 18, 24, 30, 36), depot_aisle=3)
EXACT = {"one": ONE, "two": TWO, "three": THREE, "four": FOUR}
BASELINES = ("s-shape", "largest-gap", "return", "midpoint")
EPS = 1e-6


def random_locations(layout: Layout, rng: random.Random, count: int) -> list[str]:
    return [
        LocationCode(
            rng.randint(1, layout.aisles),
            rng.randint(1, layout.bays_per_aisle),
            rng.randint(1, layout.levels),
        ).format()
        for _ in range(count)
    ]


def stops_of(locations: list[str]) -> list[str]:
    """One code per distinct point: the level does not change where a picker stands."""
    return sorted({code[:7] + "1" for code in locations})


def test_the_layouts_have_the_blocks_their_names_say() -> None:
    assert [layout.blocks for layout in (ONE, TWO, THREE, FOUR, SIX)] == [1, 2, 3, 4, 6]
    assert FOUR.blocks == EXACT_MAX_BLOCKS < SIX.blocks


@pytest.mark.parametrize("name", sorted(EXACT))
def test_optimal_equals_held_karp(name: str) -> None:
    layout = EXACT[name]
    rng = random.Random(f"held-karp {name}")
    for _ in range(25):
        locations = random_locations(layout, rng, rng.randint(1, 9))
        exact = held_karp(distance_matrix(layout, stops_of(locations)))
        result = route(layout, locations)
        assert result.distance_m == pytest.approx(exact, abs=EPS), locations
        # The order given is a tour of that length, not just the number.
        assert tour_length(layout, result.sequence) == pytest.approx(exact, abs=EPS), locations


def test_local_search_past_four_blocks_is_near_held_karp() -> None:
    rng = random.Random("six blocks")
    gaps = []
    for _ in range(25):
        locations = random_locations(SIX, rng, rng.randint(1, 9))
        exact = held_karp(distance_matrix(SIX, stops_of(locations)))
        result = route(SIX, locations)
        assert result.distance_m >= exact - EPS
        assert tour_length(SIX, result.sequence) == pytest.approx(result.distance_m, abs=EPS)
        gaps.append(result.distance_m / exact - 1 if exact else 0.0)
    assert sum(gaps) / len(gaps) < 0.01


@pytest.mark.parametrize("name", [*sorted(EXACT), "six"])
@pytest.mark.parametrize("count", [5, 30])
def test_every_method_gives_a_valid_tour_and_optimal_is_never_longer(name: str, count: int) -> None:
    layout = SIX if name == "six" else EXACT[name]
    rng = random.Random(f"valid {name} {count}")
    for _ in range(6):
        locations = random_locations(layout, rng, count)
        results = {method: route(layout, locations, method) for method in METHODS}
        for method, result in results.items():
            assert result.method == method
            # Every distinct location once; the locations of one point next to each other.
            assert sorted(result.sequence) == sorted(set(locations))
            points = [code[:6] for code in result.sequence]
            assert all(points.index(p) == i or points[i - 1] == p for i, p in enumerate(points))
            # The walk a method prescribes is at least the shortest path through its order.
            assert tour_length(layout, result.sequence) <= result.distance_m + EPS
        for method in BASELINES:
            assert results["optimal"].distance_m <= results[method].distance_m + EPS, method


def test_no_locations_no_walk() -> None:
    for method in METHODS:
        assert route(TWO, [], method).distance_m == 0.0
        assert route(TWO, [], method).sequence == ()


@pytest.mark.parametrize(
    ("layout", "locations", "metres"),
    [
        # Bay 1 of the depot's own aisle: 0.75 m in and back out.
        (TWO, ["01-001-1"], 1.5),
        # Up aisle 3 through the middle cross aisle to bay 30 and back: 8 + 44.25, twice.
        (TWO, ["03-010-1", "03-030-1"], 104.5),
        # In and out of aisles 1 and 5, then aisle 12: cheaper than via the middle cross aisle.
        (TWO, ["01-001-1", "05-017-1", "05-017-2", "12-003-1"], 146.5),
        # Both at the back of aisles 1 and 2: up one, down the other (9 + 36 + 3 + 36 + 6).
        (ONE, ["01-030-1", "02-030-1"], 90.0),
        # A single pick deep in the third block, in the depot's aisle: straight up and back.
        (THREE, ["01-040-1"], 79.0),
    ],
)
def test_hand_computed_optimal_distances(
    layout: Layout, locations: list[str], metres: float
) -> None:
    assert route(layout, locations).distance_m == pytest.approx(metres)


def test_picks_at_one_point_are_one_stop() -> None:
    one = route(TWO, ["05-017-1"])
    many = route(TWO, ["05-017-2", "05-017-1", "05-017-2", LocationCode(5, 17, 3)])
    assert many.distance_m == one.distance_m
    assert many.sequence == ("05-017-1", "05-017-2", "05-017-3")


# Aisles 1, 3 and 5 of the one-block layout (depot at aisle 4, x = 9; aisles 36 m long):
# bay 10 of aisle 1 (y = 11.4), bay 20 of aisle 3 (y = 23.4), bay 5 of aisle 5 (y = 5.4).
POLICY_CASE = ["01-010-1", "03-020-1", "05-005-1"]


@pytest.mark.parametrize(
    ("method", "metres"),
    [
        # From the nearer end (aisle 5): through 5 and 3, then aisle 1 in and out from the front.
        ("s-shape", 3 + 36 + 6 + 36 + 6 + 2 * 11.4 + 9),
        # Through aisle 5, aisle 3 from the back (its widest gap is in front), through aisle 1.
        ("largest-gap", 3 + 36 + 6 + 2 * 12.6 + 6 + 36 + 9),
        ("midpoint", 3 + 36 + 6 + 2 * 12.6 + 6 + 36 + 9),
        ("return", 3 + 2 * 5.4 + 6 + 2 * 23.4 + 6 + 2 * 11.4 + 9),
    ],
)
def test_hand_computed_policy_walks(method: str, metres: float) -> None:
    result = route(ONE, POLICY_CASE, method)
    assert result.distance_m == pytest.approx(metres)
    assert result.sequence == ("05-005-1", "03-020-1", "01-010-1")


def test_policies_in_several_blocks_work_from_the_back_block_forward() -> None:
    # Three blocks, depot at aisle 1: one pick in each block, in aisles 2, 4 and 6.
    locations = ["02-005-1", "04-020-1", "06-040-1"]
    for method in BASELINES:
        sequence = route(THREE, locations, method).sequence
        assert sequence == ("06-040-1", "04-020-1", "02-005-1"), method


def test_routes_are_deterministic() -> None:
    rng = random.Random("same")
    locations = random_locations(SIX, rng, 40)
    assert route(SIX, locations) == route(SIX, list(reversed(locations)))
    assert route(TWO, locations[:20]) == route(TWO, locations[:20])


def test_network_distance() -> None:
    # Same aisle: straight along it, whatever the cross aisles.
    assert network_distance(TWO, (8.0, 3.0), (8.0, 50.0)) == 47.0
    # Neighbouring aisles, both in the front block near its back: over the middle cross aisle.
    assert network_distance(TWO, (8.0, 27.0), (12.0, 28.5)) == pytest.approx(3.0 + 4.0 + 1.5)
    # Different blocks: a cross aisle lies between, so no detour.
    assert network_distance(TWO, (8.0, 3.0), (12.0, 50.0)) == 51.0


@pytest.mark.parametrize("layout", [ONE, TWO, FOUR])
def test_network_distance_is_the_shortest_path_in_the_graph(layout: Layout) -> None:
    rng = random.Random(f"graph {layout.blocks}")
    depot = layout.depot
    for _ in range(30):
        a, b = (layout.position(code) for code in random_locations(layout, rng, 2))
        assert network_distance(layout, a, b) == pytest.approx(grid_distance(layout, a, b))
        assert network_distance(layout, depot, b) == pytest.approx(grid_distance(layout, depot, b))


def test_unknown_method_and_bad_locations_are_named() -> None:
    with pytest.raises(RoutingError, match="unknown routing method 'fastest'; choose from optimal"):
        route(TWO, ["01-001-1"], "fastest")
    with pytest.raises(LocationError, match="location 21-001-1: aisle 21 is outside"):
        route(TWO, ["01-001-1", "21-001-1"])
    with pytest.raises(LocationError, match="bad location code '1-1-1'"):
        route(TWO, ["1-1-1"])
