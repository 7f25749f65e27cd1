"""Warehouse geometry: the layout file's model, location codes and where each location stands."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from toteflow.domain.layout_storage import StorageError, StorageRules, StorageSpec, parse_storage

# The code has two digits of aisle, three of bay and one of level, so these are hard limits.
MAX_AISLES = 99
MAX_BAYS = 999
MAX_LEVELS = 9

LAYOUT_KEYS = (
    "aisles",
    "bays_per_aisle",
    "bay_width",
    "aisle_spacing",
    "cross_aisles_after",
    "depot_aisle",
    "levels",
    "pick_levels",
)
# Keys a layout file may leave out: one level, and only the floor level is a pick face.
OPTIONAL_LAYOUT_KEYS = frozenset({"levels", "pick_levels"})
ZONE_KEYS = ("name", "first_aisle", "last_aisle")

_CODE = re.compile(r"(\d{2})-(\d{3})-(\d)")

LocationKind = Literal["pick_face", "reserve"]


class LayoutError(ValueError):
    """The layout is invalid; the message names the key (and the file, when there is one)."""


class LocationError(ValueError):
    """A location code is malformed or outside the layout; the message names the code."""


@dataclass(frozen=True, order=True)
class LocationCode:
    """A storage location `AA-BBB-L`: aisle, bay (from the front) and level (from the floor)."""

    aisle: int
    bay: int
    level: int

    def __post_init__(self) -> None:
        for name, value, top in (
            ("aisle", self.aisle, MAX_AISLES),
            ("bay", self.bay, MAX_BAYS),
            ("level", self.level, MAX_LEVELS),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise LocationError(
                    f"location {name} must be a whole number 1-{top}, got {value!r}"
                )

    @classmethod
    def parse(cls, text: str) -> LocationCode:
        """The code in canonical form (`05-017-2`); LocationError names a malformed one."""
        match = _CODE.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise LocationError(f"bad location code {text!r}: expected AA-BBB-L, e.g. 05-017-2")
        aisle, bay, level = (int(part) for part in match.groups())
        if not (aisle and bay and level):
            raise LocationError(
                f"bad location code {text!r}: aisle, bay and level are numbered from 1"
            )
        return cls(aisle, bay, level)

    def format(self) -> str:
        """The canonical text form, zero-padded: `05-017-2`."""
        return f"{self.aisle:02d}-{self.bay:03d}-{self.level:d}"

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True)
class Zone:
    """A named range of aisles, both ends included."""

    name: str
    first_aisle: int
    last_aisle: int

    def __contains__(self, aisle: object) -> bool:
        return isinstance(aisle, int) and self.first_aisle <= aisle <= self.last_aisle


@dataclass(frozen=True)
class LocationSpec:
    """One location of a layout with everything a catalogue or a route needs to know of it."""

    code: str
    aisle: int
    bay: int
    level: int
    zone: str | None
    kind: LocationKind
    x: float
    y: float
    storage: StorageSpec = field(default_factory=StorageSpec)


@dataclass(frozen=True)
class Layout:
    """A rectangular warehouse of parallel aisles crossed by cross aisles; always valid."""

    aisles: int
    bays_per_aisle: int
    bay_width: float
    aisle_spacing: float
    cross_aisles_after: tuple[int, ...]
    depot_aisle: int
    levels: int = 1
    pick_levels: tuple[int, ...] = (1,)
    zones: tuple[Zone, ...] = ()
    storage: StorageRules = field(default_factory=StorageRules)
    # Aisle number -> its zone, derived once: zone_of runs for every location of a catalogue.
    _zone_by_aisle: Mapping[int, Zone] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        _check_int("layout.aisles", self.aisles, 1, MAX_AISLES)
        _check_int("layout.bays_per_aisle", self.bays_per_aisle, 1, MAX_BAYS)
        _check_positive("layout.bay_width", self.bay_width)
        _check_positive("layout.aisle_spacing", self.aisle_spacing)
        _check_int("layout.depot_aisle", self.depot_aisle, 1, self.aisles)
        _check_int("layout.levels", self.levels, 1, MAX_LEVELS)
        self._check_cross_aisles()
        self._check_pick_levels()
        object.__setattr__(self, "_zone_by_aisle", self._check_zones())

    def _check_cross_aisles(self) -> None:
        key = "layout.cross_aisles_after"
        after = self.cross_aisles_after
        if not isinstance(after, tuple) or not after:
            raise LayoutError(f"{key} must be a list of bay numbers, e.g. [0, 20, 40]")
        for value in after:
            _check_int(key, value, 0, self.bays_per_aisle)
        if list(after) != sorted(set(after)):
            raise LayoutError(f"{key} must be increasing without repeats, got {list(after)}")
        # Routing and the baseline policies assume pickers can go round both ends of every
        # aisle; the depot stands on the front one.
        if after[0] != 0 or after[-1] != self.bays_per_aisle:
            raise LayoutError(
                f"{key} must start with 0 (the front cross aisle, where the depot is) and end "
                f"with bays_per_aisle = {self.bays_per_aisle} (the back), got {list(after)}"
            )

    def _check_pick_levels(self) -> None:
        key = "layout.pick_levels"
        levels = self.pick_levels
        if not isinstance(levels, tuple) or not levels:
            raise LayoutError(f"{key} must be a non-empty list of levels, e.g. [1, 2]")
        for value in levels:
            _check_int(key, value, 1, self.levels)
        if len(set(levels)) != len(levels):
            raise LayoutError(f"{key} lists a level twice: {list(levels)}")

    def _check_zones(self) -> dict[int, Zone]:
        if not isinstance(self.zones, tuple):
            raise LayoutError("zones must be a list of [[zones]] tables")
        by_aisle: dict[int, Zone] = {}
        names: set[str] = set()
        for index, zone in enumerate(self.zones):
            where = f"zones[{index}]"
            if not isinstance(zone, Zone):
                raise LayoutError(f"{where} must be a zone")
            if not isinstance(zone.name, str) or not zone.name.strip():
                raise LayoutError(f"{where}.name must be a non-empty text")
            if zone.name in names:
                raise LayoutError(f"{where}.name {zone.name!r} is used by another zone")
            names.add(zone.name)
            _check_int(f"{where}.first_aisle", zone.first_aisle, 1, self.aisles)
            _check_int(f"{where}.last_aisle", zone.last_aisle, zone.first_aisle, self.aisles)
            for aisle in range(zone.first_aisle, zone.last_aisle + 1):
                other = by_aisle.get(aisle)
                if other is not None:
                    raise LayoutError(
                        f"{where} ({zone.name!r}) overlaps zone {other.name!r} at aisle {aisle}"
                    )
                by_aisle[aisle] = zone
        return by_aisle

    @property
    def blocks(self) -> int:
        """The number of blocks: stretches of aisle between two neighbouring cross aisles."""
        return len(self.cross_aisles_after) - 1

    @property
    def depot(self) -> tuple[float, float]:
        """Where pick routes start and end: the front cross aisle, in front of the depot aisle."""
        return ((self.depot_aisle - 1) * self.aisle_spacing, 0.0)

    def zone_of(self, aisle: int) -> Zone:
        """The zone an aisle belongs to; LayoutError if it is outside the layout or every zone."""
        zone = self._zone_by_aisle.get(aisle)
        if zone is None:
            if not (isinstance(aisle, int) and 1 <= aisle <= self.aisles):
                raise LayoutError(f"aisle {aisle!r} is outside the layout (aisles 1-{self.aisles})")
            raise LayoutError(f"aisle {aisle} is in no zone")
        return zone

    def location(self, code_or_loc: str | LocationCode) -> LocationCode:
        """The location parsed and checked against this layout; LocationError names a bad one."""
        loc = (
            code_or_loc
            if isinstance(code_or_loc, LocationCode)
            else LocationCode.parse(code_or_loc)
        )
        for name, value, top in (
            ("aisle", loc.aisle, self.aisles),
            ("bay", loc.bay, self.bays_per_aisle),
            ("level", loc.level, self.levels),
        ):
            if value > top:
                raise LocationError(
                    f"location {loc}: {name} {value} is outside the layout ({name}s 1-{top})"
                )
        return loc

    def position(self, code_or_loc: str | LocationCode) -> tuple[float, float]:
        """The (x, y) in metres of a location's point on its aisle's centre line."""
        loc = self.location(code_or_loc)
        return ((loc.aisle - 1) * self.aisle_spacing, (loc.bay - 0.5) * self.bay_width)

    def iter_locations(self) -> Iterator[LocationSpec]:
        """Every location, by aisle, bay and level."""
        pick = frozenset(self.pick_levels)
        for aisle in range(1, self.aisles + 1):
            zone = self._zone_by_aisle.get(aisle)
            x = (aisle - 1) * self.aisle_spacing
            for bay in range(1, self.bays_per_aisle + 1):
                y = (bay - 0.5) * self.bay_width
                for level in range(1, self.levels + 1):
                    yield LocationSpec(
                        code=LocationCode(aisle, bay, level).format(),
                        aisle=aisle,
                        bay=bay,
                        level=level,
                        zone=None if zone is None else zone.name,
                        kind="pick_face" if level in pick else "reserve",
                        x=x,
                        y=y,
                        storage=self.storage.spec(aisle, bay, level),
                    )


def _check_int(key: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise LayoutError(f"{key} must be a whole number from {low} to {high}, got {value!r}")


def _check_positive(key: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e6:
        raise LayoutError(f"{key} must be a positive number of metres, got {value!r}")


def _int_list(key: str, value: object) -> tuple[int, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise LayoutError(f"{key} must be a list of whole numbers, got {value!r}")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int):
            raise LayoutError(f"{key} must be a list of whole numbers, got {list(value)!r}")
    return tuple(value)


def _unknown(where: str, data: Mapping[str, Any], known: Sequence[str]) -> None:
    extra = [key for key in data if key not in known]
    if extra:
        names = ", ".join(f"{where}{key}" for key in extra)
        raise LayoutError(f"unknown key {names} (known: {', '.join(known)})")


def parse_layout(data: Mapping[str, Any]) -> Layout:
    """A Layout from a layout file's tables; LayoutError names the first bad or unknown key."""
    if not isinstance(data, Mapping):
        raise LayoutError("a layout must be a table with [layout] and [[zones]]")
    _unknown("", data, ("layout", "zones", "storage"))
    table = data.get("layout")
    if not isinstance(table, Mapping):
        raise LayoutError("missing [layout] table")
    _unknown("layout.", table, LAYOUT_KEYS)
    missing = [k for k in LAYOUT_KEYS if k not in table and k not in OPTIONAL_LAYOUT_KEYS]
    if missing:
        raise LayoutError(f"missing key {', '.join('layout.' + k for k in missing)}")
    pick_levels = _int_list("layout.pick_levels", table.get("pick_levels", [1]))
    raw_zones = data.get("zones", [])
    if not isinstance(raw_zones, Sequence) or isinstance(raw_zones, str):
        raise LayoutError("zones must be a list of [[zones]] tables")
    zones = []
    for index, raw in enumerate(raw_zones):
        where = f"zones[{index}]"
        if not isinstance(raw, Mapping):
            raise LayoutError(f"{where} must be a table with {', '.join(ZONE_KEYS)}")
        _unknown(f"{where}.", raw, ZONE_KEYS)
        absent = [k for k in ZONE_KEYS if k not in raw]
        if absent:
            raise LayoutError(f"missing key {', '.join(f'{where}.{k}' for k in absent)}")
        zones.append(Zone(raw["name"], raw["first_aisle"], raw["last_aisle"]))
    layout = Layout(
        aisles=table["aisles"],
        bays_per_aisle=table["bays_per_aisle"],
        bay_width=table["bay_width"],
        aisle_spacing=table["aisle_spacing"],
        cross_aisles_after=_int_list("layout.cross_aisles_after", table["cross_aisles_after"]),
        depot_aisle=table["depot_aisle"],
        levels=table.get("levels", 1),
        pick_levels=pick_levels,
        zones=tuple(zones),
    )
    try:
        storage = parse_storage(
            data.get("storage"),
            aisles=layout.aisles,
            bays=layout.bays_per_aisle,
            levels=layout.levels,
        )
    except StorageError as exc:
        raise LayoutError(str(exc)) from None
    return replace(layout, storage=storage)
