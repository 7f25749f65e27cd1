"""A count applied: its variance against the book at its moment, and what becomes of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from toteflow.central.ports.counts import CountResult, CountRow
from toteflow.central.ports.repos import UnitOfWork
from toteflow.contracts import catalogue as cat
from toteflow.contracts import counts as cc
from toteflow.domain.actor import Actor
from toteflow.domain.cycle_counts import (
    Decision,
    Position,
    Schedule,
    Thresholds,
    Variance,
    units_off,
    value_off,
    variances,
)
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.roles import Permission


@dataclass(frozen=True)
class CountPolicy:
    schedule: Schedule = field(default_factory=Schedule)
    thresholds: Thresholds = field(default_factory=Thresholds)
    # Anyone logged in may count, not only counters (and supervisors).
    anyone_may_count: bool = False
    # The value of one unit by SKU, for the value thresholds (a SKU not named: 0).
    unit_values: Mapping[str, float] = field(default_factory=dict)


def require_counter(actor: Actor, policy: CountPolicy) -> None:
    if policy.anyone_may_count and actor.role is not None:
        return
    actor.require(Permission.COUNT)


def open_count(uow: UnitOfWork, actor: Actor, count_id: int) -> CountRow:
    """The count, locked, if this person may count it now; a sentence otherwise."""
    count = uow.counts.get(count_id, lock=True)
    if count is None:
        raise NotFound(f"no count {count_id}")
    if count.status != "open":
        words = count.status.replace("_", " ")
        raise Refused(f"count {count_id} at {count.location} is {words}: it takes no count now")
    if count.not_user_id is not None and count.not_user_id == actor.user_id:
        raise Refused(
            f"count {count_id} at {count.location} is a recount: someone other than "
            "the first counter counts it"
        )
    return count


def counted_positions(uow: UnitOfWork, items: Sequence[cc.CountedItem]) -> dict[Position, int]:
    ids = uow.counts.product_ids(sorted({i.sku for i in items}))
    unknown = sorted({i.sku for i in items} - set(ids))
    if unknown:
        raise Refused(f"no product with SKU {', '.join(unknown)}: nothing was counted")
    counted: dict[Position, int] = {}
    for item in items:
        position = Position(ids[item.sku], item.lot, item.expiry)
        counted[position] = counted.get(position, 0) + item.quantity
    return counted


def evaluate(
    uow: UnitOfWork, count: CountRow, counted: dict[Position, int], at: datetime
) -> list[Variance]:
    """Counted against the book at the count's moment: the position now, less later moves."""
    return variances(counted, uow.counts.book_at(count.location_id, at))


def finish(
    uow: UnitOfWork,
    actor: Actor,
    policy: CountPolicy,
    count: CountRow,
    items: Sequence[cc.CountedItem],
    at: datetime,
    event_id: str | None = None,
) -> dict[str, Any]:
    """Record the count and decide: accurate, adjusted, recounted or waiting for approval."""
    counted = counted_positions(uow, items)
    found = evaluate(uow, count, counted, at)
    off = units_off(found)
    result = CountResult(actor.user_id, actor.station_id, event_id, at, found, off)
    uow.counts.save_result(count.id, result)
    worth = value_off(found, _values(uow, policy, found)) if policy.unit_values else 0.0
    decision = policy.thresholds.decide(
        off, is_recount=count.recount_of is not None, value_off=worth
    )
    recount: int | None = None
    if decision == Decision.ACCURATE:
        uow.counts.close(count.id, status="closed", outcome="accurate")
    elif decision == Decision.ADJUST:
        decision = adjust_or_hold(uow, actor, count, found, at)
    elif decision == Decision.RECOUNT:
        uow.counts.close(count.id, status="closed", outcome="recounted")
        recount = send_recount(uow, count, actor.user_id)
    else:
        uow.counts.close(count.id, status="awaiting_approval", outcome="")
    detail: dict[str, Any] = {
        "location": count.location,
        "units_off": off,
        "value_off": worth,
        "decision": decision.value,
    }
    if recount is not None:
        detail["recount"] = recount
    uow.audit.record(actor, "count.finished", "cycle_count", str(count.id), detail, event_id)
    # Blind to the end: the station learns that its count was taken, not how far off it was
    # (with what it counted, that would tell it the book).
    return {"count_id": count.id, "location": count.location, "recount": recount}


def _values(uow: UnitOfWork, policy: CountPolicy, found: Sequence[Variance]) -> dict[int, float]:
    skus = uow.counts.skus(sorted({v.position.product_id for v in found}))
    return {pid: policy.unit_values.get(sku, 0.0) for pid, sku in skus.items()}


def adjust_or_hold(
    uow: UnitOfWork, actor: Actor, count: CountRow, found: Sequence[Variance], at: datetime
) -> Decision:
    """The book takes the count; a position that cannot (reserved above what was found)
    leaves the count for a supervisor instead, nothing adjusted."""
    try:
        with uow.savepoint():
            adjust(uow, actor, count, found, at)
    except Refused as refusal:
        note = f"the book could not take the count: {refusal}"
        uow.counts.close(count.id, status="awaiting_approval", outcome="", note=note)
        return Decision.APPROVAL
    uow.counts.close(count.id, status="closed", outcome="adjusted")
    return Decision.ADJUST


def adjust(
    uow: UnitOfWork, actor: Actor, count: CountRow, found: Sequence[Variance], at: datetime
) -> None:
    """Each position's variance into the book, dated at the count (a ledger row each),
    audited as a stock adjustment with reason `count`, naming the count."""
    moved = [v for v in found if v.delta]
    skus = uow.counts.skus([v.position.product_id for v in moved])
    for v in moved:
        adjustment = cat.StockAdjustment(
            location=count.location,
            sku=skus[v.position.product_id],
            lot=v.position.lot,
            expiry=v.position.expiry,
            delta=v.delta,
            reason="count",
            note=f"count {count.id}",
        )
        row = uow.catalogue.adjust_stock(adjustment, at=at, kind="count")
        detail = {**adjustment.model_dump(mode="json"), "quantity_after": row.quantity}
        uow.audit.record(actor, "stock.adjusted", "stock", str(row.id), detail)


def send_recount(uow: UnitOfWork, count: CountRow, not_user_id: int | None) -> int:
    created = uow.counts.open_counts(
        [count.location_id],
        "recount",
        f"count {count.id}",
        not_user_id=not_user_id,
        recount_of=count.id,
    )
    if not created:  # pragma: no cover - the count was closed in this transaction
        raise Refused(f"{count.location} has a live count already")
    return created[0]
