"""Station sync on the server: apply pushed events exactly once, serve the change feed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services import (
    container_events,
    floor_events,
    put_back_events,
    shipping_events,
    stock_move_events,
)
from toteflow.central.services.counts import events as count_events
from toteflow.central.services.counts import triggers as count_triggers
from toteflow.central.services.counts.common import CountPolicy
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.central.services.putaway import events as putaway_events
from toteflow.central.services.putaway.common import utc_now
from toteflow.central.services.receiving import events as receipt_events
from toteflow.central.services.receiving.policy import ReceiptSettings
from toteflow.contracts import sync
from toteflow.contracts.people import Station
from toteflow.domain.actor import Actor
from toteflow.domain.credentials import token_digest
from toteflow.domain.errors import Forbidden, Unauthenticated
from toteflow.domain.floor_batch import Command, FloorBatch, MoveTask, Pick, SetTote, Short, Undo
from toteflow.domain.ledger import LedgerMove
from toteflow.domain.tasks import FloorRefusal

_LARGEST_ID = 2**31 - 1
# Re-allocates a batch's short picks from other stock; units covered per task line.
ShortHandler = Callable[[UnitOfWork, FloorBatch], dict[int, int]]
# Replenishes the pick faces a batch's picks took stock from (by stock row), and applies the
# replenishers' own events: (outcomes, floor exceptions), as the other event planners.
PickHandler = Callable[[UnitOfWork, list[int]], None]
EventHandler = Callable[
    [UnitOfWork, int, list[sync.Event]], tuple[list[EventOutcome], list[dict[str, Any]]]
]


@dataclass(frozen=True)
class Replenishing:
    """What a push does for replenishment: triggers after picks, and its station events."""

    after_picks: PickHandler
    handles: Callable[[str], bool]
    apply: EventHandler


class SyncService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        reallocate: ShortHandler | None = None,
        receiving: ReceiptSettings | None = None,
        counts: CountPolicy | None = None,
        replenishing: Replenishing | None = None,
    ) -> None:
        self.uow = uow
        self.reallocate = reallocate
        self.receiving = receiving or ReceiptSettings()
        self.counts = counts or CountPolicy()
        self.replenishing = replenishing

    def push(self, station: Station, request: sync.PushRequest) -> sync.PushResponse:
        """Apply events in order; already-applied ones get their stored answer again.

        The whole batch is planned in memory against rows locked up front, then written with
        a few set-based statements: each event is checked and applied, or refused alone, in
        sequence order, and a refusal never blocks the events behind it.
        """
        if request.station_id != station.id:
            raise Forbidden(f"this token belongs to station {station.id}, not {request.station_id}")
        reply = self._push(request, None)
        if reply is None:  # the station's row is gone
            raise Unauthenticated("this station is not registered: re-register it")
        return reply

    def push_with_token(self, token: str, request: sync.PushRequest) -> sync.PushResponse | None:
        """push() for the holder of the named station's token, checked in the push's own
        transaction: the look-up a separate authentication would cost is a round trip to the
        database per push. None, having changed nothing, unless it is that station's token
        and the station is active; push() then gives the refusal its exact answer.
        """
        return self._push(request, token_digest(token))

    def _push(self, request: sync.PushRequest, token_hash: str | None) -> sync.PushResponse | None:
        station_id = request.station_id
        with self.uow() as uow:
            last = uow.push.lock_station_seq(station_id, token_hash)
            if last is None:
                return None
            replays = [e for e in request.events if e.seq <= last]
            fresh = [e for e in request.events if e.seq > last]
            gap = bool(fresh) and fresh[0].seq != last + 1
            results = _replayed(uow, station_id, replays)
            if fresh and not gap:
                results += _apply(
                    uow,
                    station_id,
                    fresh,
                    self.reallocate,
                    self.receiving,
                    self.counts,
                    self.replenishing,
                )
                last = fresh[-1].seq
                uow.push.set_station_seq(station_id, last)
            uow.commit()
        return sync.PushResponse(results=results, last_seq=last, gap=gap)

    def changes(self, station: Station, since: int, limit: int) -> sync.ChangesPage:
        with self.uow() as uow:
            changes = uow.feed.changes_since(station.id, since, limit + 1)
        more = len(changes) > limit
        changes = changes[:limit]
        cursor = changes[-1].seq if changes else since
        return sync.ChangesPage(changes=changes, cursor=cursor, more=more)


def _replayed(uow: UnitOfWork, station_id: int, events: list[sync.Event]) -> list[sync.EventResult]:
    stored = uow.push.stored_events(station_id, [e.seq for e in events])
    results = []
    for event in events:
        known = stored.get(event.seq)
        if known is None or known.event_id != str(event.id):
            results.append(
                sync.EventResult(
                    id=event.id,
                    seq=event.seq,
                    status="rejected",
                    reason="sequence number reused by another event: re-register this station",
                )
            )
        else:
            results.append(
                sync.EventResult(
                    id=event.id,
                    seq=event.seq,
                    status="duplicate",
                    reason=known.reason,
                    result={**known.result, "outcome": known.status},
                )
            )
    return results


def _apply(
    uow: UnitOfWork,
    station_id: int,
    events: list[sync.Event],
    reallocate: ShortHandler | None = None,
    receiving: ReceiptSettings | None = None,
    counts: CountPolicy | None = None,
    replenishing: Replenishing | None = None,
) -> list[sync.EventResult]:
    # An event naming a person this server does not know is refused alone, before any
    # planner sees it: the audit row and floor exception it would write name that person.
    strangers = _strangers(uow, events)
    events = [e for e in events if e.seq not in strangers]
    # Pack-station events have their own planner; it runs after the floor batch is written,
    # so closing a shipment sees the order status that this batch's picks just set.
    packing = [e for e in events if shipping_events.handles(e.type)]
    # Put-backs move stock outside the batch's locked rows (a shelf of the picker's
    # choosing): they run after the batch is written, like the pack events.
    put_backs = [e for e in events if put_back_events.handles(e.type)]
    # A cart taken, a tote at packing or emptied: the registry's own events, after the
    # batch (a tote closed in it arrives at packing) and before the pack events (the totes
    # of an order packed in this push are freed after they arrived).
    registry_events = [e for e in events if container_events.handles(e.type)]
    # Put-away confirmations lock their own plate and location rows: after the batch too.
    putaways = [e for e in events if putaway_events.handles(e.type)]
    # Receipts lock their notices (and write plates): after the batch, before put-away, so
    # a plate received and put away in one push is on the dock when it is put away.
    receipts = [e for e in events if receipt_events.handles(e.type)]
    # Moves by hand lock their own locations and stock rows: after the batch's picks, so a
    # pick and a move of the same units in one push are taken in the order they were made.
    hand_moves = [e for e in events if stock_move_events.handles(e.type)]
    # Counts are taken against the book at their own time: after everything else in the push,
    # so that picks made before a count and pushed with it are in the book it is compared with.
    counted = [e for e in events if count_events.handles(e.type)]
    # Replenishers' steps lock their replenishment and stock rows: after the batch, whose
    # picks may have made the very replenishment they finish.
    replens = [e for e in events if replenishing is not None and replenishing.handles(e.type)]
    events = [
        e
        for e in events
        if not shipping_events.handles(e.type)
        and not put_back_events.handles(e.type)
        and not container_events.handles(e.type)
        and not putaway_events.handles(e.type)
        and not receipt_events.handles(e.type)
        and not stock_move_events.handles(e.type)
        and not count_events.handles(e.type)
        and not (replenishing is not None and replenishing.handles(e.type))
    ]
    commands: list[Command | FloorRefusal] = []
    for event in events:
        try:
            commands.append(floor_events.command(event))
        except FloorRefusal as refusal:
            commands.append(refusal)
    line_ids = {c.task_line_id for c in commands if isinstance(c, Pick | Short | Undo)}
    task_ids = {c.task_id for c in commands if isinstance(c, MoveTask | SetTote)}
    batch = uow.push.load_batch(line_ids, task_ids)
    batch.registry = container_events.load(uow, commands)

    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    moves: list[LedgerMove] = []
    for event, planned in zip(events, commands, strict=True):
        shorts_before = len(batch.shorts)
        try:
            if isinstance(planned, FloorRefusal):
                raise planned
            result = batch.apply(planned)
        except FloorRefusal as refusal:
            reason = str(refusal)
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(
                _exception("rejected_event", reason, station_id, event, known=batch.lines)
            )
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        outcomes.append(EventOutcome(event, "applied", "", result))
        moves.extend(_ledger_moves(batch, event, planned))
        for note in batch.shorts[shorts_before:]:
            exceptions.append(
                _exception(
                    "short",
                    note.text,
                    station_id,
                    event,
                    known=batch.lines,
                    detail={"missing": note.missing, "reason": note.reason},
                )
            )
        audit_event(
            uow,
            station_id,
            event,
            event.type,
            {
                "seq": event.seq,
                "payload": event.payload,
                "station_time": event.station_time.isoformat(),
            },
        )
    if reallocate is not None and batch.shorts:
        # Before the batch is written, so that an order whose short line gets a new line
        # elsewhere stays "picking"; only units no other stock can give stay exceptions.
        covered = reallocate(uow, batch)
        exceptions = [e for e in exceptions if _still_short(e, covered)]
    uow.push.write_batch(batch)
    uow.ledger.record(moves)
    if replenishing is not None:
        picked = [sid for sid, (dq, _dr) in batch.stock_deltas.items() if dq < 0]
        if picked:
            replenishing.after_picks(uow, picked)
    moved = container_events.settle(uow, batch)
    registry, registry_exceptions, applied = container_events.apply(
        uow, station_id, registry_events
    )
    moved += applied
    # Pick-and-pass: a closed tote is handed to the order's next zone; a station already
    # holding that zone's task gets it again, naming the tote that comes.
    for task_id, holder in uow.push.pass_totes(batch.totes):
        task = uow.tasks.get(task_id)
        if task is not None:
            uow.feed.add_change(
                "task.assigned", "task", str(task_id), task.model_dump(mode="json"), holder
            )
    refused = [_refuse_stranger(uow, station_id, event, exceptions) for event in strangers.values()]
    packed, pack_exceptions = shipping_events.apply(uow, station_id, packing)
    moved += container_events.packed(uow, packed)
    # A put-back finds the refusal it answers among the floor exceptions: open them first.
    uow.exceptions.open_many(exceptions)
    put_back, put_back_exceptions = put_back_events.apply(uow, station_id, put_backs)
    received, receipt_exceptions = receipt_events.apply(
        uow, station_id, receipts, receiving or ReceiptSettings(), utc_now()
    )
    put_away, putaway_exceptions = putaway_events.apply(uow, station_id, putaways, utc_now())
    hand_moved, hand_move_exceptions = stock_move_events.apply(
        uow, station_id, hand_moves, utc_now()
    )
    replenished, replen_exceptions = (
        replenishing.apply(uow, station_id, replens) if replenishing and replens else ([], [])
    )
    put_away += replenished
    count_triggers.after_push(uow, batch, moves, putaway_exceptions, replen_exceptions)
    count_outcomes, count_exceptions = count_events.apply(
        uow, station_id, counted, counts or CountPolicy()
    )
    container_events.announce(uow, moved)
    later = packed + put_back + registry + refused + put_away + received + hand_moved
    if later or count_outcomes:
        outcomes = sorted(
            outcomes + later + count_outcomes,
            key=lambda o: o.event.seq,
        )
    uow.push.store_events(station_id, outcomes)
    uow.exceptions.open_many(pack_exceptions)
    uow.exceptions.open_many(put_back_exceptions)
    uow.exceptions.open_many(registry_exceptions)
    uow.exceptions.open_many(putaway_exceptions)
    uow.exceptions.open_many(receipt_exceptions)
    uow.exceptions.open_many(hand_move_exceptions)
    uow.exceptions.open_many(count_exceptions)
    uow.exceptions.open_many(replen_exceptions)
    return [
        sync.EventResult(
            id=o.event.id,
            seq=o.event.seq,
            status="applied" if o.status == "applied" else "rejected",
            reason=o.reason,
            result=o.result,
        )
        for o in outcomes
    ]


def _ledger_moves(batch: FloorBatch, event: sync.Event, planned: Command) -> list[LedgerMove]:
    """The stock move an applied pick or undo made, dated when it was made on the floor."""
    if not isinstance(planned, Pick | Undo):
        return []
    stock_id = batch.lines[planned.task_line_id].stock_id
    if isinstance(planned, Pick):
        return [LedgerMove(stock_id, -planned.quantity, event.station_time, "pick", str(event.id))]
    return [
        LedgerMove(stock_id, planned.quantity, event.station_time, "pick_undone", str(event.id))
    ]


def _strangers(uow: UnitOfWork, events: list[sync.Event]) -> dict[int, sync.Event]:
    """The events naming a user id this server has no user for, by sequence number."""
    # Ids are 32-bit in the database: a larger one is nobody, and is not even looked up.
    named = {e.user_id for e in events if e.user_id is not None and e.user_id <= _LARGEST_ID}
    known = uow.people.known_user_ids(named)
    return {e.seq: e for e in events if e.user_id is not None and e.user_id not in known}


def _refuse_stranger(
    uow: UnitOfWork, station_id: int, event: sync.Event, exceptions: list[dict[str, Any]]
) -> EventOutcome:
    reason = (
        f"user {event.user_id} is not known to this server: the event was not applied; "
        "check the station's user list and re-register it if it belongs to another server"
    )
    exception = _exception("rejected_event", reason, station_id, event, known={})
    # Nobody to name: the id is kept in the detail instead.
    exception["user_id"] = None
    exception["detail"] = {**exception["detail"], "user_id": event.user_id}
    exceptions.append(exception)
    detail = {"type": event.type, "reason": reason, "user_id": event.user_id}
    actor = Actor(None, station_id, None)
    uow.audit.record(
        actor, "event.rejected", "event", str(event.id), detail, event_id=str(event.id)
    )
    return EventOutcome(event, "rejected", reason, {})


def _exception(
    kind: str,
    reason: str,
    station_id: int,
    event: sync.Event,
    *,
    known: Mapping[int, object],
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    # Only a line the server has can be referenced: the payload may name any number.
    line_id = event.payload.get("task_line_id")
    line = line_id if isinstance(line_id, int) and line_id in known else None
    return event_exception(kind, reason, station_id, event, task_line_id=line, detail=detail)


def _still_short(exception: dict[str, Any], covered: dict[int, int]) -> bool:
    """Take re-allocated units off a short's exception; False once none are missing."""
    line_id = exception.get("task_line_id")
    if exception["kind"] != "short" or not isinstance(line_id, int) or not covered.get(line_id):
        return True
    detail = exception["detail"]
    taken = min(covered[line_id], detail["missing"])
    covered[line_id] -= taken
    detail["missing"] -= taken
    detail["reallocated"] = detail.get("reallocated", 0) + taken
    if detail["missing"]:
        exception["reason"] = f"{exception['reason']}; {taken} re-allocated elsewhere"[:300]
    return bool(detail["missing"])
