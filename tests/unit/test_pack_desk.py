"""The pack desk's typed weights: kilograms as the packer types them, or a clear no."""

from __future__ import annotations

import pytest

from toteflow.station.services.pack_desk import parse_kg


@pytest.mark.parametrize(
    ("typed", "grams"),
    [("1.25", 1250), (" 0,5 ", 500), ("3", 3000), ("12.3456", 12346)],
)
def test_typed_kilograms_become_grams(typed: str, grams: int) -> None:
    assert parse_kg(typed) == grams


@pytest.mark.parametrize("typed", ["", "abc", "-1", "0", "nan", "inf", "1e9", "1.2.3", "0.0004"])
def test_anything_else_is_not_a_weight(typed: str) -> None:
    assert parse_kg(typed) is None
