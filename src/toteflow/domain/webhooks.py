"""Webhook signatures (HMAC-SHA256 of the body) and the retry schedule (exponential backoff)."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Toteflow-Signature"
EVENT_HEADER = "X-Toteflow-Event"
DELIVERY_HEADER = "X-Toteflow-Delivery"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC of the exact body bytes."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header)


def backoff_seconds(attempts: int, initial: float, maximum: float) -> float:
    """The wait after the `attempts`-th failed try: initial, 2x, 4x, ... capped at maximum."""
    if attempts < 1:
        return initial
    # The exponent is capped too, so that a delivery failing for weeks never overflows.
    return float(min(maximum, initial * 2 ** min(attempts - 1, 40)))
