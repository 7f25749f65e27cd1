"""Inbound notices (purchase orders, ASNs): sent by the ERP, read by receivers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from toteflow.central.api.deps import PagingDep, ServicesDep, StationDep, requires
from toteflow.contracts import notices as n
from toteflow.contracts.common import Day, Page
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(prefix="/notices", tags=["notices"])
receiving = APIRouter(prefix="/receiving", tags=["notices"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_NOTICES))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_NOTICES))]
# NoticeFilter refuses NUL characters; refusing them here too makes that a 422, not a 500.
_NO_NUL = r"^[^\x00]*$"


@router.get("")
def list_notices(
    services: ServicesDep,
    actor: Reader,
    paging: PagingDep,
    status: n.NoticeStatus | None = None,
    supplier: Annotated[str | None, Query(max_length=40, pattern=_NO_NUL)] = None,
    expected_from: Day | None = None,
    expected_to: Day | None = None,
) -> Page[n.Notice]:
    """Notices by expected date (then as created), filtered by status, supplier code, dates."""
    filters = n.NoticeFilter(
        status=status, supplier=supplier, expected_from=expected_from, expected_to=expected_to
    )
    return services.notices.find(actor, filters, paging.offset, paging.limit)


@router.post("", status_code=201)
def create_notice(services: ServicesDep, actor: Manager, body: n.NoticeCreate) -> n.Notice:
    return services.notices.create(actor, body)


@router.post("/batch")
def create_notices(
    services: ServicesDep, actor: Manager, body: n.NoticeBatch
) -> n.NoticeBatchResult:
    """Create many notices at once; references already present are reported, not duplicated."""
    return services.notices.create_many(actor, body)


@router.get("/by-sscc/{sscc}")
def notice_by_sscc(
    services: ServicesDep,
    actor: Reader,
    sscc: Annotated[str, Path(pattern=r"^[0-9]{18}$")],
) -> n.Notice:
    """The notice a pallet or case (by its SSCC-18) arrives on."""
    return services.notices.by_sscc(actor, sscc)


@router.get("/{reference}")
def get_notice(services: ServicesDep, actor: Reader, reference: str) -> n.Notice:
    return services.notices.get(actor, reference)


@router.post("/{reference}/cancel")
def cancel_notice(
    services: ServicesDep, actor: Manager, reference: str, body: n.CancelNotice
) -> n.Notice:
    return services.notices.cancel(actor, reference, body.reason)


@receiving.get("/policy")
def receiving_policy(services: ServicesDep, station: StationDep) -> n.ReceivingPolicy:
    """The site's receiving settings: whether a receipt may start without a notice, and the
    over-receipt tolerances (station token only: a station reads them before anyone logs in)."""
    return services.notices.policy()
