"""Use cases for orders: create, read, change lines, hold, release the hold, cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.contracts import orders as o
from toteflow.contracts.common import Page
from toteflow.domain import orders as rules
from toteflow.domain.actor import Actor
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.orders import OrderStatus
from toteflow.domain.put_back import CANCELLED_PICK
from toteflow.domain.roles import Permission


class OrderService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def create(self, actor: Actor, order: o.OrderCreate) -> o.Order:
        actor.require(Permission.MANAGE_ORDERS)
        with self.uow() as uow:
            created = uow.orders.add(order)
            uow.audit.record(
                actor, "order.created", "order", created.reference, order.model_dump(mode="json")
            )
            uow.commit()
        return created

    def create_many(self, actor: Actor, batch: o.OrderBatch) -> o.OrderBatchResult:
        """Create the orders whose references are new; the others are left as they are."""
        return self.create_all(actor, batch.orders)

    def create_all(self, actor: Actor, orders: Sequence[o.OrderCreate]) -> o.OrderBatchResult:
        """create_many() for a list already checked (beyond a request's 1,000 orders): one
        transaction, the new orders written set-based and audited."""
        actor.require(Permission.MANAGE_ORDERS)
        with self.uow() as uow:
            new = self.add_all(uow, actor, orders)
            uow.commit()
        created = [order.reference for order in new]
        made = set(created)
        skipped = [order.reference for order in orders if order.reference not in made]
        return o.OrderBatchResult(created=created, already_present=skipped)

    def add_all(
        self,
        uow: UnitOfWork,
        actor: Actor,
        orders: Sequence[o.OrderCreate],
        detail: Callable[[o.OrderCreate], str] | None = None,
    ) -> list[o.OrderCreate]:
        """Write the orders whose references are new, and audit them, in the caller's open
        unit of work (which commits); those written. `detail` gives each audit entry's detail
        as JSON text: by default the order as received."""
        actor.require(Permission.MANAGE_ORDERS)
        # A few statements for the whole list, the audit rows too (by COPY, at commit),
        # each order's detail encoded by pydantic straight to JSON text: the same object
        # create() records, for a third of the time of dumping and json.dumps.
        new = uow.orders.add_many(orders)
        encode = detail or _as_received
        uow.audit.record_many(
            actor, "order.created", "order", [(order.reference, encode(order)) for order in new]
        )
        return new

    def get(self, actor: Actor, reference: str) -> o.Order:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            return _existing(uow, reference)

    def find(self, actor: Actor, filters: o.OrderFilter, offset: int, limit: int) -> Page[o.Order]:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            return uow.orders.find(filters, offset, limit)

    def cancel(self, actor: Actor, reference: str, reason: str) -> o.Order:
        return self._move(
            actor,
            reference,
            "order.cancelled",
            lambda status, _held_from: rules.cancel(status),
            reason=reason,
            cancel_reason=reason,
        )

    def hold(self, actor: Actor, reference: str, reason: str) -> o.Order:
        return self._move(
            actor,
            reference,
            "order.held",
            lambda status, _held_from: rules.hold(status),
            reason=reason,
        )

    def release_hold(self, actor: Actor, reference: str) -> o.Order:
        return self._move(actor, reference, "order.hold_released", rules.release_hold)

    def replace_lines(self, actor: Actor, reference: str, lines: o.LinesReplace) -> o.Order:
        actor.require(Permission.MANAGE_ORDERS)
        with self.uow() as uow:
            order = _existing(uow, reference, lock=True)
            try:
                rules.check_lines_editable(order.status, order.held_from)
            except rules.IllegalTransition as exc:
                raise Refused(f"order {reference}: {exc}") from None
            uow.orders.replace_lines(order.id, lines.lines)
            uow.audit.record(
                actor,
                "order.lines_changed",
                "order",
                reference,
                {
                    "before": [line.model_dump() for line in order.lines],
                    "after": [line.model_dump() for line in lines.lines],
                },
            )
            uow.commit()
            return _existing(uow, reference)

    def _move(
        self,
        actor: Actor,
        reference: str,
        action: str,
        rule: Callable[[OrderStatus, OrderStatus | None], rules.Move],
        *,
        reason: str = "",
        cancel_reason: str = "",
    ) -> o.Order:
        actor.require(Permission.MANAGE_ORDERS)
        with self.uow() as uow:
            order = _existing(uow, reference, lock=True)
            try:
                move = rule(order.status, order.held_from)
            except rules.IllegalTransition as exc:
                raise Refused(f"order {reference}: {exc}") from None
            uow.orders.set_status(order.id, move, cancel_reason=cancel_reason)
            if move.status in (OrderStatus.CANCELLED, OrderStatus.ON_HOLD):
                _tell_the_floor(uow, order, move.status, reason)
            uow.audit.record(
                actor,
                action,
                "order",
                reference,
                {"from": order.status.value, "to": move.status.value, "reason": reason},
            )
            uow.commit()
            return _existing(uow, reference)


def _existing(uow: UnitOfWork, reference: str, *, lock: bool = False) -> o.Order:
    order = uow.orders.get(reference, lock=lock)
    if order is None:
        raise NotFound(f"no order with reference {reference}")
    return order


def _tell_the_floor(uow: UnitOfWork, order: o.Order, status: OrderStatus, reason: str) -> None:
    """Free the order's reservations (on cancel) and tell stations through the change feed.

    Units picked before the cancel left their shelf on the server's books and sit in a tote:
    each such line opens a put-back exception, named in the change, that the station holding
    the task (or a supervisor) resolves once the units are back on a shelf.
    """
    picked = uow.tasks.release_order_work(order.id) if status == OrderStatus.CANCELLED else []
    told = [_put_back_exception(uow, order, line, reason) for line in picked]
    uow.feed.add_change(
        f"order.{'cancelled' if status == OrderStatus.CANCELLED else 'held'}",
        "order",
        order.reference,
        {"reference": order.reference, "reason": reason, "picked": told},
    )


def _put_back_exception(
    uow: UnitOfWork, order: o.Order, line: dict[str, Any], reason: str
) -> dict[str, Any]:
    units, sku, where, tote = line["picked"], line["sku"], line["location"], line["tote"]
    in_tote = f" (tote {tote})" if tote else ""
    why = f" ({reason})" if reason else ""
    exception_id = uow.exceptions.open(
        {
            "kind": CANCELLED_PICK,
            "reason": (
                f"order {order.reference} was cancelled{why} after {units} x {sku} were "
                f"picked from {where}{in_tote}: put them back"
            )[:300],
            "station_id": line["station_id"],
            "user_id": line["user_id"],
            "event_id": None,
            "task_line_id": line["task_line_id"],
            "order_id": order.id,
            "detail": {
                "order_reference": order.reference,
                "sku": sku,
                "quantity": units,
                "location": where,
                "tote": tote,
                "task_id": line["task_id"],
            },
        }
    )
    return {
        "task_id": line["task_id"],
        "task_line_id": line["task_line_id"],
        "picked": units,
        "exception_id": exception_id,
        "location": where,
        "tote": tote,
    }


def _as_received(order: o.OrderCreate) -> str:
    return order.model_dump_json()
