"""The [receiving] settings: blind receipts and over-receipt tolerances, per supplier too."""

from __future__ import annotations

from pathlib import Path

import pytest

from toteflow.central.bootstrap import receiving_policy
from toteflow.config import ConfigError, load_settings


def test_the_defaults_allow_no_blind_receipt_and_no_over_receipt() -> None:
    receiving = load_settings(environ={}).receiving
    assert receiving.blind_receipts is False
    assert receiving.over_tolerance_pct == 0
    assert receiving.over_tolerance_for("ACME") == 0


def test_a_site_file_sets_them_with_overrides_by_supplier(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        "[receiving]\nblind_receipts = true\nover_tolerance_pct = 2.5\n\n"
        "[receiving.suppliers.ACME]\nover_tolerance_pct = 5\ninspect = true\n\n"
        '[receiving.products."SKU-1"]\nover_tolerance_pct = 0\n',
        encoding="utf-8",
    )
    settings = load_settings(site, environ={})
    assert settings.receiving.over_tolerance_for("ACME") == 5
    assert settings.receiving.over_tolerance_for("BOLT") == 2.5
    policy = receiving_policy(settings)
    assert policy.blind_receipts is True
    assert policy.model_dump() == {
        "blind_receipts": True,
        "over_tolerance_pct": 2.5,
        "suppliers": {"ACME": {"over_tolerance_pct": 5.0, "inspect": True}},
        "products": {"SKU-1": {"over_tolerance_pct": 0.0, "inspect": False}},
    }


def test_environment_variables_set_them_too() -> None:
    settings = load_settings(
        environ={
            "TOTEFLOW_RECEIVING_BLIND_RECEIPTS": "true",
            "TOTEFLOW_RECEIVING_SUPPLIERS": '{"ACME": {"over_tolerance_pct": 7}}',
        }
    )
    assert settings.receiving.blind_receipts is True
    assert settings.receiving.over_tolerance_for("ACME") == 7


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("over_tolerance_pct = -1", "[receiving] over_tolerance_pct"),
        ('[receiving.suppliers."AC ME"]\nover_tolerance_pct = 1', "not a supplier code"),
        ("[receiving.suppliers.ACME]\nover = 1", "unknown key [receiving] suppliers.ACME.over"),
        (
            '[receiving.products."SKU-1"]\nover_tolerance_pct = -1',
            "products.SKU-1.over_tolerance_pct",
        ),
    ],
)
def test_bad_values_are_named(tmp_path: Path, text: str, words: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f"[receiving]\n{text}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(site, environ={})
    assert words in str(refused.value)
