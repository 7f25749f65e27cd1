"""Tracking numbers: each carrier's shape and check digit, deterministic and unique per key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toteflow.domain.tracking import FORMATS, make_tracking, ups_check_digit, valid_tracking


def test_ups_check_digit_matches_a_published_example() -> None:
    # 1Z999AA10123456784 is the test number UPS documents; its check digit is 4.
    assert ups_check_digit("999AA1012345678") == 4
    assert valid_tracking("ups", "1Z999AA10123456784")
    assert not valid_tracking("ups", "1Z999AA10123456785")


@given(key=st.integers(0, 10**7), fmt=st.sampled_from(FORMATS))
def test_every_number_made_is_valid_and_the_same_each_time(key: int, fmt: str) -> None:
    number = make_tracking(fmt, key, account="T0F10W")
    assert valid_tracking(fmt, number)
    assert make_tracking(fmt, key, account="T0F10W") == number


@pytest.mark.parametrize("fmt", FORMATS)
def test_neighbouring_keys_get_distinct_numbers(fmt: str) -> None:
    numbers = {make_tracking(fmt, key) for key in range(5000)}
    assert len(numbers) == 5000


def test_unknown_formats_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown tracking format"):
        make_tracking("pigeon", 1)
