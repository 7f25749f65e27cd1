"""Carrier and service choice: cheapest on time, every rejection explained, overrides, limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from toteflow.domain.carriers import (
    CarrierRules,
    Parcel,
    RateRow,
    Service,
    ShipmentRequest,
    ZoneRule,
    billable_weight_g,
    choose_service,
)
from toteflow.shared.shipping_files import ShippingFileError, load_boxes, load_carrier_rules

CONFIG = Path(__file__).resolve().parents[2] / "config"
RULES = load_carrier_rules(CONFIG / "carriers.toml")
MONDAY = date(2026, 11, 23)


def request(
    *parcels: Parcel,
    carrier: str = "UPS",
    service: str = "GROUND",
    ship_by: date = MONDAY,
    ship_on: date = MONDAY,
    postal: str = "97201",
    country: str = "US",
) -> ShipmentRequest:
    return ShipmentRequest(
        parcels or (Parcel(2000, 300, 200, 150),),
        country,
        postal,
        carrier,
        service,
        ship_by,
        ship_on,
    )


def rules(*services: Service, **kw: object) -> CarrierRules:
    return CarrierRules(services, (ZoneRule("US", "", 5),), **kw)  # type: ignore[arg-type]


def svc(code: str, days: int, price: int, **kw: object) -> Service:
    return Service(
        "C",
        code,
        code,
        days,
        rates={5: (RateRow(30_000, price),)},
        **kw,  # type: ignore[arg-type]
    )


def test_the_cheapest_service_that_meets_the_promise_wins() -> None:
    r = rules(svc("SLOW", 6, 500), svc("MID", 3, 900), svc("FAST", 1, 2000))
    choice = choose_service(r, request(carrier="C", service="MID"))
    assert choice.chosen is not None
    assert choice.chosen.service.code == "MID"
    # The promise: ship-by Monday plus MID's 3 working days.
    assert choice.promised == date(2026, 11, 26)
    slow = next(c for c in choice.candidates if c.service.code == "SLOW")
    assert "after the promised 2026-11-26" in slow.rejected


def test_shipping_early_lets_a_slower_cheaper_service_keep_the_promise() -> None:
    r = rules(svc("SLOW", 6, 500), svc("MID", 3, 900), service_policy="cheapest_on_time")
    early = choose_service(
        r, request(carrier="C", service="MID", ship_by=date(2026, 12, 7), ship_on=MONDAY)
    )
    assert early.chosen is not None
    assert early.chosen.service.code == "SLOW"


def test_weekends_and_holidays_do_not_count_as_transit_days() -> None:
    r = rules(svc("TWO", 2, 500), holidays=frozenset({date(2026, 11, 26)}))
    friday = date(2026, 11, 20)
    assert r.add_working_days(friday, 1) == MONDAY
    assert r.add_working_days(MONDAY, 3) == date(2026, 11, 27)  # Thursday the 26th is a holiday
    # Handed over on a Saturday: counting starts on Monday.
    assert r.add_working_days(date(2026, 11, 21), 0) == MONDAY


def test_weight_and_size_limits_reject_with_a_reason() -> None:
    r = rules(
        svc("SMALL", 2, 500, max_weight_g=5000, max_length_mm=500, max_length_girth_mm=1500),
        svc("BIG", 2, 900),
    )
    heavy = choose_service(r, request(Parcel(8000, 300, 200, 100), carrier="C", service="BIG"))
    small = next(c for c in heavy.candidates if c.service.code == "SMALL")
    assert small.rejected == "8 kg is over its 5 kg limit"
    long = choose_service(r, request(Parcel(1000, 600, 100, 100), carrier="C", service="BIG"))
    assert "600 mm long is over its 500 mm limit" in next(
        c.rejected for c in long.candidates if c.service.code == "SMALL"
    )
    girth = choose_service(r, request(Parcel(1000, 480, 300, 300), carrier="C", service="BIG"))
    assert "length + girth 1680 mm" in next(
        c.rejected for c in girth.candidates if c.service.code == "SMALL"
    )
    assert heavy.chosen is not None
    assert heavy.chosen.service.code == "BIG"


def test_several_parcels_add_up_and_any_one_over_a_limit_rejects_the_service() -> None:
    r = rules(svc("S", 2, 500, max_weight_g=5000))
    choice = choose_service(
        r,
        request(Parcel(1000, 100, 100, 100), Parcel(6000, 100, 100, 100), carrier="C", service="S"),
    )
    assert choice.chosen is None
    assert choice.candidates[0].rejected.startswith("box 2: ")
    ok = choose_service(
        r,
        request(Parcel(1000, 100, 100, 100), Parcel(2000, 100, 100, 100), carrier="C", service="S"),
    )
    assert ok.chosen is not None
    assert ok.chosen.cost_cents == 1000


def test_dimensional_weight_bills_light_bulky_parcels_by_volume() -> None:
    # 400 x 300 x 250 mm = 30,000 cm3; / 5000 = 6 kg billed for a 1 kg box.
    assert billable_weight_g(Parcel(1000, 400, 300, 250), 5000) == 6000
    assert billable_weight_g(Parcel(1000, 400, 300, 250), 0) == 1000


def test_no_service_on_time_means_the_fastest_one_marked_late() -> None:
    r = rules(svc("SLOW", 6, 500), svc("FAST", 2, 2000))
    late = choose_service(r, request(carrier="C", service="FAST", ship_on=date(2026, 11, 30)))
    assert late.late
    assert late.chosen is not None
    assert late.chosen.service.code == "FAST"


def test_the_packer_can_override_and_the_choice_says_so() -> None:
    choice = choose_service(RULES, request(), override=("UPS", "NEXT_DAY"))
    assert choice.overridden
    assert choice.chosen is not None
    assert choice.chosen.service.key == "UPS/NEXT_DAY"
    with pytest.raises(ValueError, match="no service"):
        choose_service(RULES, request(), override=("ACME", "ROCKET"))


def test_zones_come_from_the_longest_postal_prefix() -> None:
    assert RULES.zone("US", "97201") == 8
    assert RULES.zone("US", "60601") == 2
    assert RULES.zone("US", "30301") == 5  # only the country-wide rule matches
    assert RULES.zone("CA", "H2X 1Y4") is None
    abroad = choose_service(RULES, request(country="CA", postal="H2X 1Y4"))
    assert abroad.chosen is None
    assert all(c.rejected == "no zone for this destination" for c in abroad.candidates)


def test_the_shipped_rules_choose_and_explain_every_candidate() -> None:
    cheapest = replace(RULES, service_policy="cheapest_on_time")
    choice = choose_service(cheapest, request(ship_by=date(2026, 11, 25)))
    assert choice.chosen is not None
    assert not choice.late
    lines = choice.explain()
    assert len(lines) == len(RULES.services)
    assert sum(1 for line in lines if line.startswith("*")) == 1
    # The chosen one is the cheapest among those without a reason against them.
    on_time = [c for c in choice.candidates if not c.rejected]
    assert choice.chosen.cost_cents == min(c.cost_cents or 0 for c in on_time)


def test_carrier_change_can_be_forbidden_by_policy() -> None:
    r = CarrierRules(RULES.services, RULES.zones, RULES.carriers, allow_carrier_change=False)
    choice = choose_service(r, request(carrier="USPS", service="PRIORITY"))
    assert choice.chosen is not None
    assert choice.chosen.service.carrier == "USPS"


def test_bad_files_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "boxes.toml"
    bad.write_text('[[box]]\ncode = "A"\nname = "a"\nlength_mm = 10\nwidth_mm = 10\n')
    with pytest.raises(ShippingFileError, match="box 1: missing key height_mm"):
        load_boxes(bad)
    bad.write_text(
        "[[box]]\ncode = 'A'\nlength_mm = 1\nwidth_mm = 1\nheight_mm = 1\n"
        "max_weight_g = 1\ncost = 1\ncolour = 'red'\n"
    )
    with pytest.raises(ShippingFileError, match="unknown key colour"):
        load_boxes(bad)
    carriers = tmp_path / "carriers.toml"
    carriers.write_text("[[carrier]]\ncode = 'X'\ntracking = 'pigeon'\n")
    with pytest.raises(ShippingFileError, match="tracking must be one of"):
        load_carrier_rules(carriers)


def test_the_service_the_order_asked_for_is_kept_unless_the_policy_allows_another() -> None:
    services = (svc("SLOW", 6, 500), svc("MID", 3, 900), svc("FAST", 1, 2000))
    asked = request(carrier="C", service="FAST", ship_by=date(2026, 12, 7))
    kept = choose_service(rules(*services), asked)
    assert kept.chosen is not None
    assert kept.chosen.service.code == "FAST"
    assert kept.why == "the service the order asked for"
    assert kept.requested == kept.chosen
    cheaper = choose_service(rules(*services, service_policy="cheapest_on_time"), asked)
    assert cheaper.chosen is not None
    assert cheaper.chosen.service.code == "SLOW"
    # The screen says why, in words: how much cheaper, and that it still keeps the promise.
    assert cheaper.why == (
        "instead of the asked FAST: 15.00 cheaper and arrives 2026-12-01, by the promised "
        "2026-12-08 (policy: the cheapest that arrives by the promised date)"
    )


def test_a_service_that_cannot_carry_the_box_gives_way_and_says_why() -> None:
    small = svc("SMALL", 1, 700, max_weight_g=1000)
    r = rules(svc("SLOW", 6, 500), svc("MID", 3, 900), small)
    heavy = choose_service(r, request(Parcel(2000, 300, 200, 150), carrier="C", service="SMALL"))
    assert heavy.chosen is not None
    assert heavy.chosen.service.code == "MID"
    assert heavy.why.startswith("the order asked for SMALL, which 2 kg is over its 1 kg limit")
    # The price follows the parcel actually weighed: a light box keeps the asked service.
    light = choose_service(r, request(Parcel(800, 300, 200, 150), carrier="C", service="SMALL"))
    assert light.chosen is not None
    assert (light.chosen.service.code, light.chosen.cost_cents) == ("SMALL", 700)
    unknown = choose_service(r, request(carrier="C", service="ROCKET"))
    assert "the order asked for C/ROCKET, which this site does not know" in unknown.why


def test_a_bad_service_policy_is_named(tmp_path: Path) -> None:
    text = (CONFIG / "carriers.toml").read_text()
    bad = tmp_path / "carriers.toml"
    bad.write_text(text.replace('service_policy = "as_ordered"', 'service_policy = "cheap"'))
    with pytest.raises(ShippingFileError, match="service_policy must be one of as_ordered"):
        load_carrier_rules(bad)


def test_an_asked_service_that_would_arrive_late_gives_way_and_says_so() -> None:
    r = rules(svc("SLOW", 6, 500), svc("FAST", 1, 2000), service_policy="cheapest_on_time")
    # Handed over a week after ship-by: the asked SLOW would break the promise.
    late = choose_service(r, request(carrier="C", service="SLOW", ship_on=date(2026, 11, 30)))
    assert late.chosen is not None
    assert late.chosen.service.code == "FAST"
    assert late.why == (
        "the order asked for SLOW, which arrives 2026-12-08, after the promised 2026-12-01; "
        "instead the cheapest that arrives by the promised date"
    )
    # As ordered, it is kept, and said to be late.
    kept = choose_service(
        replace(r, service_policy="as_ordered"),
        request(carrier="C", service="SLOW", ship_on=date(2026, 11, 30)),
    )
    assert kept.chosen is not None
    assert (kept.chosen.service.code, kept.late) == ("SLOW", True)
    assert kept.why == "the service the order asked for (it arrives late)"
