"""The layout file's optional [storage] table: defaults, overrides by level and aisle, errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.unit.test_layout import DEMO, GOOD
from toteflow.domain.layout import LayoutError, parse_layout
from toteflow.domain.layout_storage import StorageSpec
from toteflow.shared.layout_file import load_layout


def with_storage(storage: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data["storage"] = storage
    return data


def specs(data: dict[str, Any]) -> dict[str, StorageSpec]:
    return {s.code: s.storage for s in parse_layout(data).iter_locations()}


def test_a_layout_without_storage_gets_the_pallet_defaults() -> None:
    assert set(specs(GOOD).values()) == {StorageSpec()}


def test_overrides_by_level_then_aisle_and_velocity_by_bay() -> None:
    found = specs(
        with_storage(
            {
                "max_weight_kg": 500,
                "velocity_a_bays": 2,
                "velocity_b_bays": 5,
                "levels": [{"level": 3, "height_mm": 2000, "mixing": "empty_only"}],
                "aisles": [{"first_aisle": 5, "last_aisle": 6, "storage_class": "Chilled"}],
            }
        )
    )
    assert found["01-001-1"] == StorageSpec(max_weight_g=500_000, velocity_zone="A")
    assert found["01-004-3"].height_mm == 2000
    assert found["01-004-3"].mixing == "empty_only"
    assert found["01-004-3"].velocity_zone == "B"
    assert found["06-010-3"].storage_class == "chilled"
    assert found["06-010-3"].mixing == "empty_only"
    assert found["06-010-3"].velocity_zone == "C"


@pytest.mark.parametrize(
    ("storage", "words"),
    [
        ({"mixing": "any"}, "storage.mixing must be one of"),
        ({"length_mm": 0}, "storage.length_mm must be a whole number"),
        ({"colour": "red"}, "unknown key storage.colour"),
        ({"levels": [{"height_mm": 10}]}, "storage.levels[0] must name level"),
        ({"levels": [{"level": 4}]}, "storage.levels[0].level must be a whole number from 1 to 3"),
        ({"velocity_a_bays": 5, "velocity_b_bays": 2}, "storage.velocity_b_bays"),
        ({"max_weight_kg": True}, "storage.max_weight_kg"),
        ("big", "storage must be a table"),
    ],
)
def test_a_bad_storage_key_is_named(storage: Any, words: str) -> None:
    with pytest.raises(LayoutError, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_layout(with_storage(storage))


def test_the_demo_layout_has_a_one_pallet_reserve_level() -> None:
    demo = {s.code: s.storage for s in load_layout(DEMO).iter_locations()}
    assert demo["05-017-3"].mixing == "empty_only"
    assert demo["05-017-1"].mixing == "same_sku"
    assert demo["05-005-1"].velocity_zone == "A"
