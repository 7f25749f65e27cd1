"""[scanner], [scale] and [codes] settings: defaults, validation, CodeFormats from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from toteflow.config import CodesSettings, ConfigError, load_settings
from toteflow.domain.scan import DEFAULT_PATTERNS, DEFAULT_TEMPLATES, LocationScan, interpret
from toteflow.shared.codes import build_code_formats


def test_shipped_defaults_match_the_domain_defaults() -> None:
    settings = load_settings(environ={})
    assert settings.codes == CodesSettings()
    assert settings.codes.model_dump() == {**DEFAULT_PATTERNS, **DEFAULT_TEMPLATES}
    assert settings.scanner.device == ""
    assert settings.scanner.suffix == "CR"
    assert settings.scale.protocol == "none"


def test_environment_overrides() -> None:
    settings = load_settings(
        environ={
            "TOTEFLOW_SCANNER_DEVICE": "/dev/ttyACM0",
            "TOTEFLOW_SCANNER_SUFFIX": "crlf",
            "TOTEFLOW_SCANNER_PARITY": "e",
            "TOTEFLOW_SCANNER_STOPBITS": "1.5",
            "TOTEFLOW_SCANNER_BYTESIZE": "7",
            "TOTEFLOW_SCALE_PROTOCOL": "nci",
            "TOTEFLOW_SCALE_FRAMING": "7E1",
        }
    )
    assert settings.scanner.device == "/dev/ttyACM0"
    assert (settings.scanner.suffix, settings.scanner.parity) == ("CRLF", "E")
    assert (settings.scanner.bytesize, settings.scanner.stopbits) == (7, 1.5)
    assert (settings.scale.protocol, settings.scale.framing) == ("nci", "7E1")


@pytest.mark.parametrize(
    ("var", "value", "words"),
    [
        ("TOTEFLOW_SCANNER_SUFFIX", "ETX", "[scanner] suffix"),
        ("TOTEFLOW_SCANNER_STOPBITS", "3", "[scanner] stopbits"),
        ("TOTEFLOW_SCANNER_FNC1_REPLACEMENT", "x", "[scanner] fnc1_replacement"),
        ("TOTEFLOW_SCANNER_FNC1_REPLACEMENT", "~~", "[scanner] fnc1_replacement"),
        ("TOTEFLOW_SCALE_PROTOCOL", "dibal", "[scale] protocol"),
        ("TOTEFLOW_SCALE_FRAMING", "9Q1", "[scale] framing"),
        ("TOTEFLOW_CODES_LOCATION", "((", "[codes] location"),
    ],
)
def test_invalid_values_name_the_key(var: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={var: value})
    assert words in str(caught.value)
    assert var in str(caught.value)


def test_site_formats_from_a_config_file(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        "[codes]\n"
        "location = '^(?P<aisle>[0-9]{3})(?P<bay>[0-9]{3})(?P<level>[0-9])$'\n"
        'location_template = "{aisle:03d}{bay:03d}{level}"\n'
    )
    formats = build_code_formats(load_settings(path, environ={}).codes)
    assert formats.format_location(5, 17, 2) == "0050172"
    assert interpret("0050172", formats) == LocationScan(
        raw="0050172", code="0050172", aisle=5, bay=17, level=2
    )


def test_formats_that_do_not_read_back_are_a_config_error() -> None:
    codes = CodesSettings(location=r"^(?P<aisle>\d)(?P<bay>\d)(?P<level>\d)$")
    with pytest.raises(ConfigError, match=r"\[codes\] location_template: cannot print"):
        build_code_formats(codes)
    codes = CodesSettings(cart_slot=r"^S\d{2}$")
    with pytest.raises(ConfigError, match=r"\[codes\] cart_slot: needs named groups cart, slot"):
        build_code_formats(codes)
