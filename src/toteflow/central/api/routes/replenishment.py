"""Replenishment: pick faces' min/max per SKU, open replenishments, the sweep run now."""

from __future__ import annotations

from typing import Annotated, NoReturn

from fastapi import APIRouter, Depends, Path
from fastapi.exceptions import RequestValidationError

from toteflow.central.api.deps import PagingDep, ServicesDep, requires
from toteflow.contracts import replenishment as rp
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.replenishment import LimitRefused
from toteflow.domain.roles import Permission

router = APIRouter(tags=["replenishment"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_CATALOGUE))]
Supervisor = Annotated[Actor, Depends(requires(Permission.ADJUST_STOCK))]
LocationPath = Annotated[str, Path(min_length=1, max_length=40)]
SkuPath = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/face-limits")
def list_limits(services: ServicesDep, actor: Reader, paging: PagingDep) -> Page[rp.FaceLimit]:
    """Every pick face's min/max per SKU, by location."""
    return services.replenishment.limits(actor, paging.offset, paging.limit)


@router.get("/face-limits/{location}/{sku}")
def get_limit(
    services: ServicesDep, actor: Reader, location: LocationPath, sku: SkuPath
) -> rp.FaceLimit:
    return services.replenishment.limit(actor, location, sku)


@router.put("/face-limits/{location}/{sku}")
def set_limit(
    services: ServicesDep,
    actor: Supervisor,
    location: LocationPath,
    sku: SkuPath,
    body: rp.FaceLimitIn,
) -> rp.FaceLimit:
    """Set the face's minimum and maximum of the SKU (minimum <= maximum, maximum within what
    the face holds when the layout says: 422 naming the field otherwise). Below the minimum
    the face is replenished up to the maximum. 404: no such location or SKU; 409: the
    location is not a pick face."""
    try:
        return services.replenishment.set_limit(actor, location, sku, body)
    except LimitRefused as refusal:
        _unprocessable(refusal)


@router.post("/face-limits/{location}/{sku}/replenish")
def request_replenishment(
    services: ServicesDep, actor: Supervisor, location: LocationPath, sku: SkuPath
) -> rp.SweepResult:
    """Replenish this face now if it is below its minimum and has none open."""
    return services.replenishment.request(actor, location, sku)


@router.get("/replenishments")
def open_replenishments(
    services: ServicesDep, actor: Reader, paging: PagingDep
) -> Page[rp.Replenishment]:
    """Open replenishments: a wave's first, in the order of the tasks that wait for them."""
    return services.replenishment.open(actor, paging.offset, paging.limit)


@router.get("/replenishments/{replen_id}")
def get_replenishment(
    services: ServicesDep, actor: Reader, replen_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> rp.Replenishment:
    return services.replenishment.get(actor, replen_id)


@router.post("/replenishments/sweep")
def sweep(services: ServicesDep, actor: Supervisor) -> rp.SweepResult:
    """Run the schedule now: every face below minimum without an open replenishment gets one."""
    return services.replenishment.sweep(actor)


def _unprocessable(refusal: LimitRefused) -> NoReturn:
    # A rule between the two fields (or with the face's capacity): 422, naming the field.
    raise RequestValidationError(
        [{"type": "value_error", "loc": ("body", refusal.field), "msg": str(refusal)}]
    ) from None
