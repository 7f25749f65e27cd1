"""Carrier and service choice: the service the order asked for, or another the policy allows.

`SERVICE_POLICIES` names what a site may allow: keep the order's service ("as_ordered"), or
take the cheapest that arrives by the promised date ("cheapest_on_time"). Every candidate
carries its price, delivery date or the reason against it; a choice other than the order's
says why in words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

# What the site allows instead of the service the order asked for, in words for the packer.
SERVICE_POLICIES: dict[str, str] = {
    "as_ordered": "the service the order asked for",
    "cheapest_on_time": "the cheapest that arrives by the promised date",
}


@dataclass(frozen=True)
class RateRow:
    max_weight_g: int
    cost_cents: int


@dataclass(frozen=True)
class Service:
    carrier: str
    code: str
    name: str
    # Business days from hand-over to delivery, by destination zone; `transit_days` otherwise.
    transit_days: int
    transit_by_zone: Mapping[int, int] = field(default_factory=dict)
    max_weight_g: int = 31_500
    max_length_mm: int = 2_740
    # Length plus girth (2 x width + 2 x height), the limit parcel carriers quote.
    max_length_girth_mm: int = 4_190
    # Dimensional weight divisor in cm3 per kg (5000 is common; the same number is mm3 per g);
    # 0: billed on weight alone.
    dim_divisor: int = 0
    # Countries served; empty: everywhere a zone is known.
    countries: frozenset[str] = frozenset()
    # Rate rows by zone, cheapest weight band first.
    rates: Mapping[int, tuple[RateRow, ...]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.carrier}/{self.code}"

    def transit(self, zone: int) -> int:
        return self.transit_by_zone.get(zone, self.transit_days)


@dataclass(frozen=True)
class ZoneRule:
    country: str
    prefix: str  # postal-code prefix; "" matches every code of the country
    zone: int


@dataclass(frozen=True)
class CarrierInfo:
    code: str
    name: str
    tracking: str  # the tracking-number format (domain.tracking.FORMATS)
    account: str = ""


@dataclass(frozen=True)
class CarrierRules:
    services: tuple[Service, ...]
    zones: tuple[ZoneRule, ...]
    carriers: Mapping[str, CarrierInfo] = field(default_factory=dict)
    # Weekdays parcels do not move (0 = Monday) and holidays, for counting transit days.
    closed_weekdays: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()
    # The promise when the order asks for a service this site does not know.
    default_promise_days: int = 5
    # False: only the requested carrier's services are considered.
    allow_carrier_change: bool = True
    # Which service is suggested (SERVICE_POLICIES): the order's unless this allows another.
    service_policy: str = "as_ordered"

    def service(self, carrier: str, code: str) -> Service | None:
        for service in self.services:
            if service.carrier.upper() == carrier.upper() and service.code.upper() == code.upper():
                return service
        return None

    def carrier(self, code: str) -> CarrierInfo:
        found = self.carriers.get(code.upper())
        return found if found is not None else CarrierInfo(code.upper(), code, "generic")

    def zone(self, country: str, postal_code: str) -> int | None:
        """The destination zone: the longest matching postal prefix for the country."""
        code = postal_code.replace(" ", "").upper()
        best: ZoneRule | None = None
        for rule in self.zones:
            matches = rule.country.upper() == country.upper() and code.startswith(
                rule.prefix.upper()
            )
            if matches and (best is None or len(rule.prefix) > len(best.prefix)):
                best = rule
        return best.zone if best is not None else None

    def working_day(self, day: date) -> bool:
        return day.weekday() not in self.closed_weekdays and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (a hand-over on a closed day moves on)."""
        day = start
        while not self.working_day(day):
            day += timedelta(days=1)
        for _ in range(days):
            day += timedelta(days=1)
            while not self.working_day(day):
                day += timedelta(days=1)
        return day


@dataclass(frozen=True)
class Parcel:
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int

    def sorted_dims(self) -> tuple[int, int, int]:
        a, b, c = sorted((self.length_mm, self.width_mm, self.height_mm), reverse=True)
        return a, b, c


@dataclass(frozen=True)
class ShipmentRequest:
    parcels: tuple[Parcel, ...]
    country: str
    postal_code: str
    requested_carrier: str
    requested_service: str
    ship_by: date
    ship_on: date  # the day it is handed to the carrier (usually today)


@dataclass(frozen=True)
class Candidate:
    service: Service
    cost_cents: int | None
    delivery: date | None
    # Empty when the service can carry it on time; otherwise why not, in a sentence.
    rejected: str = ""


@dataclass(frozen=True)
class ServiceChoice:
    chosen: Candidate | None
    candidates: tuple[Candidate, ...]
    zone: int | None
    promised: date
    # True when no service meets the promise and the fastest one was chosen instead.
    late: bool = False
    overridden: bool = False
    # The service the order asked for, as evaluated (None: this site does not know it).
    requested: Candidate | None = None
    # Why the choice is what it is, in words (the chosen differs from the order's: why).
    why: str = ""

    def explain(self) -> list[str]:
        """One line per candidate, cheapest first, for the packer's screen."""
        lines = []
        for c in self.candidates:
            price = f"{c.cost_cents / 100:.2f}" if c.cost_cents is not None else "-"
            when = c.delivery.isoformat() if c.delivery else "-"
            mark = "*" if self.chosen is not None and c.service == self.chosen.service else " "
            why = f"  ({c.rejected})" if c.rejected else ""
            lines.append(f"{mark} {c.service.key:<24} {price:>8}  arrives {when}{why}")
        return lines


def billable_weight_g(parcel: Parcel, divisor: int) -> int:
    """Actual weight or dimensional weight, whichever is more (mm3 / divisor gives grams)."""
    if divisor <= 0:
        return parcel.weight_g
    dim = math.ceil(parcel.length_mm * parcel.width_mm * parcel.height_mm / divisor)
    return max(parcel.weight_g, dim)


def _rate(service: Service, zone: int, parcel: Parcel) -> int | str:
    rows = service.rates.get(zone)
    if not rows:
        return f"no rate to zone {zone}"
    weight = billable_weight_g(parcel, service.dim_divisor)
    for row in rows:
        if weight <= row.max_weight_g:
            return row.cost_cents
    return f"{weight / 1000:g} kg billable is above its rate table"


def _limits(service: Service, parcel: Parcel) -> str:
    length, width, height = parcel.sorted_dims()
    if parcel.weight_g > service.max_weight_g:
        return f"{parcel.weight_g / 1000:g} kg is over its {service.max_weight_g / 1000:g} kg limit"
    if length > service.max_length_mm:
        return f"{length} mm long is over its {service.max_length_mm} mm limit"
    girth = length + 2 * (width + height)
    if girth > service.max_length_girth_mm:
        return f"length + girth {girth} mm is over its {service.max_length_girth_mm} mm limit"
    return ""


def promised_date(rules: CarrierRules, request: ShipmentRequest, zone: int | None) -> date:
    """The delivery date the customer was promised: ship-by plus the requested service's transit."""
    requested = rules.service(request.requested_carrier, request.requested_service)
    days = (
        requested.transit(zone)
        if requested is not None and zone is not None
        else rules.default_promise_days
    )
    return rules.add_working_days(request.ship_by, days)


def evaluate(
    rules: CarrierRules, service: Service, request: ShipmentRequest, zone: int | None
) -> Candidate:
    """What `service` would cost and when it would arrive, or why it cannot carry this."""
    if zone is None:
        return Candidate(service, None, None, "no zone for this destination")
    if service.countries and request.country.upper() not in service.countries:
        return Candidate(service, None, None, f"does not ship to {request.country}")
    if not rules.allow_carrier_change and service.carrier.upper() != (
        request.requested_carrier.upper()
    ):
        return Candidate(service, None, None, f"the order asks for {request.requested_carrier}")
    total = 0
    for number, parcel in enumerate(request.parcels, 1):
        prefix = f"box {number}: " if len(request.parcels) > 1 else ""
        problem = _limits(service, parcel)
        if problem:
            return Candidate(service, None, None, prefix + problem)
        cost = _rate(service, zone, parcel)
        if isinstance(cost, str):
            return Candidate(service, None, None, prefix + cost)
        total += cost
    delivery = rules.add_working_days(request.ship_on, service.transit(zone))
    return Candidate(service, total, delivery)


def choose_service(
    rules: CarrierRules,
    request: ShipmentRequest,
    override: tuple[str, str] | None = None,
) -> ServiceChoice:
    """The cheapest service arriving by the promised date; every candidate with its reason.

    With `override` (carrier, service) that service is chosen if it can carry the parcels at
    all, even late or dearer: the packer has seen the list and decided.
    """
    if not request.parcels:
        raise ValueError("a shipment needs at least one parcel")
    zone = rules.zone(request.country, request.postal_code)
    promised = promised_date(rules, request, zone)
    evaluated = []
    for service in rules.services:
        candidate = evaluate(rules, service, request, zone)
        if not candidate.rejected and candidate.delivery and candidate.delivery > promised:
            candidate = Candidate(
                service,
                candidate.cost_cents,
                candidate.delivery,
                f"arrives {candidate.delivery.isoformat()}, after the promised "
                f"{promised.isoformat()}",
            )
        evaluated.append(candidate)
    ordered = tuple(
        sorted(
            evaluated,
            key=lambda c: (
                c.cost_cents is None,
                c.cost_cents or 0,
                c.delivery or date.max,
                c.service.key,
            ),
        )
    )
    requested = next(
        (
            c
            for c in ordered
            if (c.service.carrier.upper(), c.service.code.upper())
            == (request.requested_carrier.upper(), request.requested_service.upper())
        ),
        None,
    )
    if override is not None:
        return replace(
            _overridden(ordered, zone, promised, override),
            requested=requested,
            why="your choice",
        )
    if (
        rules.service_policy == "as_ordered"
        and requested is not None
        and requested.cost_cents is not None
        and requested.delivery is not None
    ):
        late = requested.delivery > promised
        why = "the service the order asked for" + (" (it arrives late)" if late else "")
        return ServiceChoice(requested, ordered, zone, promised, late, False, requested, why)
    choice = _by_rules(ordered, zone, promised)
    return replace(choice, requested=requested, why=_why(rules, request, choice, requested))


def _by_rules(ordered: tuple[Candidate, ...], zone: int | None, promised: date) -> ServiceChoice:
    """The cheapest service on time; else the fastest that can carry it, marked late."""
    on_time = [c for c in ordered if not c.rejected]
    if on_time:
        return ServiceChoice(on_time[0], ordered, zone, promised)
    # Nothing meets the promise: the fastest service that can carry it, cheapest among equals.
    able = [c for c in ordered if c.delivery is not None and c.cost_cents is not None]
    if not able:
        return ServiceChoice(None, ordered, zone, promised)
    fastest = min(able, key=lambda c: (c.delivery or date.max, c.cost_cents or 0))
    return ServiceChoice(fastest, ordered, zone, promised, late=True)


def _why(
    rules: CarrierRules,
    request: ShipmentRequest,
    choice: ServiceChoice,
    requested: Candidate | None,
) -> str:
    """Why the rules chose what they did instead of the order's service, in words."""
    chosen = choice.chosen
    asked = f"{request.requested_carrier}/{request.requested_service}".upper()
    if chosen is not None and requested is not None and chosen.service == requested.service:
        return "the service the order asked for"
    if requested is None:
        because = f"the order asked for {asked}, which this site does not know"
    elif requested.cost_cents is None or requested.rejected:
        # It cannot carry the boxes, or it would arrive after the promised date.
        because = f"the order asked for {requested.service.name}, which {requested.rejected}"
    elif rules.service_policy == "cheapest_on_time" and chosen is not None:
        saved = (requested.cost_cents or 0) - (chosen.cost_cents or 0)
        cheaper = f"{saved / 100:.2f} cheaper" if saved > 0 else "as cheap"
        return (
            f"instead of the asked {requested.service.name}: {cheaper} and arrives "
            f"{chosen.delivery.isoformat() if chosen.delivery else '-'}, by the promised "
            f"{choice.promised.isoformat()} (policy: "
            f"{SERVICE_POLICIES['cheapest_on_time']})"
        )
    else:
        because = f"the order asked for {requested.service.name}"
    if chosen is None:
        return f"{because}; no service can carry it: F6 chooses one"
    if choice.late:
        return f"{because}; nothing arrives by the promised date: the fastest instead"
    return f"{because}; instead {SERVICE_POLICIES['cheapest_on_time']}"


def _overridden(
    ordered: Sequence[Candidate], zone: int | None, promised: date, override: tuple[str, str]
) -> ServiceChoice:
    carrier, code = override
    for candidate in ordered:
        service = candidate.service
        if service.carrier.upper() == carrier.upper() and service.code.upper() == code.upper():
            if candidate.cost_cents is None:
                raise ValueError(f"{service.key} cannot carry this: {candidate.rejected}")
            late = candidate.delivery is not None and candidate.delivery > promised
            return ServiceChoice(candidate, tuple(ordered), zone, promised, late, overridden=True)
    raise ValueError(f"there is no service {carrier}/{code} in the carrier rules")
