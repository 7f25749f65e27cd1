"""MT-SICS and NCI reply parsing, unit conversion and reading texts: pure functions, no ports."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toteflow.domain.scale import (
    ScaleReading,
    ScaleState,
    parse_mt_sics,
    parse_nci,
    to_kg,
)
from toteflow.station.devices.scale.reader import parse_framing

W = ScaleState.WEIGHT


@pytest.mark.parametrize(
    ("reply", "state", "kg", "stable"),
    [
        ("S S      1.234 kg\r\n", W, "1.234", True),
        ("S D      1.234 kg", W, "1.234", False),
        ("S S     -0.012 kg", W, "-0.012", True),
        ("S S    -  0.012 kg", W, "-0.012", True),
        ("S S    100.00 g", W, "0.1", True),
        ("S S       2.5 lb", W, "1.133980925", True),
        ("S +", ScaleState.OVERLOAD, None, False),
        ("S -", ScaleState.UNDERLOAD, None, False),
        ("S I", ScaleState.ERROR, None, False),
        ("ES", ScaleState.ERROR, None, False),
        ("ET", ScaleState.ERROR, None, False),
        ("EL", ScaleState.ERROR, None, False),
        ("S S 12 PCS", ScaleState.ERROR, None, False),
        ("", ScaleState.ERROR, None, False),
        ("\x00\xff", ScaleState.ERROR, None, False),
    ],
)
def test_mt_sics(reply: str, state: ScaleState, kg: str | None, stable: bool) -> None:
    reading = parse_mt_sics(reply)
    assert reading.state is state
    assert reading.kg == (None if kg is None else Decimal(kg))
    assert reading.stable is stable
    if state is not W:
        assert reading.message


def test_mt_sics_error_messages_say_what_to_do() -> None:
    assert "baud rate" in parse_mt_sics("ET").message
    assert parse_mt_sics("S I").message == "scale busy, cannot weigh now"


@pytest.mark.parametrize(
    ("reply", "state", "kg", "stable"),
    [
        (b"\n0001.25lb\r\n00\r\x03", W, "0.5669904625", True),
        (b"\n  1.234kg\r\n00\r\x03", W, "1.234", True),
        (b"\n  1.234kg\r\n10\r\x03", W, "1.234", False),  # byte 1 bit 0: in motion
        (b"\n  0.000kg\r\n20\r\x03", W, "0", True),  # bit 1: at zero, still a weight
        (b"\n 1500g \r\n00\r\x03", W, "1.5", True),
        (b"\n-0.50kg\r\n00\r\x03", W, "-0.5", True),
        (b"\n02\r\x03", ScaleState.OVERLOAD, None, False),
        (b"\n  9.999kg\r\n02\r\x03", ScaleState.OVERLOAD, None, False),
        (b"\n01\r\x03", ScaleState.UNDERLOAD, None, False),
        (b"\n?\r\x03", ScaleState.ERROR, None, False),
        (b"\n1.0kg\r\n40\r\x03", ScaleState.ERROR, None, False),  # RAM error
        (b"\n1.0kg\r\n04\r\x03", ScaleState.ERROR, None, False),  # ROM error
        (b"\n1.0kg\r\n0p8\r\x03", ScaleState.ERROR, None, False),  # initial zero error
        (b"\n1.0kg\r\n0p0\r\x03", W, "1.0", True),  # third status byte, all clear
        (b"\n10\r\x03", ScaleState.ERROR, None, False),  # moving and no weight
        (b"\x03", ScaleState.ERROR, None, False),
        (b"\n1.0kg\r\x03", ScaleState.ERROR, None, False),  # no status bytes
    ],
)
def test_nci(reply: bytes, state: ScaleState, kg: str | None, stable: bool) -> None:
    reading = parse_nci(reply)
    assert reading.state is state, reading
    assert reading.kg == (None if kg is None else Decimal(kg))
    assert reading.stable is stable


def test_nci_seven_bit_parity_is_ignored() -> None:
    # A 7E1 scale read on an 8N1 port: the parity bit shows up as bit 7.
    with_parity = bytes(byte | 0x80 for byte in b"\n  2.000kg\r\n00\r\x03")
    assert parse_nci(with_parity) == ScaleReading.weight(Decimal("2.000"), stable=True)
    assert parse_nci("\n  2.000kg\r\n00\r\x03").kg == Decimal("2.000")


@given(st.binary(max_size=40))
def test_nci_never_raises(reply: bytes) -> None:
    assert isinstance(parse_nci(reply), ScaleReading)


@given(st.text(max_size=40))
def test_mt_sics_never_raises(reply: str) -> None:
    assert isinstance(parse_mt_sics(reply), ScaleReading)


def test_units() -> None:
    assert to_kg(Decimal("1"), "kg") == Decimal(1)
    assert to_kg(Decimal("1"), " KG ") == Decimal(1)
    assert to_kg(Decimal("250"), "g") == Decimal("0.250")
    assert to_kg(Decimal("16"), "oz") == Decimal("0.453592370000")
    assert to_kg(Decimal("1"), "PCS") is None


def test_reading_texts() -> None:
    assert ScaleReading.weight(Decimal("1.234"), stable=True).text == "1.234 kg"
    assert ScaleReading.weight(Decimal("1.234"), stable=False).text == "1.234 kg (moving)"
    assert ScaleReading.offline("no answer").text == "scale offline: no answer"
    assert ScaleReading.overload().text.startswith("scale overload: ")
    assert not ScaleReading.weight(Decimal(1), stable=False).usable
    assert not ScaleReading.offline("x").usable


@pytest.mark.parametrize(
    ("framing", "parts"),
    [
        ("8N1", (8, "N", 1.0)),
        ("7e1", (7, "E", 1.0)),
        ("8O1.5", (8, "O", 1.5)),
        ("5S2", (5, "S", 2.0)),
    ],
)
def test_framing(framing: str, parts: tuple[int, str, float]) -> None:
    assert parse_framing(framing) == parts


def test_bad_framing() -> None:
    with pytest.raises(ValueError, match="8N1"):
        parse_framing("8N3")
