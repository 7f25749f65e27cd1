"""Receiving rules: case readings from GS1 labels, guided lot and expiry, quantities, damage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toteflow.domain.dock_to_stock import PlateTimes, dock_to_stock_seconds, summarise
from toteflow.domain.errors import Refused
from toteflow.domain.gs1_overrun import find_swallowed
from toteflow.domain.receipt_lines import (
    CaseOutcome,
    DamageReason,
    Decision,
    LineRules,
    LineState,
    LineStatus,
    NoticeState,
    ReceivedCase,
    ShortReason,
    Tolerance,
    apply_case,
    apply_cases,
    check_quantity,
    close_line,
    not_on_notice,
    receive_on_notice,
    tolerance_for,
)
from toteflow.domain.receiving import (
    CaseReading,
    Need,
    ReadingRefused,
    Tracking,
    add_scan,
    check_lot_expiry,
    read_case,
    with_tracking,
)
from toteflow.domain.scan import GS, interpret

GTIN = "04012345678901"
BOTH = Tracking(lot=True, expiry=True)


def reading(raw: str, tracking: Tracking = BOTH, **kw: object) -> CaseReading:
    result = read_case(interpret(raw), tracking, **kw)  # type: ignore[arg-type]
    assert isinstance(result, CaseReading), result
    return result


def refused(raw: str, tracking: Tracking = BOTH) -> str:
    result = read_case(interpret(raw), tracking)
    assert isinstance(result, ReadingRefused), result
    return result.reason


# --- one scan ---------------------------------------------------------------------------


def test_a_gs1_128_case_label_with_separators_gives_everything_in_one_scan() -> None:
    case = reading(f"]C101{GTIN}10ABC123{GS}17261231{GS}3712")
    assert (case.gtin, case.lot, case.expiry, case.count) == (
        GTIN,
        "ABC123",
        date(2026, 12, 31),
        12,
    )
    assert case.complete
    assert case.missing == ()
    assert case.units == 12


def test_a_datamatrix_label_reads_the_same() -> None:
    case = reading(f"]d201{GTIN}17270315{GS}10LOT-7{GS}3724")
    assert (case.gtin, case.lot, case.expiry, case.count) == (GTIN, "LOT-7", date(2027, 3, 15), 24)


def test_the_printed_hri_with_parentheses_reads_too() -> None:
    case = reading(f"(01){GTIN}(17)270315(10)LOT-7")
    assert (case.gtin, case.lot, case.expiry) == (GTIN, "LOT-7", date(2027, 3, 15))


def test_expiry_day_00_is_the_last_day_of_the_month() -> None:
    assert reading(f"]C101{GTIN}17260200").expiry == date(2026, 2, 28)
    assert reading(f"]C101{GTIN}17280200").expiry == date(2028, 2, 29)  # leap year


def test_a_logistic_unit_gives_its_contents_gtin_and_count_and_its_sscc() -> None:
    case = reading(f"]C100340123450000000017{GS}02{GTIN}37120", Tracking())
    assert case.sscc == "340123450000000017"
    assert (case.gtin, case.contents, case.count) == (GTIN, True, 120)


def test_a_bare_sscc_names_the_pallet_and_asks_for_the_product() -> None:
    case = reading("340123450000000017", Tracking())
    assert case.sscc == "340123450000000017"
    assert case.missing == (Need.PRODUCT,)


def test_a_plain_ean_is_one_unit_of_a_product() -> None:
    case = reading("4012345678901", Tracking())
    assert (case.gtin, case.units, case.missing) == (GTIN, 1, ())


def test_a_bad_check_digit_or_another_label_is_refused_in_words() -> None:
    assert refused(f"]C101{GTIN[:-1]}2") == "check digit wrong in GTIN (01): expected 1"
    assert refused("T000001") == "not a case or pallet label: that was a tote label"


def test_an_expired_case_is_refused_when_today_is_given() -> None:
    result = read_case(interpret(f"]C101{GTIN}17250101"), BOTH, today=date(2026, 1, 1))
    assert isinstance(result, ReadingRefused)
    assert "expired on 2025-01-01" in result.reason


# --- a missing separator -------------------------------------------------------------------


def test_a_lot_that_swallowed_the_expiry_is_caught() -> None:
    # interpret() reads this as the lot "ABC12317261231": the FNC1 after the lot is missing.
    assert interpret(f"]C101{GTIN}10ABC12317261231").lot == "ABC12317261231"  # type: ignore[union-attr]
    reason = refused(f"]C101{GTIN}10ABC12317261231")
    assert reason.startswith("the lot (10) ran into the next field: it reads ABC123")
    assert "expiry date (17) 261231" in reason
    assert "missing a separator (FNC1)" in reason


def test_a_count_that_ran_into_a_date_is_caught_though_the_scan_did_not_read() -> None:
    assert interpret(f"]C102{GTIN}371217261231").kind is None  # a ScanError
    swallowed = find_swallowed(f"]C102{GTIN}371217261231")
    assert swallowed is not None
    assert (swallowed.ai, swallowed.own_value, swallowed.swallowed) == (
        "37",
        "12",
        (("17", "261231"),),
    )
    assert refused(f"]C102{GTIN}371217261231").startswith("the count (37) ran into")


def test_a_count_that_ran_into_a_lot_is_caught() -> None:
    swallowed = find_swallowed(f"]C102{GTIN}371210LOT1")
    assert swallowed is not None
    assert (swallowed.own_value, swallowed.swallowed) == ("12", (("10", "LOT1"),))


@pytest.mark.parametrize(
    "raw",
    [
        f"]C101{GTIN}10ABC123{GS}17261231",  # separator present
        f"]C101{GTIN}10LOT1012",  # a lot that merely contains "10"
        f"]C101{GTIN}10ABC3712",  # a lot ending in digits that could be a count
        f"]C102{GTIN}37120",
        f"(01){GTIN}(10)ABC12317261231",  # printed text keeps its fields apart
    ],
)
def test_well_formed_labels_are_not_taken_for_a_missing_separator(raw: str) -> None:
    assert find_swallowed(raw) is None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_looking_for_a_swallowed_field_never_raises(raw: str) -> None:
    find_swallowed(raw)
    read_case(interpret(raw), BOTH)


# --- two scans, guided ---------------------------------------------------------------------


def test_lot_then_expiry_on_two_labels_are_taken_in_two_guided_scans() -> None:
    first = reading(f"]C101{GTIN}10ABC123")
    assert first.missing == (Need.EXPIRY,)
    assert first.prompt() == "scan the label with the expiry date"
    second = add_scan(first, interpret("]C117261231"), BOTH)
    assert isinstance(second, CaseReading)
    assert (second.lot, second.expiry, second.complete, second.scans) == (
        "ABC123",
        date(2026, 12, 31),
        True,
        2,
    )


def test_the_product_first_then_lot_and_expiry_asks_for_both() -> None:
    first = reading("4012345678901")
    assert first.missing == (Need.LOT, Need.EXPIRY)
    assert first.prompt() == "scan the label with the lot and scan the label with the expiry date"
    lot = add_scan(first, interpret("]C110L9"), BOTH)
    assert isinstance(lot, CaseReading)
    assert lot.missing == (Need.EXPIRY,)


def test_tracking_learnt_after_the_first_scan_recomputes_what_is_missing() -> None:
    first = reading(f"]C101{GTIN}", Tracking())
    assert first.complete
    assert with_tracking(first, Tracking(lot=True)).missing == (Need.LOT,)


def test_a_second_label_of_another_product_or_lot_is_refused() -> None:
    first = reading(f"]C101{GTIN}10ABC")
    other = add_scan(first, interpret("]C10109501101020917"), BOTH)
    assert isinstance(other, ReadingRefused)
    assert other.reason.startswith("this label's product is 09501101020917")
    lot = add_scan(first, interpret("]C110XYZ"), BOTH)
    assert isinstance(lot, ReadingRefused)
    assert "lot is XYZ, the case's is ABC" in lot.reason


def test_a_second_label_that_adds_nothing_says_what_is_still_needed() -> None:
    first = reading(f"]C101{GTIN}10ABC")
    again = add_scan(first, interpret(f"]C101{GTIN}"), BOTH)
    assert isinstance(again, ReadingRefused)
    assert again.reason == "nothing new on that label: scan the label with the expiry date"


def test_a_lot_scanned_again_with_another_expiry_is_refused() -> None:
    recorded = {"ABC123": date(2026, 12, 31), "OLD": None}
    assert check_lot_expiry("ABC123", date(2026, 12, 31), recorded) is None
    assert check_lot_expiry("NEW", date(2027, 1, 31), recorded) is None
    assert check_lot_expiry("OLD", date(2027, 1, 31), recorded) is None
    reason = check_lot_expiry("ABC123", date(2027, 1, 31), recorded)
    assert reason == (
        "lot ABC123 was received with expiry date 2026-12-31, this label says 2027-01-31: "
        "set the case aside and tell a supervisor"
    )


# --- quantities --------------------------------------------------------------------------


def test_nothing_over_by_default() -> None:
    assert check_quantity(10, 8, 2, Tolerance()).decision is Decision.ACCEPT
    over = check_quantity(10, 8, 3, Tolerance())
    assert over.decision is Decision.NEEDS_SUPERVISOR
    assert over.words == (
        "1 unit over the 10 expected, beyond the tolerance (nothing over): "
        "a supervisor must approve"
    )


def test_tolerance_in_percent_and_units_both_hold() -> None:
    assert Tolerance(percent=Decimal(10)).allowed_over(50) == 5
    assert Tolerance(units=3).allowed_over(50) == 3
    assert Tolerance(percent=Decimal(10), units=3).allowed_over(50) == 3
    assert Tolerance(percent=Decimal("2.5")).allowed_over(100) == 2
    assert check_quantity(50, 50, 5, Tolerance(percent=Decimal(10))).decision is Decision.ACCEPT
    assert (
        check_quantity(50, 50, 6, Tolerance(percent=Decimal(10))).decision
        is Decision.NEEDS_SUPERVISOR
    )


def test_the_product_tolerance_wins_over_the_suppliers() -> None:
    product, supplier = Tolerance(units=1), Tolerance(units=9)
    assert tolerance_for(product, supplier) is product
    assert tolerance_for(None, supplier) is supplier
    assert tolerance_for(None, None) == Tolerance()


def test_ten_times_the_expected_is_a_unit_slip_even_within_tolerance() -> None:
    slip = check_quantity(12, 0, 120, Tolerance(percent=Decimal(1000)))
    assert slip.decision is Decision.NEEDS_SUPERVISOR
    assert "10 times the 12 expected: check the unit (cases or units?)" in slip.words
    assert check_quantity(12, 0, 119, Tolerance(percent=Decimal(1000))).decision is Decision.ACCEPT
    assert check_quantity(12, 0, 120, Tolerance(), approved=True).decision is Decision.ACCEPT


def test_a_case_of_no_units_is_refused() -> None:
    assert check_quantity(12, 0, 0, Tolerance()).decision is Decision.REFUSE


# --- lines -------------------------------------------------------------------------------


def line(expected: int = 48, **kw: object) -> LineState:
    return LineState(line_id=1, sku="SKU-1", expected=expected, **kw)  # type: ignore[arg-type]


def test_a_case_within_the_expected_goes_to_stock() -> None:
    outcome = apply_case(line(), ReceivedCase("E1", 24))
    assert outcome.decision is Decision.ACCEPT
    assert (outcome.state.received, outcome.state.accepted, outcome.state.short) == (24, 24, 24)
    assert outcome.to_stock == 24
    assert outcome.words == "24 units received: 24 to stock"


def test_a_case_counted_twice_is_counted_once() -> None:
    first = apply_case(line(), ReceivedCase("340123450000000017", 24))
    again = apply_case(first.state, ReceivedCase("340123450000000017", 24))
    assert again.duplicate
    assert again.state == first.state
    assert again.to_stock == 0
    assert again.words == "case 340123450000000017 was already counted"


def test_over_the_tolerance_waits_for_a_supervisor_then_counts_as_over() -> None:
    state = apply_case(line(10), ReceivedCase("E1", 10)).state
    waiting = apply_case(state, ReceivedCase("E2", 2))
    assert waiting.decision is Decision.NEEDS_SUPERVISOR
    assert waiting.state == state
    approved = apply_case(state, ReceivedCase("E2", 2, supervisor="B00001"))
    assert approved.decision is Decision.ACCEPT
    assert (approved.state.over, approved.state.received) == (2, 12)
    assert approved.words.endswith("approved by B00001")


def test_damaged_units_go_to_quarantine_and_the_rest_to_stock_in_one_receipt() -> None:
    case = ReceivedCase("E1", 24, damaged=((DamageReason.CRUSHED, 3), (DamageReason.WET, 1)))
    outcome = apply_case(line(), case)
    state = outcome.state
    assert (outcome.to_stock, outcome.to_quarantine) == (20, 4)
    assert (state.received, state.accepted, state.damaged) == (24, 20, 4)
    assert (
        outcome.words
        == "24 units received: 20 to stock; 4 damaged to quarantine (3 crushed, 1 wet)"
    )


def test_more_damaged_than_received_is_refused() -> None:
    outcome = apply_case(line(), ReceivedCase("E1", 2, damaged=((DamageReason.BROKEN, 3),)))
    assert outcome.decision is Decision.REFUSE
    assert outcome.words == "3 damaged units in a case of 2: count again"


def test_a_product_flagged_for_inspection_goes_to_quality_hold() -> None:
    case = ReceivedCase("E1", 10, damaged=((DamageReason.TORN_PACKAGING, 2),))
    outcome = apply_case(line(), case, LineRules(inspect=True))
    assert (outcome.to_stock, outcome.to_quality_hold, outcome.to_quarantine) == (0, 8, 2)
    assert outcome.state.held == 8


def test_a_short_line_stays_open_or_closes_with_a_fixed_reason() -> None:
    state = apply_case(line(), ReceivedCase("E1", 40)).state
    assert state.status is LineStatus.OPEN
    assert state.short == 8
    with pytest.raises(Refused, match="is 8 short: say why"):
        close_line(state)
    with pytest.raises(Refused, match="not a reason to close a short line: 'lost'"):
        close_line(state, "lost")
    closed = close_line(state, "supplier_short")
    assert (closed.status, closed.short_reason) == (LineStatus.CLOSED, ShortReason.SUPPLIER_SHORT)
    assert closed.words() == "SKU-1: 40 of 48 received, 8 short (closed: supplier short)"
    refused_case = apply_case(closed, ReceivedCase("E2", 8))
    assert refused_case.decision is Decision.REFUSE
    with pytest.raises(Refused, match="already closed"):
        close_line(closed)


def test_a_full_line_closes_without_a_reason() -> None:
    state = apply_case(line(10), ReceivedCase("E1", 10)).state
    assert close_line(state).status is LineStatus.CLOSED


def test_a_case_is_counted_on_one_line_of_a_notice_only() -> None:
    notice = NoticeState("ASN-7", {1: line(), 2: LineState(2, "SKU-2", 10)})
    notice, first = receive_on_notice(notice, 1, ReceivedCase("SSCC-1", 6))
    assert first is not None
    assert first.to_stock == 6
    same, again = receive_on_notice(notice, 2, ReceivedCase("SSCC-1", 6))
    assert again is not None
    assert again.duplicate
    assert same is notice
    assert again.words == "case SSCC-1 was already counted on notice ASN-7"
    unknown, nothing = receive_on_notice(notice, 9, ReceivedCase("SSCC-2", 1))
    assert unknown is notice
    assert nothing is None
    waiting, slip = receive_on_notice(notice, 2, ReceivedCase("SSCC-3", 100))
    assert slip is not None
    assert slip.decision is Decision.NEEDS_SUPERVISOR
    assert waiting is notice  # nothing counted: the same case may come back approved


def test_an_unknown_damage_reason_is_refused_in_words() -> None:
    case = ReceivedCase("E1", 4, damaged=(("dropped", 1),))  # type: ignore[arg-type]
    outcome = apply_case(line(), case)
    assert outcome.decision is Decision.REFUSE
    assert outcome.words.startswith("not a damage reason: 'dropped'; use crushed, wet")
    by_name = ReceivedCase("E1", 4, damaged=(("wet", 1),))  # type: ignore[arg-type]
    assert apply_case(line(), by_name).to_quarantine == 1


def test_items_not_on_the_notice_are_held_with_an_exception() -> None:
    held = not_on_notice("ASN-7", "SKU-9", 6, "HOLD-01")
    assert held.location == "HOLD-01"
    assert held.exception == (
        "SKU-9 is not on notice ASN-7: 6 units to HOLD-01, held for a supervisor to decide"
    )


cases = st.lists(
    st.builds(
        ReceivedCase,
        case_id=st.sampled_from([f"E{i}" for i in range(8)]),
        quantity=st.integers(-2, 40),
        damaged=st.lists(
            st.tuples(st.sampled_from(list(DamageReason)), st.integers(0, 10)), max_size=2
        ).map(tuple),
        supervisor=st.sampled_from([None, "B00001"]),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(expected=st.integers(1, 60), inspect=st.booleans(), received=cases)
def test_tallies_always_add_up_and_no_case_counts_twice(
    expected: int, inspect: bool, received: list[ReceivedCase]
) -> None:
    rules = LineRules(Tolerance(percent=Decimal(5), units=2), inspect=inspect)
    state, outcomes = apply_cases(line(expected), received, rules)
    counted: dict[str, CaseOutcome] = {}
    for case, outcome in zip(received, outcomes, strict=True):
        if outcome.decision is Decision.ACCEPT and not outcome.duplicate:
            assert case.case_id not in counted
            counted[case.case_id] = outcome
            assert outcome.to_stock + outcome.to_quarantine + outcome.to_quality_hold == (
                case.quantity
            )
    assert state.received == state.accepted + state.damaged + state.held
    assert state.received == sum(o.to_stock + o.to_quarantine + o.to_quality_hold for o in outcomes)
    assert state.cases == frozenset(counted)
    assert state.over == max(0, state.received - expected)
    if inspect:
        assert state.accepted == 0
    # Beyond the tolerance only with a supervisor's badge.
    if state.received > expected + rules.tolerance.allowed_over(expected):
        assert any(counted[c].words.endswith("approved by B00001") for c in counted)


# --- dock to stock ---------------------------------------------------------------------------


def test_dock_to_stock_seconds_per_plate_and_summed_up() -> None:
    t0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert dock_to_stock_seconds(t0, t0 + timedelta(minutes=5)) == 300
    assert dock_to_stock_seconds(t0, None) is None
    assert dock_to_stock_seconds(t0, t0 - timedelta(seconds=4)) == 0  # clocks apart
    plates = [PlateTimes(f"P{i}", t0, t0 + timedelta(seconds=60 * i)) for i in range(1, 11)]
    plates.append(PlateTimes("P-dock", t0))
    figures = summarise(plates)
    assert (figures.plates, figures.waiting) == (10, 1)
    assert (figures.median_s, figures.p90_s, figures.max_s) == (300, 540, 600)
    assert summarise([]).median_s is None
