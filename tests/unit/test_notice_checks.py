"""A notice against the catalogue and its own packing: the checks the API and the import share."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from toteflow.central.services.notice_checks import check_notice
from toteflow.contracts.notices import NoticeCreate
from toteflow.domain.gs1 import with_check_digit

UNITS = {"MUG-1": {"EA": 1, "CS": 6}, "TAPE-2": {"EA": 1}}
PALLET = with_check_digit("00614141300000001")
CASE = with_check_digit("00614141300000002")


def notice(**changes: Any) -> NoticeCreate:
    body: dict[str, Any] = {
        "reference": "ASN-1",
        "kind": "asn",
        "supplier": {"code": "ACME", "name": "Acme"},
        "expected_on": "2026-12-10",
        "lines": [
            {"line_no": 1, "sku": "MUG-1", "quantity": 2, "uom": "CS", "lot": "A"},
            {"line_no": 2, "sku": "MUG-1", "quantity": 3, "lot": "B"},
        ],
    }
    return NoticeCreate.model_validate({**body, **changes})


def problems(value: NoticeCreate, kinds: dict[str, str] | None = None) -> list[str]:
    return [str(problem) for problem in check_notice(value, UNITS, kinds or {})]


def test_contents_that_add_up_to_the_lines_per_lot_pass() -> None:
    ssccs = [
        {"sscc": PALLET, "contents": [{"sku": "MUG-1", "quantity": 6, "lot": "A"}]},
        {
            "sscc": CASE,
            "parent_sscc": PALLET,
            "contents": [
                {"sku": "MUG-1", "quantity": 6, "lot": "A"},
                {"sku": "MUG-1", "quantity": 3, "lot": "B"},
            ],
        },
    ]
    assert problems(notice(ssccs=ssccs)) == []
    # SSCCs without contents say nothing about packing: nothing to add up.
    assert problems(notice(ssccs=[{"sscc": PALLET}])) == []


def test_contents_in_another_lot_or_an_extra_sku_do_not_match() -> None:
    ssccs = [
        {
            "sscc": PALLET,
            "contents": [
                {"sku": "MUG-1", "quantity": 12, "lot": "B"},
                {"sku": "TAPE-2", "quantity": 1},
            ],
        }
    ]
    assert problems(notice(ssccs=ssccs)) == [
        "ssccs: the contents of the SSCCs do not match the lines (base units): MUG-1 lot A: "
        "lines 12, SSCCs 0; MUG-1 lot B: lines 3, SSCCs 12; TAPE-2: lines 0, SSCCs 1"
    ]


def test_unknown_skus_units_docks_and_too_many_base_units_are_named() -> None:
    lines = [
        {"line_no": 1, "sku": "NOPE", "quantity": 1},
        {"line_no": 2, "sku": "TAPE-2", "quantity": 1, "uom": "CS"},
        {"line_no": 3, "sku": "MUG-1", "quantity": 200_000, "uom": "CS"},
    ]
    assert problems(notice(lines=lines, dock="01-001-1"), {"01-001-1": "pick_face"}) == [
        "dock: location 01-001-1 is a pick_face, not a dock",
        "lines.0.sku: unknown SKU NOPE",
        "lines.1.uom: SKU TAPE-2 has no unit CS (it has EA)",
        "lines.2.quantity: 200,000 CS of MUG-1 are 1,200,000 units, more than the 1,000,000 "
        "one line may hold: split the line",
    ]
    assert problems(notice(dock="DOCK-1"), {"DOCK-1": "dock"}) == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"ssccs": [{"sscc": PALLET[:-1] + "0" if PALLET[-1] != "0" else PALLET[:-1] + "1"}]},
            "has a wrong check digit",
        ),
        ({"ssccs": [{"sscc": CASE, "parent_sscc": CASE}]}, "go round in a circle"),
        (
            {
                "ssccs": [
                    {"sscc": CASE, "parent_sscc": PALLET},
                    {"sscc": PALLET, "parent_sscc": CASE},
                ]
            },
            "go round in a circle",
        ),
        ({"kind": "po", "ssccs": [{"sscc": PALLET}]}, "SSCCs are sent on an ASN only"),
        ({"lines": []}, "at least 1 item"),
    ],
)
def test_the_contract_refuses_what_it_can_tell_alone(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        notice(**changes)
    assert words in str(refused.value)
