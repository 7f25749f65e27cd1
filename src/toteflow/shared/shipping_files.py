"""Reads the box catalogue and carrier rules (TOML) into domain objects, naming any bad key."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from toteflow.domain.carriers import (
    SERVICE_POLICIES,
    CarrierInfo,
    CarrierRules,
    RateRow,
    Service,
    ZoneRule,
)
from toteflow.domain.cartonize import Box
from toteflow.domain.tracking import FORMATS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ShippingFileError(ValueError):
    """A box catalogue or carrier file is missing, unreadable or wrong; names file and key."""


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ShippingFileError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ShippingFileError(f"{path.name}: not valid TOML: {exc}") from None


def _get(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in table:
        raise ShippingFileError(f"{where}: missing key {key}")
    value = table[key]
    # bool is an int to Python; a true/false where a number belongs is still a mistake.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ShippingFileError(f"{where}: {key} has the wrong type ({value!r})")
    return value


def _cents(amount: float, where: str) -> int:
    if amount < 0:
        raise ShippingFileError(f"{where}: a price must not be negative")
    return round(amount * 100)


def load_boxes(path: Path) -> list[Box]:
    data = _read(path)
    known = {"box"}
    extra = set(data) - known
    if extra:
        raise ShippingFileError(f"{path.name}: unknown key {sorted(extra)[0]}")
    boxes = []
    codes: set[str] = set()
    for n, raw in enumerate(data.get("box", []), 1):
        where = f"{path.name}: box {n}"
        allowed = {"code", "name", "length_mm", "width_mm", "height_mm", "max_weight_g"}
        allowed |= {"tare_g", "cost", "barcode"}
        for key in raw:
            if key not in allowed:
                raise ShippingFileError(f"{where}: unknown key {key}")
        code = _get(raw, "code", str, where)
        if code in codes:
            raise ShippingFileError(f"{where}: code {code} appears twice")
        codes.add(code)
        dims = [_get(raw, k, int, where) for k in ("length_mm", "width_mm", "height_mm")]
        if min(dims) <= 0:
            raise ShippingFileError(f"{where}: dimensions must be positive")
        boxes.append(
            Box(
                code=code,
                name=str(raw.get("name", code)),
                length_mm=dims[0],
                width_mm=dims[1],
                height_mm=dims[2],
                max_weight_g=_get(raw, "max_weight_g", int, where),
                tare_g=int(raw.get("tare_g", 0)),
                cost_cents=_cents(float(_get(raw, "cost", (int, float), where)), where),
                barcode=str(raw.get("barcode", "")),
            )
        )
    if not boxes:
        raise ShippingFileError(f"{path.name}: no [[box]] entries: the catalogue is empty")
    return boxes


def load_carrier_rules(path: Path) -> CarrierRules:
    data = _read(path)
    extra = set(data) - {"policy", "zone", "carrier"}
    if extra:
        raise ShippingFileError(f"{path.name}: unknown key {sorted(extra)[0]}")
    policy = data.get("policy", {})
    zones = tuple(
        ZoneRule(
            _get(z, "country", str, f"{path.name}: zone {n}").upper(),
            str(z.get("prefix", "")),
            _get(z, "zone", int, f"{path.name}: zone {n}"),
        )
        for n, z in enumerate(data.get("zone", []), 1)
    )
    services: list[Service] = []
    carriers: dict[str, CarrierInfo] = {}
    for n, raw in enumerate(data.get("carrier", []), 1):
        where = f"{path.name}: carrier {n}"
        code = _get(raw, "code", str, where).upper()
        tracking = str(raw.get("tracking", "generic"))
        if tracking not in FORMATS:
            raise ShippingFileError(f"{where}: tracking must be one of {', '.join(FORMATS)}")
        carriers[code] = CarrierInfo(
            code, str(raw.get("name", code)), tracking, str(raw.get("account", ""))
        )
        for m, svc in enumerate(raw.get("service", []), 1):
            services.append(_service(code, svc, f"{where} ({code}) service {m}"))
    if not services:
        raise ShippingFileError(f"{path.name}: no carrier services defined")
    try:
        closed = frozenset(WEEKDAYS.index(d.lower()[:3]) for d in policy.get("closed_weekdays", []))
        holidays = frozenset(date.fromisoformat(str(d)) for d in policy.get("holidays", []))
    except ValueError as exc:
        raise ShippingFileError(f"{path.name}: policy: {exc}") from None
    service_policy = str(policy.get("service_policy", "as_ordered"))
    if service_policy not in SERVICE_POLICIES:
        raise ShippingFileError(
            f"{path.name}: policy: service_policy must be one of {', '.join(SERVICE_POLICIES)}"
        )
    return CarrierRules(
        services=tuple(services),
        zones=zones,
        carriers=carriers,
        closed_weekdays=closed,
        holidays=holidays,
        default_promise_days=int(policy.get("default_promise_days", 5)),
        allow_carrier_change=bool(policy.get("allow_carrier_change", True)),
        service_policy=service_policy,
    )


def _service(carrier: str, raw: dict[str, Any], where: str) -> Service:
    rates_raw = _get(raw, "rates", dict, where)
    bands = [float(v) for v in _get(rates_raw, "max_kg", list, where + " rates")]
    if bands != sorted(bands):
        raise ShippingFileError(f"{where}: rates.max_kg must rise")
    rates: dict[int, tuple[RateRow, ...]] = {}
    for zone, prices in rates_raw.items():
        if zone == "max_kg":
            continue
        if not zone.isdigit() or not isinstance(prices, list) or len(prices) != len(bands):
            raise ShippingFileError(
                f"{where}: rates.{zone} must be a zone number with one price per max_kg band"
            )
        rates[int(zone)] = tuple(
            RateRow(round(kg * 1000), _cents(float(p), where))
            for kg, p in zip(bands, prices, strict=True)
        )
    by_zone = {int(k): int(v) for k, v in dict(raw.get("transit_by_zone", {})).items()}
    return Service(
        carrier=carrier,
        code=_get(raw, "code", str, where).upper(),
        name=str(raw.get("name", raw["code"])),
        transit_days=_get(raw, "transit_days", int, where),
        transit_by_zone=by_zone,
        max_weight_g=round(float(raw.get("max_weight_kg", 31.5)) * 1000),
        max_length_mm=round(float(raw.get("max_length_cm", 274)) * 10),
        max_length_girth_mm=round(float(raw.get("max_length_girth_cm", 419)) * 10),
        # cm3 per kg is the same number as mm3 per g: billable grams = mm3 / divisor.
        dim_divisor=int(raw.get("dim_divisor", 0)),
        rates=rates,
    )
