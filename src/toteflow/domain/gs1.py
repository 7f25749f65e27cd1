"""GS1 check digits (mod 10, weights 3-1 from the right) for GTINs, SSCCs and GLNs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# ASCII digits only: str.isdigit() also accepts "²" and Arabic-Indic digits, which no
# barcode carries and int() would quietly read.
_DIGITS = re.compile(r"[0-9]+")

GTIN_LENGTHS = (8, 12, 13, 14)
SSCC_LENGTH = 18


def gs1_check_digit(digits: str) -> int:
    """The check digit to append to `digits` (the code without its check digit)."""
    if not _DIGITS.fullmatch(digits):
        raise ValueError(f"expected ASCII digits, got {digits!r}")
    total = 0
    # Weights run 3, 1, 3, ... from the rightmost data digit, whatever the length,
    # which is why one function serves GTIN-8 through SSCC-18.
    for position, char in enumerate(reversed(digits)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def with_check_digit(digits: str) -> str:
    """`digits` followed by their check digit."""
    return f"{digits}{gs1_check_digit(digits)}"


def has_valid_check_digit(code: str) -> bool:
    """Whether the last digit of `code` is the check digit of the ones before it."""
    if len(code) < 2 or not _DIGITS.fullmatch(code):
        return False
    return gs1_check_digit(code[:-1]) == int(code[-1])


def gtin14(gtin: str) -> str:
    """A GTIN-8/12/13/14 written as 14 digits, the form to compare and store GTINs in."""
    if len(gtin) not in GTIN_LENGTHS or not has_valid_check_digit(gtin):
        raise ValueError(f"not a GTIN with a valid check digit: {gtin!r}")
    return gtin.zfill(14)


def make_gtin(payload: str) -> str:
    """A GTIN from its digits without the check digit (7, 11, 12 or 13 digits)."""
    if len(payload) + 1 not in GTIN_LENGTHS:
        raise ValueError(f"a GTIN payload has 7, 11, 12 or 13 digits, got {len(payload)}")
    return with_check_digit(payload)


def make_sscc(extension_digit: int, company_prefix: str, serial_reference: int) -> str:
    """An SSCC-18: extension digit, GS1 company prefix, serial reference, check digit."""
    if not 0 <= extension_digit <= 9:
        raise ValueError(f"extension digit must be 0-9, got {extension_digit}")
    if not _DIGITS.fullmatch(company_prefix) or not 4 <= len(company_prefix) <= 12:
        raise ValueError(f"company prefix must be 4-12 digits, got {company_prefix!r}")
    width = SSCC_LENGTH - 2 - len(company_prefix)
    if not 0 <= serial_reference < 10**width:
        raise ValueError(
            f"serial reference must be 0-{10**width - 1} with a "
            f"{len(company_prefix)}-digit company prefix, got {serial_reference}"
        )
    return with_check_digit(f"{extension_digit}{company_prefix}{serial_reference:0{width}d}")


def overrun_field(
    text: str, elements: Sequence[tuple[str, str, bool]], separators: Iterable[str]
) -> tuple[str, int] | None:
    """The first variable-length field read on past its end, as (AI, characters read).

    `elements` are (AI, value, separator_required) as a parser read them from `text`. GS1
    ends a field of variable length with a separator, or with the end of the data; a parser
    that stops at the table's maximum length and reads the rest as the next field turns 5,000
    digits into fifty-odd (99) fields. A field followed by neither is longer than GS1 allows.
    """
    ends = tuple(separators)
    position = 0
    for ai, value, separator_required in elements:
        start = position
        position += len(ai) + len(value)
        if text[start:position] != ai + value:
            return None  # not where the parser read it from: nothing to say
        if position >= len(text):
            return None
        if text[position] in ends:
            position += 1
        elif separator_required:
            return ai, len(value)
    return None
