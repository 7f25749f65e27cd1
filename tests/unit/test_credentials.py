"""PIN hashes and bearer tokens: salted scrypt, verification, malformed hashes, token digests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pytest

from toteflow.domain.credentials import hash_pin, new_token, token_digest, verify_pin

# One real hash reused across tests: scrypt is deliberately slow.
STORED = hash_pin("4821")
URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_a_hash_describes_itself_and_never_contains_the_pin() -> None:
    scheme, n, r, p, salt, digest = STORED.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert URLSAFE.match(salt)
    assert URLSAFE.match(digest)
    assert "4821" not in STORED


def test_the_right_pin_matches_and_others_do_not() -> None:
    assert verify_pin("4821", STORED)
    for other in ("4822", "482", "48210", "", " 4821", "1284"):
        assert not verify_pin(other, STORED), other


def test_each_hash_has_its_own_salt() -> None:
    again = hash_pin("4821")
    assert again != STORED
    assert again.split("$")[4] != STORED.split("$")[4]
    assert verify_pin("4821", again)


def _swap(part: int, value: str) -> Callable[[str], str]:
    def swap(stored: str) -> str:
        parts = stored.split("$")
        parts[part] = value
        return "$".join(parts)

    return swap


def _fixed(value: str) -> Callable[[str], str]:
    return lambda _stored: value


# Built from STORED inside the test: its salt is random, and ids must match across workers.
MALFORMED: dict[str, Callable[[str], str]] = {
    "empty": _fixed(""),
    "the-pin-itself": _fixed("4821"),
    "scheme-only": _fixed("scrypt"),
    "too-few-fields": _fixed("scrypt$16384$8$1$salt"),
    "too-many-fields": lambda stored: stored + "$extra",
    "other-scheme": _swap(0, "bcrypt"),
    "n-not-a-number": _swap(1, "many"),
    "n-not-a-power-of-two": _swap(1, "1000"),  # scrypt itself refuses
    "n-zero": _swap(1, "0"),
    "r-negative": _swap(2, "-8"),
    "salt-not-base64": _swap(4, "not base64!!"),
    "salt-not-ascii": _swap(4, "sält"),
    "no-digest": _swap(5, ""),
    "short-digest": _swap(5, "AAAA"),
    "bcrypt": _fixed("$2b$12$abcdefghijklmnopqrstuuKa7J9wq5WTt8EZbJVm7Kq0zXc6fF4zG"),
    "unsalted-sha256": _fixed("sha256$" + hashlib.sha256(b"4821").hexdigest()),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_hash_never_matches(name: str) -> None:
    assert verify_pin("4821", MALFORMED[name](STORED)) is False


def test_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) >= 43  # 32 random bytes
        assert URLSAFE.match(token)


def test_a_token_digest_is_sha256_hex_and_stable() -> None:
    token = new_token()
    assert token_digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token_digest(token) == token_digest(token)
    assert re.fullmatch(r"[0-9a-f]{64}", token_digest(token))
    assert token_digest(token) != token_digest(token + "x")
    assert token not in token_digest(token)
