"""GS1 check digits: known codes, every single-digit error caught, generated codes valid."""

from __future__ import annotations

import pytest
from biip.checksums import gs1_standard_check_digit
from hypothesis import given
from hypothesis import strategies as st

from toteflow.domain.gs1 import (
    gs1_check_digit,
    gtin14,
    has_valid_check_digit,
    make_gtin,
    make_sscc,
    with_check_digit,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=30)


@pytest.mark.parametrize(
    ("payload", "check"),
    [
        ("400638133393", 1),  # EAN-13 4006381333931
        ("9501234", 6),  # GTIN-8 from the GS1 General Specifications
        ("950110153100", 0),  # GTIN-13, same source
        ("03600029145", 2),  # UPC-A 036000291452
        ("0401234567890", 1),  # GTIN-14 04012345678901
        ("10614141123456789", 7),  # SSCC (00)106141411234567897, GS1 logistic label guide
    ],
)
def test_known_check_digits(payload: str, check: int) -> None:
    assert gs1_check_digit(payload) == check
    assert has_valid_check_digit(f"{payload}{check}")
    assert not has_valid_check_digit(f"{payload}{(check + 1) % 10}")


@given(digits)
def test_agrees_with_biip(payload: str) -> None:
    assert gs1_check_digit(payload) == gs1_standard_check_digit(payload)


@given(digits, st.data())
def test_every_single_digit_error_is_caught(payload: str, data: st.DataObject) -> None:
    code = with_check_digit(payload)
    position = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    assert not has_valid_check_digit(code[:position] + wrong + code[position + 1 :])


@pytest.mark.parametrize("bad", ["", "12a4", "１２３", "²3", "-123"])
def test_rejects_non_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="digits"):
        gs1_check_digit(bad)
    assert not has_valid_check_digit(bad)


def test_gtin14_pads_and_checks() -> None:
    assert gtin14("96385074") == "00000096385074"
    assert gtin14("4006381333931") == "04006381333931"
    with pytest.raises(ValueError, match="GTIN"):
        gtin14("4006381333932")
    with pytest.raises(ValueError, match="GTIN"):
        gtin14("123456789")


@given(
    st.sampled_from([7, 11, 12, 13]).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)
    )
)
def test_make_gtin(payload: str) -> None:
    gtin = make_gtin(payload)
    assert gtin.startswith(payload)
    assert has_valid_check_digit(gtin)
    assert len(gtin14(gtin)) == 14


def test_make_gtin_rejects_wrong_length() -> None:
    with pytest.raises(ValueError, match="payload"):
        make_gtin("123")


@given(
    st.integers(0, 9),
    st.integers(4, 12).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
    st.data(),
)
def test_make_sscc(extension: int, prefix: str, data: st.DataObject) -> None:
    serial = data.draw(st.integers(0, 10 ** (16 - len(prefix)) - 1))
    sscc = make_sscc(extension, prefix, serial)
    assert len(sscc) == 18
    assert sscc.startswith(f"{extension}{prefix}")
    assert has_valid_check_digit(sscc)


def test_make_sscc_limits() -> None:
    assert make_sscc(0, "0614141", 123456789) == "006141411234567890"
    with pytest.raises(ValueError, match="extension"):
        make_sscc(10, "0614141", 1)
    with pytest.raises(ValueError, match="company prefix"):
        make_sscc(0, "061", 1)
    with pytest.raises(ValueError, match="serial reference"):
        make_sscc(0, "0614141", 10**9)
