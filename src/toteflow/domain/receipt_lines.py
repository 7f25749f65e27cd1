"""A notice line's tallies as cases arrive: over and under, damage, quality hold, each case once.

`apply_case` takes one received case or pallet against a line's state and returns the new
state and the outcome (accept, needs a supervisor, refuse) in words; it is idempotent by the
case's identity (its SSCC or the event id), so a case sent twice is counted once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from toteflow.domain.errors import Refused
from toteflow.domain.words import plural

UOM_SLIP_FACTOR = 10
"""A case of this many times the line's expected quantity or more is taken as a slip of the
unit of measure (cases keyed as units, say) rather than an over-delivery."""


class Decision(StrEnum):
    ACCEPT = "accept"
    NEEDS_SUPERVISOR = "needs_supervisor"
    REFUSE = "refuse"


class DamageReason(StrEnum):
    """Why units were recorded as damaged; damaged units go to quarantine."""

    CRUSHED = "crushed"
    WET = "wet"
    TORN_PACKAGING = "torn_packaging"
    BROKEN = "broken"
    LEAKING = "leaking"
    PESTS = "pests"
    EXPIRED = "expired"


class ShortReason(StrEnum):
    """Why a line is closed with fewer units than expected."""

    SUPPLIER_SHORT = "supplier_short"
    BACKORDERED_BY_SUPPLIER = "backordered_by_supplier"
    REFUSED_DAMAGED = "refused_damaged"
    CANCELLED_BY_BUYER = "cancelled_by_buyer"
    WRONG_ITEM_SENT = "wrong_item_sent"


class LineStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Tolerance:
    """How much over the expected quantity may be received without a supervisor.

    `percent` of the expected quantity (rounded down) and/or a number of `units`; with both
    set, both limits hold (the smaller allowance). Neither set: nothing over.
    """

    percent: Decimal | None = None
    units: int | None = None

    def allowed_over(self, expected: int) -> int:
        limits = []
        if self.percent is not None:
            limits.append(int(Decimal(expected) * self.percent / 100))
        if self.units is not None:
            limits.append(self.units)
        return max(0, min(limits)) if limits else 0

    def words(self) -> str:
        parts = []
        if self.percent is not None:
            parts.append(f"{self.percent.normalize():f}%")
        if self.units is not None:
            parts.append(plural(self.units, "unit"))
        return " and ".join(parts) or "nothing over"


NO_TOLERANCE = Tolerance()


def tolerance_for(product: Tolerance | None, supplier: Tolerance | None) -> Tolerance:
    """The tolerance that applies: the product's if it has one, else the supplier's, else none."""
    return product or supplier or NO_TOLERANCE


@dataclass(frozen=True)
class LineRules:
    """What governs a line: its over tolerance, and whether its units go to quality hold
    (the product or the supplier is flagged for inspection)."""

    tolerance: Tolerance = NO_TOLERANCE
    inspect: bool = False


class RuleSource(Protocol):
    """A product's or a supplier's receiving rules as the settings give them (read only)."""

    @property
    def over_tolerance_pct(self) -> float | None: ...
    @property
    def inspect(self) -> bool: ...


def line_rules_for(
    site_pct: float, supplier: RuleSource | None, product: RuleSource | None
) -> LineRules:
    """The rules of a line, the same at the station and the server: the product's tolerance
    if it has one (0 is its own: nothing over), else the supplier's, else the site's (0 or
    less there: nothing over); quality hold when the product or the supplier is flagged."""
    own = (
        Tolerance(percent=_percent(product.over_tolerance_pct))
        if product is not None and product.over_tolerance_pct is not None
        else None
    )
    pct = supplier.over_tolerance_pct if supplier is not None else site_pct
    by_supplier = Tolerance(percent=_percent(pct)) if pct is not None and pct > 0 else None
    inspect = bool((product is not None and product.inspect) or (supplier and supplier.inspect))
    return LineRules(tolerance_for(own, by_supplier), inspect=inspect)


def _percent(value: float) -> Decimal:
    # Through str: 2.5 stays 2.5, not the binary fraction nearest to it.
    return Decimal(str(value))


@dataclass(frozen=True)
class LineState:
    """A receipt line's tallies. received = accepted + damaged + held; over counts the units
    received beyond expected, short the ones still missing."""

    line_id: int
    sku: str
    expected: int
    received: int = 0
    accepted: int = 0
    damaged: int = 0
    held: int = 0
    status: LineStatus = LineStatus.OPEN
    short_reason: ShortReason | None = None
    cases: frozenset[str] = frozenset()
    """Identities (SSCC or event id) of the cases already counted on this line."""

    @property
    def over(self) -> int:
        return max(0, self.received - self.expected)

    @property
    def short(self) -> int:
        return max(0, self.expected - self.received)

    def words(self) -> str:
        """The line's state for a receiver: "SKU-1: 40 of 48 received, 8 short"."""
        text = f"{self.sku}: {self.received} of {self.expected} received"
        if self.over:
            text += f", {self.over} over"
        elif self.short:
            text += f", {self.short} short"
        if self.damaged:
            text += f", {self.damaged} damaged"
        if self.held:
            text += f", {self.held} on quality hold"
        if self.status is LineStatus.CLOSED:
            text += " (closed" + (f": {_reason(self.short_reason)})" if self.short_reason else ")")
        return text


@dataclass(frozen=True)
class ReceivedCase:
    """One case or pallet received on a line.

    `case_id` is the case's identity: its SSCC, or the event id of the scan that received
    it. `damaged` are units of `quantity` recorded as damaged, by reason. `supervisor` is the
    badge of a supervisor who approved a quantity beyond the tolerance.
    """

    case_id: str
    quantity: int
    damaged: tuple[tuple[DamageReason, int], ...] = ()
    supervisor: str | None = None

    @property
    def damaged_units(self) -> int:
        return sum(n for _, n in self.damaged)


@dataclass(frozen=True)
class QuantityCheck:
    decision: Decision
    words: str


@dataclass(frozen=True)
class CaseOutcome:
    """What receiving one case did: the line's new state, the decision and where units go.

    A case that is refused or waits for a supervisor leaves the state as it was (and moves
    nothing); so does a case already counted (`duplicate`).
    """

    state: LineState
    decision: Decision
    words: str
    to_stock: int = 0
    to_quarantine: int = 0
    to_quality_hold: int = 0
    duplicate: bool = False


def check_quantity(
    expected: int, received: int, quantity: int, tolerance: Tolerance, *, approved: bool = False
) -> QuantityCheck:
    """Whether `quantity` more units may be received on a line that has `received` of
    `expected`: within the tolerance it is accepted; beyond it, or at ten times the expected
    quantity or more (a slip of the unit of measure), a supervisor's badge is needed."""
    if quantity <= 0:
        return QuantityCheck(Decision.REFUSE, f"a case holds at least 1 unit, not {quantity}")
    if expected > 0 and quantity >= UOM_SLIP_FACTOR * expected and not approved:
        return QuantityCheck(
            Decision.NEEDS_SUPERVISOR,
            f"{plural(quantity, 'unit')} is {quantity // expected} times the "
            f"{expected} expected: check the unit (cases or units?); a supervisor must approve",
        )
    limit = expected + tolerance.allowed_over(expected)
    if received + quantity > limit and not approved:
        over = received + quantity - expected
        return QuantityCheck(
            Decision.NEEDS_SUPERVISOR,
            f"{plural(over, 'unit')} over the {expected} expected, beyond the tolerance "
            f"({tolerance.words()}): a supervisor must approve",
        )
    return QuantityCheck(Decision.ACCEPT, f"{plural(quantity, 'unit')} received")


def apply_case(state: LineState, case: ReceivedCase, rules: LineRules = LineRules()) -> CaseOutcome:
    """Receive one case on a line: the new tallies and where its units go. Never raises.

    Damaged units go to quarantine; on a line flagged for inspection the sound units go to
    quality hold, else to stock. A line that partly fails stays one receipt: the accepted
    units count towards it like the rejected ones.
    """
    if case.case_id in state.cases:
        return CaseOutcome(
            state, Decision.ACCEPT, f"case {case.case_id} was already counted", duplicate=True
        )
    if not case.case_id.strip():
        return _refuse(state, "the case has no identity (SSCC or event id)")
    if state.status is LineStatus.CLOSED:
        return _refuse(state, f"line {state.line_id} ({state.sku}) is closed: nothing more on it")
    for reason, _ in case.damaged:
        try:
            DamageReason(reason)
        except ValueError:
            known = ", ".join(r.value for r in DamageReason)
            return _refuse(state, f"not a damage reason: {reason!r}; use {known}")
    bad = [(reason, n) for reason, n in case.damaged if n <= 0]
    if bad:
        return _refuse(state, f"damaged units are counted from 1, not {bad[0][1]}")
    if case.damaged_units > case.quantity:
        return _refuse(
            state,
            f"{plural(case.damaged_units, 'damaged unit')} in a case of {case.quantity}: "
            "count again",
        )
    check = check_quantity(
        state.expected,
        state.received,
        case.quantity,
        rules.tolerance,
        approved=case.supervisor is not None,
    )
    if check.decision is not Decision.ACCEPT:
        return CaseOutcome(state, check.decision, check.words)
    damaged = case.damaged_units
    sound = case.quantity - damaged
    held = sound if rules.inspect else 0
    new = replace(
        state,
        received=state.received + case.quantity,
        accepted=state.accepted + sound - held,
        damaged=state.damaged + damaged,
        held=state.held + held,
        cases=state.cases | {case.case_id},
    )
    return CaseOutcome(
        new,
        Decision.ACCEPT,
        _where_words(sound - held, damaged, held, case),
        to_stock=sound - held,
        to_quarantine=damaged,
        to_quality_hold=held,
    )


def apply_cases(
    state: LineState, cases: Iterable[ReceivedCase], rules: LineRules = LineRules()
) -> tuple[LineState, list[CaseOutcome]]:
    """Each case in turn; the final state and every outcome (a replay of a line's events)."""
    outcomes = []
    for case in cases:
        outcome = apply_case(state, case, rules)
        state = outcome.state
        outcomes.append(outcome)
    return state, outcomes


def close_line(state: LineState, reason: ShortReason | str | None = None) -> LineState:
    """The line closed; a short one needs a reason from `ShortReason`. Raises Refused."""
    if state.status is LineStatus.CLOSED:
        raise Refused(f"line {state.line_id} ({state.sku}) is already closed")
    if not state.short:
        return replace(state, status=LineStatus.CLOSED)
    if reason is None:
        raise Refused(
            f"line {state.line_id} ({state.sku}) is {state.short} short: "
            f"say why ({_reasons()}) or leave it open"
        )
    try:
        chosen = ShortReason(reason)
    except ValueError:
        raise Refused(f"not a reason to close a short line: {reason!r}; use {_reasons()}") from None
    return replace(state, status=LineStatus.CLOSED, short_reason=chosen)


@dataclass(frozen=True)
class NoticeState:
    """A notice's lines by id, and every case counted on any of them: a case is counted on
    one line only, whichever line it is sent to again."""

    notice: str
    lines: dict[int, LineState]
    cases: frozenset[str] = frozenset()


def receive_on_notice(
    notice: NoticeState, line_id: int, case: ReceivedCase, rules: LineRules = LineRules()
) -> tuple[NoticeState, CaseOutcome | None]:
    """`apply_case` on one line of the notice; (notice unchanged, None) if it has no such line
    (see `not_on_notice`). A case already counted on another line is a duplicate."""
    state = notice.lines.get(line_id)
    if state is None:
        return notice, None
    if case.case_id in notice.cases:
        words = f"case {case.case_id} was already counted on notice {notice.notice}"
        return notice, CaseOutcome(state, Decision.ACCEPT, words, duplicate=True)
    outcome = apply_case(state, case, rules)
    if outcome.state is state:
        return notice, outcome
    lines = {**notice.lines, line_id: outcome.state}
    return NoticeState(notice.notice, lines, notice.cases | {case.case_id}), outcome


@dataclass(frozen=True)
class HeldItem:
    """Units received that are on no line of the notice: to a held location, with an
    exception for a supervisor."""

    code: str
    quantity: int
    location: str
    exception: str


def not_on_notice(notice: str, code: str, quantity: int, held_location: str) -> HeldItem:
    """Units of `code` (SKU or GTIN) that notice `notice` does not list, sent to be held."""
    units = plural(quantity, "unit")
    return HeldItem(
        code=code,
        quantity=quantity,
        location=held_location,
        exception=(
            f"{code} is not on notice {notice}: {units} to {held_location}, "
            "held for a supervisor to decide"
        ),
    )


def _refuse(state: LineState, words: str) -> CaseOutcome:
    return CaseOutcome(state, Decision.REFUSE, words)


def _where_words(to_stock: int, damaged: int, held: int, case: ReceivedCase) -> str:
    parts = []
    if to_stock:
        parts.append(f"{to_stock} to stock")
    if held:
        parts.append(f"{held} to quality hold (inspection)")
    if damaged:
        reasons = ", ".join(f"{n} {_reason(DamageReason(r))}" for r, n in case.damaged)
        parts.append(f"{damaged} damaged to quarantine ({reasons})")
    approved = f", approved by {case.supervisor}" if case.supervisor else ""
    return f"{plural(case.quantity, 'unit')} received: " + "; ".join(parts) + approved


def _reason(reason: StrEnum | str) -> str:
    return str(reason).replace("_", " ")


def _reasons() -> str:
    return ", ".join(r.value for r in ShortReason)
