"""Station tokens recently found good: a hint that spares a push its separate token look-up."""

from __future__ import annotations

import time

from toteflow.domain.credentials import token_digest


class KnownTokens:
    """Digests of station tokens found good within the last `ttl` seconds.

    Only a hint: a push checks its token again inside its own transaction, so a token revoked
    meanwhile is still refused there. What the hint keeps is the order of answers: a request
    with a token never found good is refused (401, audited) before its body is looked at.
    """

    def __init__(self, ttl_seconds: float = 60.0, limit: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._limit = limit
        # Single dict operations are atomic in CPython: requests on the event loop and in the
        # thread pool may share this without a lock.
        self._found: dict[str, float] = {}

    def __contains__(self, token: str) -> bool:
        found = self._found.get(token_digest(token))
        return found is not None and time.monotonic() - found < self._ttl

    def add(self, token: str) -> None:
        if len(self._found) >= self._limit:  # a site has tens of stations, not thousands
            self._found.clear()
        self._found[token_digest(token)] = time.monotonic()

    def discard(self, token: str) -> None:
        self._found.pop(token_digest(token), None)
