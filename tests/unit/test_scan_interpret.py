"""interpret(): each kind of label, symbology identifiers, FNC1, and errors in words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from toteflow.domain.scan import (
    GS,
    PRODUCT_KINDS,
    BadgeScan,
    CartScan,
    CartSlotScan,
    DigitalLinkScan,
    Gs1Scan,
    GtinScan,
    LocationScan,
    ScanError,
    ScanKind,
    SkuScan,
    SsccScan,
    ToteScan,
    expect,
    interpret,
    label_name,
    product_gtin,
    scan_fields,
    sscc_of,
)


def error_of(raw: str, **kwargs: str) -> str:
    result = interpret(raw, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, ScanError), result
    return result.reason


def test_location() -> None:
    assert interpret("05-017-2") == LocationScan(
        raw="05-017-2", code="05-017-2", aisle=5, bay=17, level=2
    )


def test_own_codes() -> None:
    assert interpret("T000123") == ToteScan(raw="T000123", code="T000123")
    assert interpret("C0042") == CartScan(raw="C0042", code="C0042")
    assert interpret("C0042-S07") == CartSlotScan(
        raw="C0042-S07", code="C0042-S07", cart="C0042", slot=7
    )
    assert interpret("B00017") == BadgeScan(raw="B00017", code="B00017")
    assert interpret("SKU-BOLT-M8") == SkuScan(raw="SKU-BOLT-M8", code="SKU-BOLT-M8", sku="BOLT-M8")


def test_own_codes_under_a_plain_code128_identifier() -> None:
    result = interpret("]C0T000123")
    assert isinstance(result, ToteScan)
    assert result.symbology == "C0"
    assert result.raw == "]C0T000123"


def test_scanner_suffix_and_spaces_are_trimmed() -> None:
    assert isinstance(interpret("05-017-2\r\n"), LocationScan)
    assert isinstance(interpret("  T000123\t"), ToteScan)


def test_near_misses_are_not_our_codes() -> None:
    for raw in ["5-017-2", "05-017-22", "T12345", "t000123", "05-017-2\nx", "٠٥-٠١٧-٢"]:
        assert isinstance(interpret(raw), ScanError), raw


@pytest.mark.parametrize(
    ("raw", "gtin", "length"),
    [
        ("4006381333931", "04006381333931", 13),
        ("]E04006381333931", "04006381333931", 13),
        ("036000291452", "00036000291452", 12),
        ("]E0036000291452", "00036000291452", 12),
        ("]E496385074", "00000096385074", 8),
        ("96385074", "00000096385074", 8),
        ("]I104012345678901", "04012345678901", 14),
        ("04012345678901", "04012345678901", 14),
        # EAN-13 with a 2-digit and a 5-digit add-on: the add-on is not part of the GTIN.
        ("]E3400638133393112", "04006381333931", 13),
        ("]E3400638133393112345", "04006381333931", 13),
        # UPC-E under ]E0 is expanded to its UPC-A.
        ("]E0042100005264", "00042100005264", 12),
        ("]E004252614", "00042100005264", 12),
    ],
)
def test_product_barcodes(raw: str, gtin: str, length: int) -> None:
    result = interpret(raw)
    assert isinstance(result, GtinScan), result
    assert (result.gtin, result.length) == (gtin, length)
    assert product_gtin(result) == gtin


def test_check_digit_error_says_what_was_expected() -> None:
    assert error_of("4006381333932") == "check digit wrong: expected 1"
    assert error_of("]E04006381333937") == "check digit wrong: expected 1"
    assert error_of("]E496385077") == "check digit wrong: expected 4"


def test_eight_digits_resolved_by_symbology() -> None:
    # "96385074" is a valid GTIN-8 and also AI 96 (company internal) + "385074".
    as_ean = interpret("]E496385074")
    assert isinstance(as_ean, GtinScan)
    as_gs1 = interpret("]C196385074")
    assert isinstance(as_gs1, Gs1Scan)
    assert as_gs1.elements == (("96", "385074"),)
    assert as_gs1.gtin is None
    # Without an identifier, a product barcode is far likelier than AI 96.
    assert isinstance(interpret("96385074"), GtinScan)


def test_gs1_128_with_gs_separators() -> None:
    raw = f"]C10104012345678901{GS}10LOT-7{GS}17250200{GS}21SN1{GS}3103001234{GS}3712"
    result = interpret(raw)
    assert isinstance(result, Gs1Scan)
    assert result.gtin == "04012345678901"
    assert result.lot == "LOT-7"
    assert result.expiry == date(2025, 2, 28)  # day 00 is the month's last day
    assert result.serial == "SN1"
    assert result.net_weight_kg == Decimal("1.234")
    assert result.count == 12
    assert result.hri == "(01)04012345678901(10)LOT-7(17)250200(21)SN1(3103)001234(37)12"
    assert product_gtin(result) == "04012345678901"


def test_gs1_datamatrix_and_qr() -> None:
    for symbology in ("d2", "Q3", "e0"):
        result = interpret(f"]{symbology}01040123456789011726123110ABC")
        assert isinstance(result, Gs1Scan), (symbology, result)
        assert result.expiry == date(2026, 12, 31)


def test_fnc1_as_configured_replacement_character() -> None:
    raw = "]C10104012345678901~10LOT7~21SN"
    result = interpret(raw, fnc1_replacement="~")
    assert isinstance(result, Gs1Scan)
    assert (result.lot, result.serial) == ("LOT7", "SN")
    # Without the setting "~" is data and the lot swallows the rest.
    plain = interpret(raw)
    assert isinstance(plain, ScanError) or plain.serial is None  # type: ignore[union-attr]


def test_leading_fnc1_without_identifier() -> None:
    result = interpret(f"{GS}0104012345678901{GS}10LOT7")
    assert isinstance(result, Gs1Scan)
    assert result.lot == "LOT7"


def test_gs1_without_identifier_or_separator() -> None:
    result = interpret("010401234567890117250231")
    assert isinstance(result, ScanError)
    assert result.reason == "date in (17) is not a real date"
    ok = interpret("010401234567890110ABC")
    assert isinstance(ok, Gs1Scan)
    assert ok.lot == "ABC"


def test_sscc() -> None:
    label = interpret("]C100106141411234567897")
    assert isinstance(label, Gs1Scan)
    assert label.sscc == "106141411234567897"
    assert sscc_of(label) == "106141411234567897"
    assert label_name(label) == "shipping label"
    bare = interpret("106141411234567897")
    assert bare == SsccScan(raw="106141411234567897", sscc="106141411234567897")
    assert sscc_of(bare) == "106141411234567897"
    assert error_of("]C100106141411234567890") == "check digit wrong in SSCC (00): expected 7"
    assert error_of("106141411234567890") == "check digit wrong: expected 7"


def test_gs1_element_errors() -> None:
    assert error_of("]C10104012345678902") == "check digit wrong in GTIN (01): expected 1"
    assert error_of("]C10104012345678901" + "17250231") == "date in (17) is not a real date"
    assert error_of("]C1ABC") == "not a GS1 code we know"
    assert error_of("]C130") == "GS1 field (30) is empty"
    assert error_of(f"]C110{GS}0104012345678901").startswith("GS1 field (10) has the wrong")
    assert error_of("]C10104012345") == "GS1 field (01) has the wrong length or characters"


def test_a_field_longer_than_the_gs1_table_allows_is_an_error() -> None:
    # A variable-length field ends at a separator or at the end: 4,998 digits after (99) are
    # one field of 4,998 characters, not fifty-five (99) fields of 90.
    too_long = "GS1 field (99) is longer than the 90 characters GS1 allows"
    assert error_of("]C199" + "9" * 4998) == too_long
    assert error_of(GS + "99" + "9" * 4998) == too_long
    assert error_of("]C1" + "9" * 5000) == too_long
    assert error_of("]C121" + "S" * 20 + "991") == (
        "GS1 field (21) is longer than the 20 characters GS1 allows"
    )
    assert error_of("]C10104012345678901" + "10" + "L" * 20 + "17261231") == (
        "GS1 field (10) is longer than the 20 characters GS1 allows"
    )
    # At its maximum and then ended, a field is fine; so are fixed-length ones back to back.
    fits = interpret("]C199" + "9" * 90)
    assert isinstance(fits, Gs1Scan)
    assert fits.elements == (("99", "9" * 90),)
    ended = interpret("]C121" + "S" * 20 + GS + "991")
    assert isinstance(ended, Gs1Scan)
    assert ended.elements == (("21", "S" * 20), ("99", "1"))
    chained = interpret("]C1010401234567890117261231" + "10" + "L" * 20)
    assert isinstance(chained, Gs1Scan)
    assert chained.lot == "L" * 20


def test_digital_link() -> None:
    uri = "https://id.gs1.org/01/04012345678901/10/LOT7?17=261231"
    for raw in (uri, "]Q1" + uri, "]Q3" + uri, "]d2" + uri):
        result = interpret(raw)
        assert isinstance(result, DigitalLinkScan), raw
        assert result.uri == uri
        assert (result.gtin, result.lot, result.expiry) == (
            "04012345678901",
            "LOT7",
            date(2026, 12, 31),
        )
    assert error_of("https://example.com/shop/item").startswith("not a GS1 product link")


def test_hri_typed_by_hand() -> None:
    result = interpret("(01)04012345678901(10)LOT7")
    assert isinstance(result, Gs1Scan)
    assert result.lot == "LOT7"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty scan"),
        ("\r\n", "empty scan"),
        ("]C1", "empty scan"),
        ("]", "unreadable barcode"),
        ("]]", "unreadable barcode"),
        ("]E0ABC", "unreadable product barcode"),
        ("]E1", "empty scan"),
        ("]E112", "scanned the small add-on code: scan the main barcode"),
        ("hello", "unknown barcode"),
        ("12345", "unknown barcode"),
        ("]E400000000", "not a product barcode: all zeros"),
    ],
)
def test_errors_in_words(raw: str, reason: str) -> None:
    assert error_of(raw) == reason


def test_expect() -> None:
    tote = interpret("T000001")
    assert expect(tote, ScanKind.TOTE) is tote
    wrong = expect(tote, ScanKind.LOCATION)
    assert isinstance(wrong, ScanError)
    assert wrong.reason == "not a location label (that was a tote label)"
    location = expect(interpret("05-017-2"), *PRODUCT_KINDS)
    assert isinstance(location, ScanError)
    assert location.reason == "not a product barcode (that was a location label)"
    # An error passes through unchanged: the first reason is the useful one.
    bad = interpret("4006381333932")
    assert expect(bad, ScanKind.LOCATION) is bad
    # Different product barcodes are all "a product barcode": no "(that was ...)".
    sku = expect(interpret("SKU-X1"), ScanKind.GTIN)
    assert isinstance(sku, ScanError)
    assert sku.reason == "not a product barcode"


def test_scan_fields_are_json_ready() -> None:
    fields = scan_fields(interpret(f"]C10104012345678901{GS}3102000150{GS}17261231"))
    assert fields["expiry"] == "2026-12-31"
    assert fields["net_weight_kg"] == "1.50"
    assert fields["elements"] == [["01", "04012345678901"], ["3102", "000150"], ["17", "261231"]]
    assert "raw" not in fields
    assert scan_fields(interpret("nope")) == {"reason": "unknown barcode", "detail": None}


def test_results_are_frozen() -> None:
    result = interpret("T000001")
    with pytest.raises(AttributeError):
        result.code = "T000002"  # type: ignore[misc,union-attr]
