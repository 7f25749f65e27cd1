"""Counted words and summed minutes read right: '1 line', '3 lines', parts adding up."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from toteflow.contracts.waves import WavePreview
from toteflow.domain.words import minutes_sum, plural
from toteflow.station.tui.screens.supervisor_preview import preview_words


def test_one_and_many() -> None:
    assert plural(1, "line") == "1 line"
    assert plural(0, "line") == "0 lines"
    assert plural(3, "stop") == "3 stops"
    assert plural(2, "box") == "2 boxes"
    assert plural(2, "person") == "2 people"
    assert plural(2, "tote", "totes on the cart") == "2 totes on the cart"


def test_rounded_minutes_add_up() -> None:
    # 33.4 + 14.45 = 47.85: shown as 33 + 15 = 48, never 33 + 14 = 48.
    parts, total = minutes_sum(33.4 * 60, 14.45 * 60)
    assert (parts, total) == (["33 min", "15 min"], "48 min")
    assert minutes_sum(20, 30) == (["20 s", "30 s"], "50 s")


@given(st.lists(st.floats(min_value=0, max_value=36_000), min_size=1, max_size=4))
def test_the_parts_always_add_up_to_the_total(seconds: list[float]) -> None:
    parts, total = minutes_sum(*seconds)
    unit = total.split()[1]
    assert all(p.endswith(unit) for p in parts)
    assert sum(int(p.split()[0]) for p in parts) == int(total.split()[0])
    assert abs(int(total.split()[0]) - sum(seconds) / (60 if unit == "min" else 1)) <= 0.5


def test_the_wave_preview_says_minutes_that_add_up() -> None:
    walking, picking = 33.4 * 60, 14.45 * 60
    preview = WavePreview(
        orders=3,
        lines=5,
        units=9,
        zones=[],
        shortages=[],
        short_units=0,
        orders_left=[],
        orders_cancelled=[],
        tasks=1,
        carts=1,
        totes=3,
        distance_m=1200,
        walking_seconds=walking,
        picking_seconds=picking,
        pick_seconds=walking + picking,
        cutoff_at=None,
        shortage_policy="partial",
    )
    assert "33 min walking + 15 min picking = 48 min" in preview_words(preview)
