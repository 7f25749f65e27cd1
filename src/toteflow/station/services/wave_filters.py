"""The supervisor's wave filters as typed at the console: parsed, checked, summarised, sent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from toteflow.contracts import waves as wv
from toteflow.domain.errors import ServiceError

PROFILES: tuple[wv.Profile | None, ...] = (None, "single_unit", "single_line", "multi_line")
# The fields of the filter dialog, in the order shown, with the words a refusal names them by.
FIELDS: dict[str, str] = {
    "carrier": "carrier",
    "service": "service",
    "cutoff": "cut-off",
    "ship_by": "ship-by",
    "priorities": "priority",
    "zones": "zones",
    "profile": "profile",
    "max_orders": "max orders",
    "max_lines": "max lines",
}
HINTS: dict[str, str] = {
    "carrier": "not a carrier code (letters, digits, - and _), such as UPS",
    "service": "not a service code (letters, digits, - and _), such as GROUND",
    "cutoff": "type the pick-up time as 15:00",
    "ship_by": "type it as 2026-11-22",
    "priorities": "type priorities 1 to 9, such as 1,3",
    "zones": "type zone names separated by commas, such as A,B",
    "profile": "type any, single unit, single line or multi line",
    "max_orders": "type a whole number from 1 to 100000",
    "max_lines": "type a whole number from 1 to 1000000",
}
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def profile_words(profile: wv.Profile | None) -> str:
    return profile.replace("_", " ") if profile else "any profile"


@dataclass(frozen=True)
class PoolFilter:
    """What the supervisor narrows the order pool to; empty fields take everything.

    The server applies every one of them, to the pool as to a wave's preview (one
    selection), so the pool shows what a wave built with them starts from.
    """

    carrier: str = ""
    service: str = ""
    cutoff: str | None = None
    ship_by: date | None = None
    priorities: tuple[int, ...] = ()
    zones: tuple[str, ...] = ()
    profile: wv.Profile | None = None
    max_orders: int | None = None
    max_lines: int | None = None

    @classmethod
    def of(cls, filters: wv.WaveFilters) -> PoolFilter:
        """The filters of a template, as the console shows and edits them."""
        return cls(
            carrier=filters.carrier or "",
            service=filters.service or "",
            cutoff=filters.cutoff,
            ship_by=filters.ship_by,
            priorities=tuple(filters.priorities or ()),
            zones=tuple(filters.zones or ()),
            profile=filters.profile,
            max_orders=filters.max_orders,
            max_lines=filters.max_lines,
        )

    def _given(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier.upper() or None,
            "service": self.service.upper() or None,
            "cutoff": self.cutoff,
            "ship_by": self.ship_by,
            "priorities": list(self.priorities) or None,
            "zones": list(self.zones) or None,
            "profile": self.profile,
            "max_orders": self.max_orders,
            "max_lines": self.max_lines,
        }

    @property
    def narrowed(self) -> bool:
        return any(value is not None for value in self._given().values())

    def filters(self) -> wv.WaveFilters | None:
        """The wave filters these stand for, only those given (None when nothing is narrowed)."""
        chosen = {key: value for key, value in self._given().items() if value is not None}
        return _checked(chosen) if chosen else None

    def exact(self) -> wv.WaveFilters:
        """Every filter set, the empty ones too, so none of a template's is left underneath."""
        return _checked(self._given())

    def summary(self) -> str:
        """The filters in a few words, for one line of the pool screen."""
        words = []
        if self.carrier:
            words.append(self.carrier.upper())
        if self.service:
            words.append(self.service.upper())
        if self.cutoff:
            words.append(f"cut-off {self.cutoff}")
        if self.ship_by:
            words.append(f"ship by {self.ship_by.isoformat()}")
        if self.priorities:
            words.append("prio " + ",".join(str(p) for p in self.priorities))
        if self.zones:
            words.append("zones " + ",".join(self.zones))
        if self.profile:
            words.append(profile_words(self.profile))
        if self.max_orders:
            words.append(f"≤{self.max_orders} orders")
        if self.max_lines:
            words.append(f"≤{self.max_lines} lines")
        return " · ".join(words) or "none: the whole pool"

    def texts(self) -> dict[str, str]:
        """The filters as the dialog's fields show them (what `parse_filter` reads back)."""
        return {
            "carrier": self.carrier.upper(),
            "service": self.service.upper(),
            "cutoff": self.cutoff or "",
            "ship_by": self.ship_by.isoformat() if self.ship_by else "",
            "priorities": ",".join(str(p) for p in self.priorities),
            "zones": ",".join(self.zones),
            "profile": profile_words(self.profile) if self.profile else "any",
            "max_orders": str(self.max_orders or ""),
            "max_lines": str(self.max_lines or ""),
        }


def _checked(given: dict[str, Any]) -> wv.WaveFilters:
    try:
        return wv.WaveFilters.model_validate(given)
    except ValidationError as problem:
        field = str(problem.errors()[0]["loc"][0])
        value = given.get(field)
        shown = ",".join(str(v) for v in value) if isinstance(value, list) else value
        raise ServiceError(
            f"{FIELDS.get(field, field)} {shown!r} is not used: {HINTS.get(field, 'see the API')}"
        ) from None


def parse_ship_by(text: str) -> date | None:
    """A ship-by date typed as YYYY-MM-DD; empty means any date."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ServiceError(f"ship-by {text!r} is not a date: type it as 2026-11-22") from None


def _refuse(field: str, text: str) -> ServiceError:
    return ServiceError(f"{FIELDS[field]} {text!r} is not used: {HINTS[field]}")


def parse_cutoff(text: str) -> str | None:
    """A pick-up time typed as H:MM or HH:MM; empty means no cut-off."""
    text = text.strip()
    if not text:
        return None
    found = _CLOCK.match(text)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise _refuse("cutoff", text)
    return f"{int(found[1]):02d}:{found[2]}"


def parse_priorities(text: str) -> tuple[int, ...]:
    """Priorities typed as 1,3 or 1 3; empty means every priority."""
    if not text.strip():
        return ()
    items = re.split(r"[,\s]+", text.strip())
    if not all(item.isdigit() and 1 <= int(item) <= 9 for item in items):
        raise _refuse("priorities", text.strip())
    return tuple(sorted({int(item) for item in items}))


def parse_zones(text: str) -> tuple[str, ...]:
    """Zone names separated by commas; empty means every zone."""
    if not text.strip():
        return ()
    items = [item.strip() for item in text.split(",")]
    if not all(0 < len(item) <= 40 for item in items):
        raise _refuse("zones", text.strip())
    return tuple(dict.fromkeys(items))


def parse_profile(text: str) -> wv.Profile | None:
    """A profile typed in words (single unit, single-line, ...); empty or any means all."""
    words = re.sub(r"[\s_\-]+", " ", text.strip().lower())
    if words in ("", "any", "any profile"):
        return None
    for profile in PROFILES:
        if profile is not None and words == profile.replace("_", " "):
            return profile
    raise _refuse("profile", text.strip())


def _count(field: str, text: str, most: int) -> int | None:
    digits = text.strip().replace(",", "").replace("_", "")
    if not digits:
        return None
    if not digits.isdigit() or not 1 <= int(digits) <= most:
        raise _refuse(field, text.strip())
    return int(digits)


def parse_filter(texts: Mapping[str, str]) -> PoolFilter:
    """The filters typed in the dialog's fields; a bad one is refused with what to type."""
    read = {field: texts.get(field, "") for field in FIELDS}
    chosen = PoolFilter(
        carrier=read["carrier"].strip().upper(),
        service=read["service"].strip().upper(),
        cutoff=parse_cutoff(read["cutoff"]),
        ship_by=parse_ship_by(read["ship_by"]),
        priorities=parse_priorities(read["priorities"]),
        zones=parse_zones(read["zones"]),
        profile=parse_profile(read["profile"]),
        max_orders=_count("max_orders", read["max_orders"], 100_000),
        max_lines=_count("max_lines", read["max_lines"], 1_000_000),
    )
    chosen.exact()  # a carrier or service that is not a code is refused here, before a call
    return chosen
