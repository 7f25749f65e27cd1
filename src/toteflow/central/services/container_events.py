"""Carts and totes in a station's push: the registry checked, followed, and told to stations.

Tote events (`tote.assigned`, `tote.closed`) are checked inside the floor batch against the
totes it names, locked up front (`load`); what they change is written after the batch
(`settle`), with the carts and empty totes of tasks the batch finished. The events of this
module (`cart.assigned`, `tote.arrived`, `tote.emptied`) run after it, one by one, and
before the pack events: the totes of an order packed in the same push are freed last. A
conflict is a rejected event, and so a floor exception for the supervisor: never two
orders silently in one tote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toteflow.central.ports.floor import EventOutcome
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.event_records import audit_event, event_exception
from toteflow.contracts import sync
from toteflow.contracts.containers import ContainerRecord
from toteflow.domain.containers import (
    ContainerRefusal,
    Holding,
    HoldingChange,
    ToteRegistry,
    arrive_at_packing,
    empty_tote,
    take_cart,
)
from toteflow.domain.floor_batch import Command, FloorBatch, SetTote
from toteflow.domain.tasks import TaskStatus

# One feed change carries at most this many containers.
CHUNK = 500


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Cart(_Payload):
    task_id: int = Field(ge=1, le=2**62)
    cart: str = Field(min_length=1, max_length=40)


class _Tote(_Payload):
    tote: str = Field(min_length=1, max_length=40)


Handler = Callable[[UnitOfWork, dict[str, Any]], dict[str, Any]]


def _cart_assigned(uow: UnitOfWork, payload: dict[str, Any]) -> dict[str, Any]:
    body = _Cart.model_validate(payload)
    task = uow.tasks.get(body.task_id)
    if task is None:
        raise ContainerRefusal(f"there is no task {body.task_id} on the server")
    if task.status in ("done", "cancelled"):
        # Completed in this very push (an offline walk pushed whole): its cart is free again.
        return {"cart": body.cart, "task_id": body.task_id}
    holding = uow.containers.cart_holding(body.cart, lock=True)
    if holding is not None and holding.task_id not in (None, body.task_id):
        other = uow.tasks.get(holding.task_id)
        if other is None or other.status in ("done", "cancelled"):
            holding = Holding()  # its task ended by a path that did not free it
    new = take_cart(
        body.cart,
        holding,
        registry_in_force=uow.containers.in_force("cart"),
        task_id=body.task_id,
    )
    if holding is not None and new != holding:
        uow.containers.save_cart(body.cart, new)
    return {"cart": body.cart, "task_id": body.task_id}


def _tote_change(change: HoldingChange) -> Handler:
    def handle(uow: UnitOfWork, payload: dict[str, Any]) -> dict[str, Any]:
        code = _Tote.model_validate(payload).tote
        holding = uow.containers.tote_holdings([code], lock=True).get(code)
        if holding is None:
            raise ContainerRefusal(f"tote {code} is not registered")
        new = change(code, holding)
        if new != holding:
            uow.containers.save_totes({code: new})
        return {"tote": code, "state": new.state.value}

    return handle


HANDLERS: dict[str, Handler] = {
    "cart.assigned": _cart_assigned,
    "tote.arrived": _tote_change(arrive_at_packing),
    "tote.emptied": _tote_change(empty_tote),
}


def handles(event_type: str) -> bool:
    return event_type in HANDLERS


def load(uow: UnitOfWork, commands: Sequence[Command | Exception]) -> ToteRegistry | None:
    """The totes the batch's tote events name, locked, with the orders of their slots."""
    totes = [c for c in commands if isinstance(c, SetTote)]
    if not totes:
        return None
    return ToteRegistry(
        holdings=uow.containers.tote_holdings({c.tote for c in totes}, lock=True),
        in_force=uow.containers.in_force("tote"),
        slot_orders=uow.containers.slot_orders({(c.task_id, c.slot) for c in totes}),
    )


def settle(uow: UnitOfWork, batch: FloorBatch) -> list[ContainerRecord]:
    """Write what the batch did to totes, after its picks; free the carts and empty totes
    of the tasks it finished. The containers changed, as they now stand."""
    changed: list[ContainerRecord] = []
    registry = batch.registry
    if registry is not None and registry.changed:
        uow.containers.save_totes(registry.changed, registry.closed)
        changed += uow.containers.records("tote", registry.changed)
    done = [task for task, status in batch.task_moves.items() if status is TaskStatus.DONE]
    return changed + uow.containers.free_of_tasks(done)


def apply(
    uow: UnitOfWork, station_id: int, events: list[sync.Event]
) -> tuple[list[EventOutcome], list[dict[str, Any]], list[ContainerRecord]]:
    """This module's events in order: outcomes, floor exceptions, containers changed."""
    outcomes: list[EventOutcome] = []
    exceptions: list[dict[str, Any]] = []
    changed: list[ContainerRecord] = []
    for event in events:
        try:
            result = HANDLERS[event.type](uow, event.payload)
        except (ContainerRefusal, ValidationError) as exc:
            reason = _reason(event, exc)
            outcomes.append(EventOutcome(event, "rejected", reason, {}))
            exceptions.append(event_exception("rejected_event", reason, station_id, event))
            audit_event(
                uow, station_id, event, "event.rejected", {"type": event.type, "reason": reason}
            )
            continue
        outcomes.append(EventOutcome(event, "applied", "", result))
        kind = "cart" if "cart" in result else "tote"
        changed += uow.containers.records(kind, [result[kind]])
        audit_event(
            uow, station_id, event, event.type, {"seq": event.seq, "payload": event.payload}
        )
    return outcomes, exceptions, changed


def packed(uow: UnitOfWork, outcomes: Iterable[EventOutcome]) -> list[ContainerRecord]:
    """The totes of orders this push packed are free again."""
    references = [
        str(o.event.payload.get("order"))
        for o in outcomes
        if o.status == "applied" and o.event.type == "shipment.closed"
    ]
    return uow.containers.free_of_orders(references)


def announce(uow: UnitOfWork, records: Iterable[ContainerRecord]) -> None:
    """One `containers.updated` change per CHUNK containers, for every station."""
    latest = {(r.kind, r.code): r for r in records}
    items = [r.model_dump(mode="json") for _, r in sorted(latest.items())]
    for start in range(0, len(items), CHUNK):
        uow.feed.add_change(
            "containers.updated", "container", "", {"containers": items[start : start + CHUNK]}
        )


def _reason(event: sync.Event, exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        return f"{event.type} event is malformed: {field}: {first['msg']}"
    return str(exc)
