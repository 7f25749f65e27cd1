"""Site code formats: a site's own label layouts; formats refused before they print bad labels."""

from __future__ import annotations

import pytest

from toteflow.domain.scan import (
    DEFAULT_FORMATS,
    CodeFormatError,
    CodeFormats,
    LocationScan,
    ScanError,
    SkuScan,
    ToteScan,
    interpret,
)


def test_defaults_print_the_documented_codes() -> None:
    assert DEFAULT_FORMATS.format_location(5, 17, 2) == "05-017-2"
    assert DEFAULT_FORMATS.format_tote(123) == "T000123"
    assert DEFAULT_FORMATS.format_cart(42) == "C0042"
    assert DEFAULT_FORMATS.format_cart_slot("C0042", 7) == "C0042-S07"
    assert DEFAULT_FORMATS.format_badge(17) == "B00017"
    assert DEFAULT_FORMATS.format_sku_barcode("BOLT-M8") == "SKU-BOLT-M8"


@pytest.mark.parametrize(
    "printing",
    [
        lambda: DEFAULT_FORMATS.format_location(100, 1, 1),
        lambda: DEFAULT_FORMATS.format_location(-1, 1, 1),
        lambda: DEFAULT_FORMATS.format_tote(1_000_000),
        lambda: DEFAULT_FORMATS.format_cart_slot("X1", 1),
        lambda: DEFAULT_FORMATS.format_sku_barcode("lower"),
    ],
)
def test_refuses_to_print_what_would_not_scan_back(printing: object) -> None:
    with pytest.raises(ValueError, match="does not match"):
        printing()  # type: ignore[operator]


def test_a_site_with_its_own_location_labels() -> None:
    # e.g. "A05.17.B": aisle, bay, then a lettered level.
    formats = CodeFormats.create(
        location=r"^A(?P<aisle>\d{2})\.(?P<bay>\d{2})\.L(?P<level>\d)$",
        location_template="A{aisle:02d}.{bay:02d}.L{level}",
        tote=r"^TOTE\d{4}$",
        tote_template="TOTE{number:04d}",
    )
    code = formats.format_location(5, 17, 3)
    assert code == "A05.17.L3"
    assert interpret(code, formats) == LocationScan(raw=code, code=code, aisle=5, bay=17, level=3)
    assert interpret("TOTE0001", formats) == ToteScan(raw="TOTE0001", code="TOTE0001")
    # The default layout no longer reads as a location at this site.
    assert isinstance(interpret("05-017-2", formats), ScanError)


def test_sku_without_a_named_group_uses_the_whole_code() -> None:
    formats = CodeFormats.create(sku=r"^X[0-9]{5}$", sku_template="X{sku}")
    assert interpret("X12345", formats) == SkuScan(raw="X12345", code="X12345", sku="X12345")


@pytest.mark.parametrize(
    ("kwargs", "key", "words"),
    [
        ({"location": "(("}, "location", "not a valid regular expression"),
        ({"location": r"^\d+$"}, "location", "needs named groups aisle, bay, level"),
        ({"cart_slot": r"^(?P<cart>C\d{4})-S\d{2}$"}, "cart_slot", "needs named groups slot"),
        ({"badge": r"^B?$"}, "badge", "matches empty text"),
        ({"tote_template": "T{n:06d}"}, "tote_template", "unknown field n"),
        ({"tote_template": "T{number"}, "tote_template", "not a valid template"),
        ({"tote": r"^TT\d{6}$"}, "tote_template", "cannot print a sample code"),
        # A tote format that also matches locations: printed locations would read as
        # totes? No - locations are tried first, so the tote sample is what breaks.
        (
            {"tote": r"^\d{2}-\d{3}-\d$", "tote_template": "{number:02d}-001-1"},
            "tote_template",
            "reads back as location label",
        ),
        # A badge format equal to the tote format: badges would read back as totes.
        ({"badge": r"^T\d{6}$", "badge_template": "T{number:06d}"}, "badge_template", "tote label"),
    ],
)
def test_unusable_formats_name_the_key(kwargs: dict[str, str], key: str, words: str) -> None:
    with pytest.raises(CodeFormatError, match=words) as caught:
        CodeFormats.create(**kwargs)
    assert caught.value.key == key
    assert str(caught.value).startswith(f"{key}: ")


def test_formats_use_ascii_digits_only() -> None:
    assert isinstance(interpret("٠٥-٠١٧-٢"), ScanError)
    assert isinstance(interpret("Ｔ000001"), ScanError)
