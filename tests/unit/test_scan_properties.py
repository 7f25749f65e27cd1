"""Properties: interpret() never raises, and every code we print reads back as what we printed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from toteflow.domain.gs1 import make_gtin, make_sscc, with_check_digit
from toteflow.domain.scan import (
    DEFAULT_FORMATS,
    GS,
    BadgeScan,
    CartScan,
    CartSlotScan,
    Gs1Scan,
    GtinScan,
    LocationScan,
    ScanError,
    SkuScan,
    SsccScan,
    ToteScan,
    interpret,
)

SYMBOLOGIES = ["", "]C1", "]C0", "]E0", "]E3", "]E4", "]I1", "]d2", "]Q3", "]Q1", "]e0", "]E1", "]"]
# Characters that steer the parser: digits, AIM flag, separators, URL and HRI syntax.
ALPHABET = "0123456789]CEdQIe1234" + GS + "~|/:.?=()-TSBKUhtps \r\n"

scan_like = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(SYMBOLOGIES),
    st.text(alphabet=ALPHABET, max_size=60),
)


def assert_well_formed(raw: str, fnc1: str | None = None) -> None:
    result = interpret(raw, fnc1_replacement=fnc1)
    assert result.raw == raw
    if isinstance(result, ScanError):
        assert result.reason
        # The catch-all in interpret() is a safety net, not a code path: reaching it is a bug.
        assert not (result.detail or "").startswith("internal error"), result


@given(st.text())
@example("]")
@example("]Y9")
@example("]C1" + GS * 3)
@example("http://[")
@example("https://id.gs1.org/01/")
@example("(01)")
@example("00000000000000000000")
@example("30")
@example("]C10104012345678901\x1d10")
def test_never_raises_on_any_text(raw: str) -> None:
    assert_well_formed(raw)


@settings(max_examples=500)
@given(scan_like, st.sampled_from([None, "~", "|", GS]))
def test_never_raises_on_scan_like_text(raw: str, fnc1: str | None) -> None:
    assert_well_formed(raw, fnc1)


@given(st.binary(max_size=80))
def test_never_raises_on_any_bytes_decoded_leniently(data: bytes) -> None:
    assert_well_formed(data.decode("utf-8", errors="replace"))
    assert_well_formed(data.decode("latin-1"))


@given(st.integers(0, 99), st.integers(0, 999), st.integers(0, 9))
def test_location_round_trip(aisle: int, bay: int, level: int) -> None:
    code = DEFAULT_FORMATS.format_location(aisle, bay, level)
    assert interpret(code) == LocationScan(raw=code, code=code, aisle=aisle, bay=bay, level=level)


@given(st.integers(0, 999_999))
def test_tote_round_trip(number: int) -> None:
    code = DEFAULT_FORMATS.format_tote(number)
    assert interpret(code) == ToteScan(raw=code, code=code)


@given(st.integers(0, 9999), st.integers(0, 99))
def test_cart_and_slot_round_trip(number: int, slot: int) -> None:
    cart = DEFAULT_FORMATS.format_cart(number)
    assert interpret(cart) == CartScan(raw=cart, code=cart)
    code = DEFAULT_FORMATS.format_cart_slot(cart, slot)
    assert interpret(code) == CartSlotScan(raw=code, code=code, cart=cart, slot=slot)


@given(st.integers(0, 99_999))
def test_badge_round_trip(number: int) -> None:
    code = DEFAULT_FORMATS.format_badge(number)
    assert interpret(code) == BadgeScan(raw=code, code=code)


@given(st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,20}", fullmatch=True))
def test_sku_round_trip(sku: str) -> None:
    code = DEFAULT_FORMATS.format_sku_barcode(sku)
    assert interpret(code) == SkuScan(raw=code, code=code, sku=sku)


gtin_payloads = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)
)


# Which AIM identifier a scanner puts before each GTIN length (ISO/IEC 15424).
SYMBOLOGY_FOR_LENGTH = {8: ["", "]E4"], 12: ["", "]E0"], 13: ["", "]E0"], 14: ["", "]I1"]}


@given(gtin_payloads, st.data())
def test_gtin_round_trip(payload: str, data: st.DataObject) -> None:
    gtin = make_gtin(payload)
    symbology = data.draw(st.sampled_from(SYMBOLOGY_FOR_LENGTH[len(gtin)]))
    result = interpret(symbology + gtin)
    if gtin.strip("0") == "":
        assert isinstance(result, ScanError)
        return
    assert isinstance(result, GtinScan), result
    assert result.gtin == gtin.zfill(14)
    assert result.length == len(gtin)


@given(gtin_payloads, st.integers(1, 9))
def test_wrong_gtin_check_digit_names_the_right_one(payload: str, shift: int) -> None:
    gtin = make_gtin(payload)
    wrong = gtin[:-1] + str((int(gtin[-1]) + shift) % 10)
    result = interpret(wrong)
    assert isinstance(result, ScanError)
    assert result.reason == f"check digit wrong: expected {gtin[-1]}"


@given(
    st.integers(0, 9),
    st.text("0123456789", min_size=7, max_size=7),
    st.integers(0, 10**9 - 1),
)
def test_sscc_round_trip(extension: int, prefix: str, serial: int) -> None:
    sscc = make_sscc(extension, prefix, serial)
    assert interpret(sscc) == SsccScan(raw=sscc, sscc=sscc)
    label = interpret("]C100" + sscc)
    assert isinstance(label, Gs1Scan)
    assert label.sscc == sscc


lots = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=20)


@given(
    st.text("0123456789", min_size=13, max_size=13),
    lots,
    st.dates(min_value=date(2000, 1, 1), max_value=date(2049, 12, 31)),
    st.integers(0, 999_999),
    st.sampled_from([GS, "~"]),
)
def test_gs1_element_string_round_trip(
    payload: str, lot: str, expiry: date, grams: int, separator: str
) -> None:
    gtin = with_check_digit(payload)
    raw = f"]C101{gtin}17{expiry:%y%m%d}3103{grams:06d}10{lot}{separator}21{lot}"
    result = interpret(raw, fnc1_replacement="~")
    assert isinstance(result, Gs1Scan), result
    assert (result.gtin, result.lot, result.serial) == (gtin, lot, lot)
    assert result.expiry == expiry
    assert result.net_weight_kg == Decimal(grams) / 1000
