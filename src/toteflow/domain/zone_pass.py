"""Pick-and-pass: where an order's tote goes after each zone, and how a screen says it."""

from __future__ import annotations

PACK = "pack"
CONSOLIDATION = "consolidation"
# A destination names the next zone as "zone:<name>" (the columns hold 60: names of up to 40).
_ZONE = "zone:"


def to_zone(zone: str | None) -> str:
    """The destination of a tote passed on to `zone` (None: the aisles outside every zone)."""
    return f"{_ZONE}{zone or ''}"


def next_zone(destination: str) -> str | None:
    """The zone a destination passes the tote to ('' for the aisles outside every zone)."""
    return destination[len(_ZONE) :] if destination.startswith(_ZONE) else None


def is_packing(destination: str) -> bool:
    return destination in ("", PACK)


def destination_words(destination: str) -> str:
    """Where a closed tote goes, as a screen says it: 'the pack stations', 'zone B'."""
    zone = next_zone(destination)
    if zone is not None:
        return f"zone {zone}" if zone else "the aisles outside the zones"
    match destination:
        case "" | "pack":
            return "the pack stations"
        case "consolidation":
            return "consolidation"
        case _:
            return destination


def zone_words(zone: str | None) -> str:
    return f"zone {zone}" if zone else "the aisles outside the zones"


def chain(zones: list[str | None]) -> list[str]:
    """Each zone task's destination, for one order's zones in the order they are walked."""
    return [to_zone(zones[n + 1]) for n in range(len(zones) - 1)] + [PACK] if zones else []
