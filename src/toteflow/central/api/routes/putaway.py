"""License plates and directed put-away: suggest, confirm, held stock, dock-to-stock."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from toteflow.central.api.deps import PagingDep, ServicesDep, requires
from toteflow.contracts import putaway as pa
from toteflow.contracts.common import Moment, Page
from toteflow.domain.actor import Actor
from toteflow.domain.plates import PLATE_PATTERN
from toteflow.domain.roles import Permission

router = APIRouter(tags=["put-away"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_CATALOGUE))]
Receiver = Annotated[Actor, Depends(requires(Permission.PUT_AWAY))]
Supervisor = Annotated[Actor, Depends(requires(Permission.ADJUST_STOCK))]
PlatePath = Annotated[str, Path(pattern=PLATE_PATTERN)]
_MEDIA = {"zpl": "text/plain", "png": "image/png"}


@router.post("/putaway/suggest")
def suggest(services: ServicesDep, actor: Receiver, body: pa.SuggestRequest) -> pa.Suggestion:
    """Where the plate goes, with the reason for each location; the space is reserved for
    `[putaway] reservation_minutes`. Backordered order lines of the SKU come first."""
    return services.putaway.suggest(actor, body)


@router.post("/putaway/confirm")
def confirm(services: ServicesDep, actor: Receiver, body: pa.ConfirmRequest) -> pa.Confirmed:
    """The units are at the location: where suggested, or elsewhere with a reason (refused
    if it does not fit or mix there). The stock becomes available for allocation. At the
    packing location of a cross-dock the units are allocated and picked for the backordered
    order line instead, never more than it is short; `fallback` says what stays on the plate."""
    return services.putaway.confirm(actor, body)


@router.get("/putaway/dock-to-stock")
def dock_to_stock(
    services: ServicesDep,
    actor: Reader,
    paging: PagingDep,
    since: Annotated[Moment | None, Query(description="plates received from then on")] = None,
) -> pa.DockToStock:
    """Seconds from receipt to put-away, per plate (newest first) and in sum."""
    return services.putaway.dock_to_stock(actor, since, paging.offset, paging.limit)


@router.get("/plates")
def list_plates(
    services: ServicesDep,
    actor: Supervisor,
    paging: PagingDep,
    status: Annotated[Literal["held"], Query(description="held: the plates on hold")],
) -> Page[pa.HeldPlate]:
    """Held plates (damaged in quarantine, quality hold, not on the notice), oldest first,
    with why each is held and the notice it came on: release or reject each."""
    return services.putaway.held(actor, paging.offset, paging.limit)


@router.get("/plates/{plate}")
def get_plate(services: ServicesDep, actor: Reader, plate: PlatePath) -> pa.Plate:
    return services.putaway.plate(actor, plate)


@router.get(
    "/plates/{plate}/label",
    response_class=Response,
    responses={200: {"content": {m: {} for m in _MEDIA.values()}}},
)
def plate_label(
    services: ServicesDep, actor: Reader, plate: PlatePath, format: pa.LabelFormat = "png"
) -> Response:
    """The plate's label: its code as Code 128 and what is on it; ZPL to print, PNG to see."""
    return Response(services.putaway.label(actor, plate, format), media_type=_MEDIA[format])


@router.post("/plates/{plate}/release")
def release(
    services: ServicesDep, actor: Supervisor, plate: PlatePath, body: pa.ReleaseRequest
) -> pa.Plate:
    """Held stock may be put away (it is allocated only once put away)."""
    return services.putaway.release(actor, plate, body)


@router.post("/plates/{plate}/reject")
def reject(
    services: ServicesDep, actor: Supervisor, plate: PlatePath, body: pa.RejectRequest
) -> pa.Plate:
    """Held stock is scrapped or returned to the vendor: its units are written off."""
    return services.putaway.reject(actor, plate, body)
