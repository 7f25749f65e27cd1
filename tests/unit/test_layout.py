"""Layout files, location codes and where each location stands."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from toteflow.domain.layout import (
    Layout,
    LayoutError,
    LocationCode,
    LocationError,
    Zone,
    parse_layout,
)
from toteflow.shared.layout_file import load_layout

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "config" / "warehouse.toml"
TEST_LAYOUTS = ROOT / "tests" / "layouts"

GOOD: dict[str, Any] = {
    "layout": {
        "aisles": 6,
        "bays_per_aisle": 10,
        "bay_width": 1.5,
        "aisle_spacing": 4.0,
        "cross_aisles_after": [0, 5, 10],
        "depot_aisle": 2,
        "levels": 3,
        "pick_levels": [1, 2],
    },
    "zones": [
        {"name": "A", "first_aisle": 1, "last_aisle": 3},
        {"name": "B", "first_aisle": 4, "last_aisle": 6},
    ],
}


def with_change(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one key set (dotted path; list indexes as numbers); value None deletes it."""
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is None:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


def test_demo_warehouse_has_2400_locations_in_four_zones() -> None:
    layout = load_layout(DEMO)
    specs = list(layout.iter_locations())
    assert len(specs) == 2400
    assert layout.blocks == 2
    assert [z.name for z in layout.zones] == ["A", "B", "C", "D"]
    assert {s.zone for s in specs} == {"A", "B", "C", "D"}
    assert sum(s.kind == "pick_face" for s in specs) == 1600
    assert {s.level for s in specs if s.kind == "reserve"} == {3}
    assert len({s.code for s in specs}) == 2400


def test_test_layouts_load() -> None:
    assert load_layout(TEST_LAYOUTS / "one_block.toml").blocks == 1
    assert load_layout(TEST_LAYOUTS / "three_blocks.toml").blocks == 3


def test_geometry_follows_the_design() -> None:
    layout = load_layout(DEMO)
    # Aisle 5 at x = 4 * 4.0; bay 17 centred at (17 - 0.5) * 1.5.
    assert layout.position("05-017-2") == (16.0, 24.75)
    assert layout.position(LocationCode(1, 1, 1)) == (0.0, 0.75)
    assert layout.depot == (0.0, 0.0)
    spec = next(s for s in layout.iter_locations() if s.code == "20-040-3")
    assert (spec.aisle, spec.bay, spec.level, spec.zone, spec.kind) == (20, 40, 3, "D", "reserve")
    assert (spec.x, spec.y) == (76.0, 59.25)


def test_depot_stands_in_front_of_its_aisle() -> None:
    assert parse_layout(GOOD).depot == (4.0, 0.0)


def test_zone_of() -> None:
    layout = parse_layout(GOOD)
    assert layout.zone_of(3) == Zone("A", 1, 3)
    assert layout.zone_of(4).name == "B"
    with pytest.raises(LayoutError, match="aisle 7 is outside the layout"):
        layout.zone_of(7)


def test_aisles_outside_every_zone_have_none() -> None:
    layout = parse_layout(with_change("zones", [{"name": "A", "first_aisle": 2, "last_aisle": 3}]))
    with pytest.raises(LayoutError, match="aisle 1 is in no zone"):
        layout.zone_of(1)
    assert {s.zone for s in layout.iter_locations() if s.aisle == 1} == {None}


def test_levels_and_zones_may_be_left_out() -> None:
    data = copy.deepcopy(GOOD)
    del data["layout"]["levels"], data["layout"]["pick_levels"], data["zones"]
    layout = parse_layout(data)
    assert (layout.levels, layout.pick_levels, layout.zones) == (1, (1,), ())
    assert {s.kind for s in layout.iter_locations()} == {"pick_face"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("05-017-2", LocationCode(5, 17, 2)),
        (" 99-999-9\n", LocationCode(99, 999, 9)),
        ("01-001-1", LocationCode(1, 1, 1)),
    ],
)
def test_location_codes_parse_and_format(code: str, expected: LocationCode) -> None:
    parsed = LocationCode.parse(code)
    assert parsed == expected
    assert parsed.format() == code.strip()
    assert str(parsed) == code.strip()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("5-17-2", "bad location code '5-17-2': expected AA-BBB-L"),
        ("05-017-22", "bad location code '05-017-22'"),
        ("05-017", "bad location code '05-017'"),
        ("", "bad location code ''"),
        ("AB-017-2", "bad location code 'AB-017-2'"),
        ("05/017/2", "bad location code '05/017/2'"),
        ("00-017-2", "'00-017-2': aisle, bay and level are numbered from 1"),
        ("05-000-2", "'05-000-2': aisle, bay and level are numbered from 1"),
        ("05-017-0", "'05-017-0': aisle, bay and level are numbered from 1"),
    ],
)
def test_bad_location_codes_are_named(code: str, message: str) -> None:
    with pytest.raises(LocationError) as caught:
        LocationCode.parse(code)
    assert message in str(caught.value)


def test_location_outside_the_layout_is_named() -> None:
    layout = parse_layout(GOOD)
    with pytest.raises(LocationError, match=r"location 07-001-1: aisle 7 is outside the layout"):
        layout.position("07-001-1")
    with pytest.raises(LocationError, match=r"location 01-011-1: bay 11 is outside"):
        layout.position("01-011-1")
    with pytest.raises(LocationError, match=r"location 01-001-4: level 4 is outside"):
        layout.location(LocationCode(1, 1, 4))


@pytest.mark.parametrize(
    ("change", "value", "message"),
    [
        ("layout.aisels", 3, "unknown key layout.aisels"),
        ("depot", {}, "unknown key depot"),
        ("zones.0.colour", "red", "unknown key zones[0].colour"),
        ("layout.aisles", None, "missing key layout.aisles"),
        ("zones.1.last_aisle", None, "missing key zones[1].last_aisle"),
        ("layout", None, "missing [layout] table"),
        ("layout.aisles", 0, "layout.aisles must be a whole number from 1 to 99, got 0"),
        ("layout.aisles", 100, "layout.aisles must be a whole number from 1 to 99"),
        ("layout.aisles", 6.0, "layout.aisles must be a whole number"),
        ("layout.aisles", True, "layout.aisles must be a whole number"),
        ("layout.bays_per_aisle", "40", "layout.bays_per_aisle must be a whole number"),
        ("layout.bay_width", 0, "layout.bay_width must be a positive number of metres, got 0"),
        ("layout.aisle_spacing", -4.0, "layout.aisle_spacing must be a positive number"),
        ("layout.depot_aisle", 7, "layout.depot_aisle must be a whole number from 1 to 6, got 7"),
        ("layout.levels", 10, "layout.levels must be a whole number from 1 to 9"),
        ("layout.cross_aisles_after", [5, 10], "layout.cross_aisles_after must start with 0"),
        ("layout.cross_aisles_after", [0, 5], "and end with bays_per_aisle = 10"),
        ("layout.cross_aisles_after", [0, 5, 5, 10], "must be increasing without repeats"),
        ("layout.cross_aisles_after", [0, 11], "must be a whole number from 0 to 10, got 11"),
        ("layout.cross_aisles_after", "0,10", "layout.cross_aisles_after must be a list"),
        ("layout.cross_aisles_after", [], "layout.cross_aisles_after must be a list"),
        ("layout.pick_levels", [1, 4], "layout.pick_levels must be a whole number from 1 to 3"),
        ("layout.pick_levels", [1, 1], "layout.pick_levels lists a level twice"),
        ("layout.pick_levels", [], "layout.pick_levels must be a non-empty list"),
        ("zones.1.first_aisle", 3, "zones[1] ('B') overlaps zone 'A' at aisle 3"),
        ("zones.1.last_aisle", 7, "zones[1].last_aisle must be a whole number from 4 to 6"),
        ("zones.0.last_aisle", 0, "zones[0].last_aisle must be a whole number from 1 to 6"),
        ("zones.1.name", "A", "zones[1].name 'A' is used by another zone"),
        ("zones.1.name", " ", "zones[1].name must be a non-empty text"),
        ("zones", {"name": "A"}, "zones must be a list of [[zones]] tables"),
    ],
)
def test_bad_layouts_name_the_key(change: str, value: Any, message: str) -> None:
    with pytest.raises(LayoutError) as caught:
        parse_layout(with_change(change, value))
    assert message in str(caught.value)


def test_layout_built_in_code_is_checked_too() -> None:
    with pytest.raises(LayoutError, match=r"layout\.depot_aisle"):
        Layout(5, 10, 1.5, 4.0, (0, 10), depot_aisle=6)


def test_layout_file_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(LayoutError, match=f"layout file not found: {missing}"):
        load_layout(missing)
    broken = tmp_path / "broken.toml"
    broken.write_text("[layout\naisles = 3\n")
    with pytest.raises(LayoutError, match=f"{broken}: not valid TOML"):
        load_layout(broken)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(DEMO.read_text().replace("bay_width", "bay_wdith"))
    with pytest.raises(LayoutError) as caught:
        load_layout(wrong)
    assert str(caught.value).startswith(f"{wrong}: unknown key layout.bay_wdith")
