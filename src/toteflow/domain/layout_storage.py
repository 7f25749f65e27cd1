"""The layout file's optional `[storage]` table: what put-away knows of each rack location.

Every key has a default (a pallet location: 1200 x 1000 x 1500 mm, 1,000 kg, one SKU,
ambient, no velocity zones), so a layout without `[storage]` works as before. Overrides for
some levels (`[[storage.levels]]`) or aisles (`[[storage.aisles]]`) apply in the order
written, aisles after levels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

MIXING = ("empty_only", "same_sku", "same_lot", "mixed")
ATTRIBUTE_KEYS = (
    "storage_class",
    "length_mm",
    "width_mm",
    "height_mm",
    "max_weight_kg",
    "upright_allowed",
    "mixing",
)
STORAGE_KEYS = (*ATTRIBUTE_KEYS, "velocity_a_bays", "velocity_b_bays", "levels", "aisles")
_MAX_MM = 100_000
_MAX_KG = 100_000


class StorageError(ValueError):
    """A `[storage]` key is invalid; the message names it."""


@dataclass(frozen=True)
class StorageSpec:
    """One location's storage attributes (sizes in mm, weight in grams)."""

    storage_class: str = "ambient"
    length_mm: int = 1200
    width_mm: int = 1000
    height_mm: int = 1500
    max_weight_g: int = 1_000_000
    upright_allowed: bool = True
    mixing: str = "same_sku"
    velocity_zone: str | None = None


@dataclass(frozen=True)
class _Override:
    first: int
    last: int
    changes: tuple[tuple[str, Any], ...]  # a tuple, not a dict: a Layout must stay hashable


@dataclass(frozen=True)
class StorageRules:
    """The `[storage]` table, parsed: the defaults, overrides, and velocity zones by bay."""

    base: StorageSpec = StorageSpec()
    levels: tuple[_Override, ...] = ()
    aisles: tuple[_Override, ...] = ()
    a_bays: int = 0
    b_bays: int = 0

    def spec(self, aisle: int, bay: int, level: int) -> StorageSpec:
        """The attributes of the location at (aisle, bay, level)."""
        spec = self.base
        for override in self.levels:
            if override.first <= level <= override.last:
                spec = replace(spec, **dict(override.changes))
        for override in self.aisles:
            if override.first <= aisle <= override.last:
                spec = replace(spec, **dict(override.changes))
        if self.a_bays or self.b_bays:
            zone = "A" if bay <= self.a_bays else "B" if bay <= self.b_bays else "C"
            spec = replace(spec, velocity_zone=zone)
        return spec


def parse_storage(data: object, *, aisles: int, bays: int, levels: int) -> StorageRules:
    """The `[storage]` table of a layout file (None: all defaults)."""
    if data is None:
        return StorageRules()
    if not isinstance(data, Mapping):
        raise StorageError("storage must be a table: [storage]")
    _unknown("storage.", data, STORAGE_KEYS)
    base = replace(StorageSpec(), **_attributes("storage", data))
    a_bays = _int("storage.velocity_a_bays", data.get("velocity_a_bays", 0), 0, bays)
    b_bays = _int("storage.velocity_b_bays", data.get("velocity_b_bays", a_bays), a_bays, bays)
    return StorageRules(
        base=base,
        levels=_overrides(data.get("levels", []), "levels", "level", levels),
        aisles=_overrides(data.get("aisles", []), "aisles", "aisle", aisles),
        a_bays=a_bays,
        b_bays=b_bays,
    )


def _overrides(raw: object, name: str, unit: str, top: int) -> tuple[_Override, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise StorageError(f"storage.{name} must be a list of [[storage.{name}]] tables")
    found = []
    for index, table in enumerate(raw):
        where = f"storage.{name}[{index}]"
        if not isinstance(table, Mapping):
            raise StorageError(f"{where} must be a table")
        keys = (unit, f"first_{unit}", f"last_{unit}", *ATTRIBUTE_KEYS)
        _unknown(f"{where}.", table, keys)
        if unit in table:
            first = last = _int(f"{where}.{unit}", table[unit], 1, top)
        elif f"first_{unit}" in table:
            first = _int(f"{where}.first_{unit}", table[f"first_{unit}"], 1, top)
            last = _int(f"{where}.last_{unit}", table.get(f"last_{unit}", first), first, top)
        else:
            raise StorageError(f"{where} must name {unit}, or first_{unit} and last_{unit}")
        given = _given(table)
        changes = tuple((k, v) for k, v in _attributes(where, table).items() if k in given)
        found.append(_Override(first, last, changes))
    return tuple(found)


def _given(table: Mapping[str, Any]) -> set[str]:
    return {"max_weight_g" if k == "max_weight_kg" else k for k in table}


def _attributes(where: str, table: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "storage_class" in table:
        value = table["storage_class"]
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 20:
            raise StorageError(f"{where}.storage_class must be a name of 1-20 characters")
        out["storage_class"] = value.strip().lower()
    for key in ("length_mm", "width_mm", "height_mm"):
        if key in table:
            out[key] = _int(f"{where}.{key}", table[key], 1, _MAX_MM)
    if "max_weight_kg" in table:
        value = table["max_weight_kg"]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value <= _MAX_KG
        ):
            raise StorageError(f"{where}.max_weight_kg must be a positive number up to {_MAX_KG}")
        out["max_weight_g"] = round(value * 1000)
    if "upright_allowed" in table:
        if not isinstance(table["upright_allowed"], bool):
            raise StorageError(f"{where}.upright_allowed must be true or false")
        out["upright_allowed"] = table["upright_allowed"]
    if "mixing" in table:
        if table["mixing"] not in MIXING:
            raise StorageError(f"{where}.mixing must be one of {', '.join(MIXING)}")
        out["mixing"] = table["mixing"]
    return out


def _int(key: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise StorageError(f"{key} must be a whole number from {low} to {high}, got {value!r}")
    return value


def _unknown(where: str, data: Mapping[str, Any], known: Sequence[str]) -> None:
    extra = [key for key in data if key not in known]
    if extra:
        names = ", ".join(f"{where}{key}" for key in extra)
        raise StorageError(f"unknown key {names} (known: {', '.join(known)})")
