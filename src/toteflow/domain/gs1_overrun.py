"""A GS1 field that swallowed the next one because a separator (FNC1) was left out.

A variable-length field (lot, serial, count) ends at a separator or at the end of the data.
A label printed without the separator reads as one long field: the lot "ABC123" followed by
the expiry (17)261231 becomes the lot "ABC12317261231", and a count (37)12 followed by a date
runs past the count's eight digits and fails to read at all. `find_swallowed` puts the
missing separator back where that makes the scan read as sensible, checked fields.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from biip import ParseConfig
from biip.gs1_messages import GS1Message

from toteflow.domain.scan_results import GS

_SYMBOLOGY = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_TRIM = " \t\r\n"
# Fields whose presence in the swallowed part makes the reading convincing on its own: a
# real date, or a code with a correct check digit. A lot that merely ends in "10" + text
# could be a real lot; one that ends in "17" + a valid date almost never is.
_DATE_AIS = frozenset({"11", "13", "15", "16", "17"})
_CHECKED_AIS = frozenset({"00", "01", "02"})
_COUNT_AIS = frozenset({"30", "37"})
# One parse per place a separator could go: longer than any case label (GS1-128 holds 48
# characters) is not worth the time, and is no label a separator fell out of.
MAX_LENGTH = 200
# A separator can only have gone missing before a field that starts with one of these.
_NEXT_AIS = frozenset({"10", "21", *_DATE_AIS, *_CHECKED_AIS, *_COUNT_AIS})
_NAMES = {
    "00": "SSCC",
    "01": "GTIN",
    "02": "GTIN of the contents",
    "10": "lot",
    "11": "production date",
    "13": "packing date",
    "15": "best-before date",
    "16": "sell-by date",
    "17": "expiry date",
    "21": "serial number",
    "30": "count",
    "37": "count",
}


@dataclass(frozen=True)
class Swallowed:
    """Where a separator was missing: the field that read on, and what it swallowed."""

    ai: str
    """The variable-length field that ran on, e.g. "10"."""
    read_as: str
    """The value as the scan read it (or, when the scan did not read, as far as it got)."""
    own_value: str
    """What the field holds once the separator is put back."""
    swallowed: tuple[tuple[str, str], ...]
    """The (AI, value) pairs the field ran into."""

    def words(self) -> str:
        """The problem for a receiver, in words: what the label says and what to do."""
        name = field_name(self.ai)
        inside = ", ".join(f"{field_name(ai)} ({ai}) {value}" for ai, value in self.swallowed)
        return (
            f"the {name} ({self.ai}) ran into the next field: it reads {self.own_value} "
            f"followed by {inside}. The label is missing a separator (FNC1) after the {name}: "
            "do not use this reading; key the values in or tell a supervisor"
        )


def field_name(ai: str) -> str:
    """What a receiver calls the field of an AI: "lot", "expiry date"; "field (xx)" else."""
    return _NAMES.get(ai, f"field ({ai})")


def find_swallowed(raw: str, separators: Sequence[str] = (GS,)) -> Swallowed | None:
    """The field that ran into the next one for want of a separator, if the scan shows one.

    Never raises. `raw` is the scan as sent (AIM identifier and all); `separators` are the
    characters read as FNC1. Nothing is reported for a scan that is not a GS1 element string.
    """
    try:
        return _find(raw, tuple(separators) or (GS,))
    except Exception:
        return None  # a parser surprise must not turn a scan into a traceback


def _find(raw: str, separators: tuple[str, ...]) -> Swallowed | None:
    text = raw.strip(_TRIM)
    if text.startswith("]"):
        match = _SYMBOLOGY.match(text)
        if match is None:
            return None
        text = text[match.end() :]
    text = text.lstrip("".join(separators))
    if not text or len(text) > MAX_LENGTH or text.startswith(("(", "http")):
        return None  # printed text and links carry their fields apart: nothing to run on
    config = ParseConfig(separator_chars=separators)
    as_read = _parse(text, config)
    best: tuple[int, Swallowed] | None = None
    for position in range(1, len(text)):
        if text[position : position + 2] not in _NEXT_AIS or text[position - 1] in separators:
            continue
        mended = _parse(f"{text[:position]}{separators[0]}{text[position:]}", config)
        if mended is None:
            continue
        found = _swallowed_at(mended, position, as_read)
        # Several places may mend the scan ("3712" + "10LOT1" also reads as a count of 1
        # and a serial "210LOT1"): the reading with the most telling fields wins.
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return None if best is None else best[1]


def _parse(text: str, config: ParseConfig) -> list[tuple[str, str, bool]] | None:
    """(AI, value, variable length) of each field, or None if the text is no clean GS1 data."""
    try:
        message = GS1Message.parse(text, config=config)
    except Exception:
        return None
    fields = []
    for element in message.element_strings:
        if not element.value or element.gtin_error or element.sscc_error:
            return None
        if element.ai.ai in _DATE_AIS and element.date is None:
            return None
        fields.append((element.ai.ai, element.value, element.ai.separator_required))
    return fields


def _swallowed_at(
    mended: list[tuple[str, str, bool]],
    position: int,
    as_read: list[tuple[str, str, bool]] | None,
) -> tuple[int, Swallowed] | None:
    """The swallowed fields if a separator at `position` ends a variable-length field,
    with how telling they are (2: a date or checked code, 1: a lot, 0: anything)."""
    # Find the field the new separator ends: it must be a variable-length one.
    index = _field_ending_at(mended, position)
    if index is None:
        return None
    ai, value, _ = mended[index]
    head = {field[0] for field in mended[: index + 1]}
    # The swallowed part runs up to the next separator the label did carry.
    tail: list[tuple[str, str]] = []
    for next_ai, next_value, next_variable in mended[index + 1 :]:
        tail.append((next_ai, next_value))
        if next_variable:
            break
    if not tail or tail[0][0] == ai or any(t_ai in head for t_ai, _ in tail):
        return None
    tail_ais = {t_ai for t_ai, _ in tail}
    score = 2 if tail_ais & (_DATE_AIS | _CHECKED_AIS) else 1 if "10" in tail_ais else 0
    # A count is digits only, so when the scan did not read at all, the count running into
    # whatever follows is the likeliest story; otherwise only a date or a checked code
    # is convincing enough to call a readable lot wrong.
    if score < 2 and not (as_read is None and ai in _COUNT_AIS):
        return None
    read_as = value + "".join(t_ai + t_value for t_ai, t_value in tail)
    if as_read is not None:
        read_as = next((v for a, v, _ in as_read if a == ai and v.startswith(value)), read_as)
    return score, Swallowed(ai=ai, read_as=read_as, own_value=value, swallowed=tuple(tail))


def _field_ending_at(fields: list[tuple[str, str, bool]], position: int) -> int | None:
    """The index of the variable-length field that ends at `position` of the mended text."""
    end = 0
    for index, (ai, value, variable) in enumerate(fields):
        end += len(ai) + len(value)
        if end == position:
            return index if variable else None
        end += 1 if variable else 0  # the separator after it
        if end > position:
            return None
    return None
