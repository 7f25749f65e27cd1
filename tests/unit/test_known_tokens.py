"""The known-tokens hint: a token is known once added, until discarded, expired or crowded out."""

from __future__ import annotations

from toteflow.central.api.known_tokens import KnownTokens


def test_a_token_is_known_once_found_good_until_discarded() -> None:
    known = KnownTokens()
    assert "tok-a" not in known
    known.add("tok-a")
    assert "tok-a" in known
    assert "tok-b" not in known
    known.discard("tok-a")
    known.discard("tok-never-added")
    assert "tok-a" not in known


def test_a_token_found_good_too_long_ago_is_looked_up_again() -> None:
    known = KnownTokens(ttl_seconds=0)
    known.add("tok-a")
    assert "tok-a" not in known


def test_the_hint_never_grows_past_its_limit() -> None:
    known = KnownTokens(limit=3)
    for n in range(10):
        known.add(f"tok-{n}")
        assert f"tok-{n}" in known
        assert len(known._found) <= 3
