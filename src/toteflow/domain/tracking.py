"""Carrier-plausible tracking numbers with their check digits, made deterministically.

Real carrier integration (booking the shipment and receiving the carrier's own number) is
out of scope: these numbers have each carrier's shape and check digit so that labels, scans
and downstream systems can be exercised, but no carrier knows them.
"""

from __future__ import annotations

from toteflow.domain.gs1 import gs1_check_digit

FORMATS = ("ups", "fedex", "usps", "dhl", "generic")


def ups_check_digit(body: str) -> int:
    """UPS: letters count as (ord - 63) mod 10; odd positions once, even positions twice."""
    total = 0
    for position, char in enumerate(body, 1):
        value = int(char) if char.isdigit() else (ord(char.upper()) - 63) % 10
        total += value * (2 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def fedex_check_digit(body: str) -> int:
    """FedEx 12-digit: weights 1, 3, 7 from the right, sum mod 11, 10 counting as 0."""
    weights = (1, 3, 7)
    total = sum(int(c) * weights[i % 3] for i, c in enumerate(reversed(body)))
    return total % 11 % 10


def dhl_check_digit(body: str) -> int:
    """DHL Express waybill: the number mod 7."""
    return int(body) % 7


def _digits(key: int, width: int) -> str:
    # Spread consecutive keys over the number space (an affine map, so still one-to-one)
    # so that neighbouring parcels do not get numbers that differ in one digit only.
    modulus = 10**width
    return f"{(key * 7_919 + 104_729) % modulus:0{width}d}"


def make_tracking(fmt: str, key: int, *, account: str = "", service_code: str = "") -> str:
    """A tracking number in `fmt` (see FORMATS) for the unique integer `key`."""
    if key < 0:
        raise ValueError("the key must not be negative")
    if fmt == "ups":
        shipper = (account.upper() + "000000")[:6]
        service = (service_code + "03")[:2] if service_code.isdigit() else "03"
        body = f"{shipper}{service}{_digits(key, 7)}"
        return f"1Z{body}{ups_check_digit(body)}"
    if fmt == "fedex":
        body = _digits(key, 11)
        return f"{body}{fedex_check_digit(body)}"
    if fmt == "usps":
        # IMpb: 92 (channel) + 6-digit mailer id + 13-digit serial + mod-10 check digit.
        mailer = (account + "000000")[:6] if account.isdigit() else "612345"
        body = f"92{mailer}{_digits(key, 13)}"
        return f"{body}{gs1_check_digit(body)}"
    if fmt == "dhl":
        body = _digits(key, 9)
        return f"{body}{dhl_check_digit(body)}"
    if fmt == "generic":
        body = _digits(key, 15)
        return f"{body}{gs1_check_digit(body)}"
    raise ValueError(f"unknown tracking format {fmt!r}: use one of {', '.join(FORMATS)}")


def valid_tracking(fmt: str, number: str) -> bool:
    """Whether `number` has the shape and check digit of `fmt`."""
    if fmt == "ups":
        return (
            len(number) == 18
            and number.startswith("1Z")
            and number[2:].isalnum()
            and number[-1].isdigit()
            and ups_check_digit(number[2:-1]) == int(number[-1])
        )
    if not number.isascii() or not number.isdigit():
        return False
    if fmt == "fedex":
        return len(number) == 12 and fedex_check_digit(number[:-1]) == int(number[-1])
    if fmt == "usps":
        return len(number) == 22 and gs1_check_digit(number[:-1]) == int(number[-1])
    if fmt == "dhl":
        return len(number) == 10 and dhl_check_digit(number[:-1]) == int(number[-1])
    if fmt == "generic":
        return len(number) == 16 and gs1_check_digit(number[:-1]) == int(number[-1])
    return False
