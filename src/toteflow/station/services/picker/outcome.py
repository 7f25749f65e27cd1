"""What one scan or key did in a pick walk, as the screen signals and says it."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.words import plural
from toteflow.station.ports.store import Notice


@dataclass(frozen=True)
class Outcome:
    """What one scan or key did: a good or bad signal with words, and whether the stop moved.

    A bad outcome changed nothing. With `notices`, the scan was not acted on: the picker is
    told something first (an order cancelled meanwhile) and scans again after reading it.
    """

    ok: bool
    headline: str
    detail: str = ""
    notices: tuple[Notice, ...] = ()
    advanced: bool = False


def good(headline: str, detail: str = "", *, advanced: bool = False) -> Outcome:
    return Outcome(True, headline, detail, advanced=advanced)


def bad(reason: str, headline: str = "NOT ACCEPTED") -> Outcome:
    return Outcome(False, headline, reason)


def n_units(n: int) -> str:
    """'1 unit', '3 units'."""
    return plural(n, "unit")
