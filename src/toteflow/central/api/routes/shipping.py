"""Packing and shipping: SSCC blocks, pack orders, shipments (JSON and CSV), labels, manifests."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from toteflow.central.api.deps import PagingDep, ServicesDep, requires
from toteflow.contracts import shipping as sh
from toteflow.contracts.common import Day, Page
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(prefix="/shipping", tags=["shipping"])
Packer = Annotated[Actor, Depends(requires(Permission.PACK))]
Reader = Annotated[Actor, Depends(requires(Permission.READ_ORDERS))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_ORDERS))]
Auditor = Annotated[Actor, Depends(requires(Permission.READ_AUDIT))]
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
_NO_NUL = r"^[^\x00]*$"
_MEDIA = {"png": "image/png", "pdf": "application/pdf", "zpl": "application/x-zpl"}


def _filters(
    status: sh.ShipmentStatus | None = None,
    carrier: Annotated[str | None, Query(max_length=40, pattern=_NO_NUL)] = None,
    order_reference: Annotated[str | None, Query(max_length=64, pattern=_NO_NUL)] = None,
    shipped_on: Day | None = None,
) -> sh.ShipmentFilter:
    return sh.ShipmentFilter(
        status=status, carrier=carrier, order_reference=order_reference, shipped_on=shipped_on
    )


Filters = Annotated[sh.ShipmentFilter, Depends(_filters)]


@router.post("/sscc-blocks", status_code=201)
def reserve_sscc(services: ServicesDep, actor: Packer, body: sh.SsccBlockRequest) -> sh.SsccBlock:
    """Reserve SSCC serial numbers for this station, so it can label boxes while offline."""
    return services.shipping.reserve_sscc(actor, body.count)


@router.post("/weight-approvals")
def approve_weight(
    services: ServicesDep, actor: Packer, body: sh.WeightApprovalRequest
) -> sh.WeightApproval:
    """A supervisor's badge approves a box's weight far outside tolerance (audited)."""
    return services.shipping.approve_weight(actor, body)


@router.get("/pack-orders/{key}")
def pack_order(
    services: ServicesDep,
    actor: Reader,
    key: Annotated[str, Path(max_length=64, pattern=_NO_NUL)],
) -> sh.PackOrder:
    """The order to pack, found by its reference or by a tote it was picked into."""
    return services.shipping.pack_order(actor, key)


@router.get("/shipments")
def list_shipments(
    services: ServicesDep, actor: Reader, paging: PagingDep, filters: Filters
) -> Page[sh.Shipment]:
    return services.shipping.shipments(actor, filters, paging.offset, paging.limit)


@router.get(
    "/shipments.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def export_shipments(services: ServicesDep, actor: Reader, filters: Filters) -> Response:
    """Every box of the matching shipments, one CSV row each (SSCC, tracking, contents)."""
    return Response(
        services.shipping.export_csv(actor, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="shipments.csv"'},
    )


@router.get("/shipments/{shipment_id}")
def get_shipment(services: ServicesDep, actor: Reader, shipment_id: Id) -> sh.Shipment:
    return services.shipping.shipment(actor, shipment_id)


@router.get(
    "/labels/{sscc}",
    response_class=Response,
    responses={200: {"content": {m: {} for m in _MEDIA.values()}}},
)
def label(
    services: ServicesDep,
    actor: Reader,
    sscc: Annotated[str, Path(pattern=r"^[0-9]{18}$")],
    format: Literal["png", "pdf", "zpl"] = "png",
) -> Response:
    """A recorded box's shipping label as a picture (png), a PDF, or ZPL to reprint."""
    return Response(services.shipping.label(actor, sscc, format), media_type=_MEDIA[format])


@router.post("/manifests", status_code=201)
def close_manifest(services: ServicesDep, actor: Manager, body: sh.ManifestCreate) -> sh.Manifest:
    """The carrier collected: ship its packed shipments (orders become shipped, webhooks go)."""
    return services.shipping.close_manifest(actor, body)


@router.get("/manifests")
def list_manifests(services: ServicesDep, actor: Reader, paging: PagingDep) -> Page[sh.Manifest]:
    return services.shipping.manifests(actor, paging.offset, paging.limit)


@router.get("/webhooks/deliveries")
def list_deliveries(
    services: ServicesDep,
    actor: Auditor,
    paging: PagingDep,
    status: Literal["pending", "delivered"] | None = None,
) -> Page[sh.WebhookDelivery]:
    """The webhook delivery log: attempts, last answer or error, next try."""
    return services.shipping.deliveries(actor, status, paging.offset, paging.limit)


@router.post("/webhooks/deliveries/{delivery_id}/retry")
def retry_delivery(services: ServicesDep, actor: Manager, delivery_id: Id) -> sh.WebhookDelivery:
    return services.shipping.retry_delivery(actor, delivery_id)
