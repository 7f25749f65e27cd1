"""Carts and totes: read on the floor, registered by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from toteflow.central.api.deps import PagingDep, ServicesDep, requires
from toteflow.contracts import containers as c
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(tags=["containers"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_CATALOGUE))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_CATALOGUE))]


@router.get("/carts")
def list_carts(services: ServicesDep, actor: Reader, paging: PagingDep) -> Page[c.Cart]:
    return services.containers.carts(actor, paging.offset, paging.limit)


@router.get("/totes")
def list_totes(services: ServicesDep, actor: Reader, paging: PagingDep) -> Page[c.Tote]:
    return services.containers.totes(actor, paging.offset, paging.limit)


@router.post("/containers", status_code=201)
def add_containers(
    services: ServicesDep, actor: Manager, body: c.ContainersCreate
) -> c.ContainersCreated:
    """Register carts and totes; codes already known are left as they are."""
    return services.containers.add(actor, body)
