"""What the station does with the server's answers: acknowledge pushed events, apply changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from toteflow.contracts import sync
from toteflow.contracts.catalogue import Location, Product
from toteflow.contracts.containers import ContainerRecord
from toteflow.contracts.notices import Notice
from toteflow.contracts.replenishment import Replenishment
from toteflow.contracts.shipping import PackOrder
from toteflow.contracts.tasks import Task
from toteflow.domain.words import plural
from toteflow.station.ports.store import (
    CachedLocation,
    CachedProduct,
    OutboxEvent,
    StationUnitOfWork,
)
from toteflow.station.services.receipt_acks import counted_through, keep_server_plates
from toteflow.station.services.stock_cache import heard_moved, undo_refused


@dataclass(frozen=True)
class PushOutcome:
    acked: int
    rejected: int
    gap: bool
    # Push the events after this sequence number next.
    resume_after: int


def apply_push_response(
    uow: StationUnitOfWork, sent: list[OutboxEvent], response: sync.PushResponse, at: datetime
) -> PushOutcome:
    """Record the server's answer to each event; a rejection becomes an exception to resolve."""
    by_seq = {event.seq: event for event in sent}
    answers: list[tuple[int, str, str, dict[str, Any]]] = []
    rejected = 0
    highest = uow.sync.get().last_acked_seq
    for result in response.results:
        event = by_seq.get(result.seq)
        if event is None or event.id != result.id:
            continue  # not an answer to what we sent: ignore it rather than ack the wrong event
        answers.append((result.seq, result.status, result.reason, result.result))
        keep_server_plates(uow, event, result.status, result.result)
        # A duplicate carries the first answer's outcome: a rejection whose reply was lost
        # (the station crashed after the server committed) still reaches a person.
        outcome = result.result.get("outcome") if result.status == "duplicate" else result.status
        if outcome == "rejected" or result.status == "rejected":
            rejected += 1
            undo_refused(uow, event, at)
            uow.exceptions.open_for_event(
                event, result.reason or "the server refused this event without a reason", at
            )
        highest = max(highest, result.seq)
    uow.outbox.mark_acked(answers)
    if response.gap:
        # The server has less than we thought (restored from a backup, or a lost batch):
        # everything after its last_seq goes again, in order, and counts as waiting.
        reopen_after(uow, response.last_seq)
        highest = response.last_seq
    uow.sync.set_acked(highest)
    uow.sync.set_flags(pushed_at=at, last_error="")
    return PushOutcome(len(answers), rejected, response.gap, highest)


def reopen_after(uow: StationUnitOfWork, seq: int) -> None:
    """Every event after `seq` goes again, in order, and counts as waiting (so, too, in the
    receiver's whole-notice tallies, until a pull brings the server's word on it)."""
    uow.outbox.reopen_after(seq)
    uow.sync.set_acked(seq)
    counted_through(uow, min(uow.receiving.counted_seq(), seq))


def store_task(uow: StationUnitOfWork, task: Task) -> None:
    """Keep a task (from the feed or from tasks/next) with the products its lines need."""
    uow.tasks.upsert(task)
    for line in task.lines:
        uow.catalogue.upsert_product(
            CachedProduct(
                sku=line.sku,
                description=line.description,
                lot_tracked=line.lot_tracked,
                expiry_tracked=line.expiry_tracked,
                lot_substitution=line.lot_substitution,
                units=list(line.units),
            )
        )


def _units(n: int) -> str:
    return plural(n, "unit")


def _task_id(change: sync.Change) -> int | None:
    raw = change.payload.get("task_id", change.entity_id)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _reason(change: sync.Change) -> str:
    reason = str(change.payload.get("reason") or "").strip()
    return f" ({reason})" if reason else ""


def _task_assigned(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    store_task(uow, Task.model_validate(change.payload))


def _task_unassigned(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    task_id = _task_id(change)
    if task_id is None or not uow.tasks.exists(task_id):
        return
    uow.tasks.release(task_id)
    uow.notices.add(
        f"c{change.seq}:t{task_id}",
        f"task {task_id} was taken back by a supervisor{_reason(change)}",
        at,
        task_id=task_id,
    )


def _task_cancelled(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    task_id = _task_id(change)
    task = uow.tasks.get(task_id) if task_id is not None else None
    if task is None:
        return
    picked = sum(line.picked for line in task.lines if line.status != "cancelled")
    uow.tasks.set_task_status(task.id, "cancelled")
    for line in task.lines:
        if line.status == "open":
            uow.tasks.set_line(
                line.id, picked=line.picked, shorted=line.shorted, status="cancelled"
            )
    put_back = f": put the {_units(picked)} picked back" if picked else ""
    uow.notices.add(
        f"c{change.seq}:t{task.id}",
        f"task {task.id} was cancelled{_reason(change)}{put_back}",
        at,
        task_id=task.id,
    )


def _put_backs(change: sync.Change) -> dict[int, dict[str, Any]]:
    """The server's put-back exceptions the change names, by task line."""
    found: dict[int, dict[str, Any]] = {}
    picked = change.payload.get("picked")
    for entry in picked if isinstance(picked, list) else []:
        if not isinstance(entry, dict):
            continue
        line_id, exception_id = entry.get("task_line_id"), entry.get("exception_id")
        if isinstance(line_id, int) and isinstance(exception_id, int):
            found[line_id] = entry
    return found


def _tote_of(uow: StationUnitOfWork, task_id: int, slot: int | None) -> str:
    """The tote this station scanned for the slot, when the server was not told of one."""
    task = uow.tasks.get(task_id)
    box = next((c for c in task.containers if c.slot == slot), None) if task else None
    return box.tote or "" if box is not None else ""


def _order_cancelled(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    reference = str(change.payload.get("reference") or change.entity_id)
    told: set[int] = set()
    put_backs = _put_backs(change)
    for view in uow.tasks.lines_of_order(reference):
        line = view.line
        if line.status == "open":
            uow.tasks.set_line(
                line.id, picked=line.picked, shorted=line.shorted, status="cancelled"
            )
        server = put_backs.get(line.id)
        scan_it = ""
        if line.picked and server is not None:
            # The server took these units off their shelf when the pick was applied: they
            # count again once a shelf is scanned for them under F8 at the picker's home.
            units = server.get("picked")
            units = units if isinstance(units, int) and units > 0 else line.picked
            uow.exceptions.open_for_cancelled_pick(
                server["exception_id"],
                f"order {reference} was cancelled{_reason(change)} after its "
                f"{_units(units)} of {line.sku} were picked",
                {
                    "task_line_id": line.id,
                    "quantity": units,
                    "sku": line.sku,
                    "location": str(server.get("location") or line.location),
                    "tote": str(server.get("tote") or "") or _tote_of(uow, view.task_id, line.slot),
                    "order_reference": reference,
                },
                at,
            )
            scan_it = ", then scan that shelf under F8 (To resolve) on the home screen"
        if line.picked:
            uow.notices.add(
                f"c{change.seq}:l{line.id}",
                f"order {reference} was cancelled{_reason(change)}: put the "
                f"{_units(line.picked)} of {line.sku} back at {line.location}{scan_it}",
                at,
                task_id=view.task_id,
                line_id=line.id,
                order_reference=reference,
            )
        elif view.task_id not in told and line.status in ("open", "cancelled"):
            told.add(view.task_id)
            uow.notices.add(
                f"c{change.seq}:t{view.task_id}",
                f"order {reference} was cancelled{_reason(change)}: skip its lines",
                at,
                task_id=view.task_id,
                order_reference=reference,
            )


def _order_held(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    reference = str(change.payload.get("reference") or change.entity_id)
    tasks = {v.task_id for v in uow.tasks.lines_of_order(reference) if v.line.status == "open"}
    for task_id in sorted(tasks):
        uow.notices.add(
            f"c{change.seq}:t{task_id}",
            f"order {reference} is on hold{_reason(change)}: do not pick its lines for now",
            at,
            task_id=task_id,
            order_reference=reference,
        )


def _order_cross_docked(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    # A receipt's units went straight to packing for the order, counted as picked there. A
    # pack desk holding the order open takes the new counts (its progress is kept); other
    # stations fetch the order when they open it.
    reference = str(change.payload.get("reference") or change.entity_id)
    held = uow.packing.get(reference)
    found = change.payload.get("pack_order")
    if held is None or held.status != "open" or not isinstance(found, dict):
        return
    try:
        order = PackOrder.model_validate(found)
    except ValidationError:
        return
    uow.packing.upsert_order(order, held.shipment_key, None, at)
    words = change.payload.get("words") or f"units cross-docked for order {reference}"
    uow.notices.add(f"c{change.seq}", f"{words}: pack them with it", at, order_reference=reference)


def _product_updated(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    product = Product.model_validate(change.payload)
    uow.catalogue.upsert_product(
        CachedProduct(
            sku=product.sku,
            description=product.description,
            lot_tracked=product.lot_tracked,
            expiry_tracked=product.expiry_tracked,
            lot_substitution=product.lot_substitution,
            units=list(product.units),
        )
    )


def _location_updated(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    location = Location.model_validate(change.payload)
    uow.catalogue.upsert_location(
        CachedLocation(
            code=location.code,
            zone=location.zone,
            aisle=location.aisle,
            bay=location.bay,
            level=location.level,
            kind=location.kind,
            active=location.active,
        )
    )


def _containers_updated(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    records = change.payload.get("containers")
    if isinstance(records, list):
        uow.containers.upsert([ContainerRecord.model_validate(record) for record in records])


def _notice_updated(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    # Open notices are kept, so a receipt can be checked against its notice offline.
    uow.inbound.keep(Notice.model_validate(change.payload))


def _replenishment_updated(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    # Replenishers list the open ones, and work them offline from this copy.
    uow.replen.keep(Replenishment.model_validate(change.payload))


def _stock_moved(uow: StationUnitOfWork, change: sync.Change, at: datetime) -> None:
    # A put-away or a move by hand: the station's copy of stock (what inquiries answered,
    # for answers offline) takes the server's counts at both ends.
    heard_moved(uow, change.payload, at)


ChangeHandler = Callable[[StationUnitOfWork, sync.Change, datetime], None]
CHANGE_HANDLERS: dict[str, ChangeHandler] = {
    "task.assigned": _task_assigned,
    "task.unassigned": _task_unassigned,
    "task.cancelled": _task_cancelled,
    "order.cancelled": _order_cancelled,
    "order.held": _order_held,
    "order.cross_docked": _order_cross_docked,
    "product.updated": _product_updated,
    "location.updated": _location_updated,
    "containers.updated": _containers_updated,
    "notice.updated": _notice_updated,
    "stock.moved": _stock_moved,
    "replenishment.updated": _replenishment_updated,
}


@dataclass(frozen=True)
class ChangesOutcome:
    applied: int
    skipped: list[str]


def apply_changes(uow: StationUnitOfWork, page: sync.ChangesPage, at: datetime) -> ChangesOutcome:
    """Apply a page of the change feed and move the cursor, in the caller's transaction."""
    applied = 0
    skipped: list[str] = []
    for change in page.changes:
        handler = CHANGE_HANDLERS.get(change.kind)
        if handler is None:
            # A newer server's kind: moving past it keeps the feed flowing; it is reported.
            skipped.append(f"change {change.seq}: unknown kind {change.kind}")
            continue
        try:
            handler(uow, change, at)
        except ValidationError as exc:
            # One malformed change must not stop every later one reaching the floor.
            skipped.append(f"change {change.seq} ({change.kind}): {exc.errors()[0]['msg']}")
            continue
        applied += 1
    uow.sync.set_cursor(max(page.cursor, uow.sync.get().cursor))
    uow.sync.set_flags(pulled_at=at)
    if not page.more:
        # The whole feed is in: every event answered so far is in the notices it brought.
        counted_through(uow, uow.sync.get().last_acked_seq)
    return ChangesOutcome(applied, skipped)
