"""License plates: what a plate's code may be and the states a plate passes through."""

from __future__ import annotations

import re
from enum import StrEnum

from toteflow.domain.gs1 import gs1_check_digit

INTERNAL_PREFIX = "LP"
INTERNAL_DIGITS = 8
PLATE_PATTERN = r"^([0-9]{18}|LP[0-9]{6,12})$"
_PLATE = re.compile(PLATE_PATTERN)


class PlateStatus(StrEnum):
    """received (on the dock) -> putting_away -> stored; held (quarantine or quality) until a
    supervisor releases it (back to received) or rejects it (written off)."""

    RECEIVED = "received"
    PUTTING_AWAY = "putting_away"
    STORED = "stored"
    HELD = "held"
    REJECTED = "rejected"


OPEN_STATUSES = (PlateStatus.RECEIVED, PlateStatus.PUTTING_AWAY)
"""A plate in one of these may be put away."""


class Disposition(StrEnum):
    """Where rejected held stock goes; either way it leaves the books."""

    SCRAP = "scrap"
    RETURN_TO_VENDOR = "return_to_vendor"


def internal_code(serial: int) -> str:
    """Our own plate label's code: `LP` and the serial, zero-padded (`LP00000042`)."""
    return f"{INTERNAL_PREFIX}{serial:0{INTERNAL_DIGITS}d}"


def plate_code_problem(code: str) -> str | None:
    """None for a usable plate code (an SSCC with a right check digit, or `LP` and digits),
    else why not, in words."""
    if not _PLATE.fullmatch(code):
        return f"not a plate code: {code!r}; scan the pallet's SSCC (18 digits) or an LP label"
    if code.isdigit() and gs1_check_digit(code[:-1]) != int(code[-1]):
        return f"SSCC {code}: check digit wrong, expected {gs1_check_digit(code[:-1])}"
    return None
