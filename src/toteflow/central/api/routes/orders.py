"""Orders: read on the floor; created, changed, held and cancelled by supervisors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from toteflow.central.api.deps import PagingDep, ServicesDep, requires
from toteflow.contracts import orders as o
from toteflow.contracts.common import Day, Page
from toteflow.domain.actor import Actor
from toteflow.domain.orders import OrderStatus
from toteflow.domain.roles import Permission

router = APIRouter(prefix="/orders", tags=["orders"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_ORDERS))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_ORDERS))]
# OrderFilter refuses NUL characters; refusing them here too makes that a 422, not a 500.
_NO_NUL = r"^[^\x00]*$"


@router.get("")
def list_orders(
    services: ServicesDep,
    actor: Reader,
    paging: PagingDep,
    status: OrderStatus | None = None,
    carrier: Annotated[str | None, Query(max_length=40, pattern=_NO_NUL)] = None,
    ship_by_before: Day | None = None,
    priority: Annotated[int | None, Query(ge=1, le=9)] = None,
    reference_prefix: Annotated[str | None, Query(max_length=64, pattern=_NO_NUL)] = None,
) -> Page[o.Order]:
    filters = o.OrderFilter(
        status=status,
        carrier=carrier,
        ship_by_before=ship_by_before,
        priority=priority,
        reference_prefix=reference_prefix,
    )
    return services.orders.find(actor, filters, paging.offset, paging.limit)


@router.post("", status_code=201)
def create_order(services: ServicesDep, actor: Manager, body: o.OrderCreate) -> o.Order:
    return services.orders.create(actor, body)


@router.post("/batch")
def create_orders(services: ServicesDep, actor: Manager, body: o.OrderBatch) -> o.OrderBatchResult:
    """Create many orders at once; references already present are reported, not duplicated."""
    return services.orders.create_many(actor, body)


@router.get("/{reference}")
def get_order(services: ServicesDep, actor: Reader, reference: str) -> o.Order:
    return services.orders.get(actor, reference)


@router.put("/{reference}/lines")
def replace_lines(
    services: ServicesDep, actor: Manager, reference: str, body: o.LinesReplace
) -> o.Order:
    return services.orders.replace_lines(actor, reference, body)


@router.post("/{reference}/cancel")
def cancel_order(services: ServicesDep, actor: Manager, reference: str, body: o.Reason) -> o.Order:
    return services.orders.cancel(actor, reference, body.reason)


@router.post("/{reference}/hold")
def hold_order(services: ServicesDep, actor: Manager, reference: str, body: o.Reason) -> o.Order:
    return services.orders.hold(actor, reference, body.reason)


@router.post("/{reference}/release-hold")
def release_hold(services: ServicesDep, actor: Manager, reference: str) -> o.Order:
    return services.orders.release_hold(actor, reference)
