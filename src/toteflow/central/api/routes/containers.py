"""Carts and totes: read on the floor, registered by admins, freed by supervisors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from toteflow.central.api.deps import PagingDep, ServicesDep, requires
from toteflow.contracts import containers as c
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(tags=["containers"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_CATALOGUE))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_CATALOGUE))]
Supervisor = Annotated[Actor, Depends(requires(Permission.MANAGE_WAVES))]
StateFilter = Annotated[c.StateName | None, Query(description="only containers in this state")]
CodePath = Annotated[str, Path(pattern=c.CODE_PATTERN)]


@router.get("/carts")
def list_carts(
    services: ServicesDep, actor: Reader, paging: PagingDep, state: StateFilter = None
) -> Page[c.Cart]:
    return services.containers.carts(actor, paging.offset, paging.limit, state)


@router.get("/carts/{code}")
def get_cart(services: ServicesDep, actor: Reader, code: CodePath) -> c.Cart:
    return services.containers.cart(actor, code)


@router.get("/totes")
def list_totes(
    services: ServicesDep, actor: Reader, paging: PagingDep, state: StateFilter = None
) -> Page[c.Tote]:
    return services.containers.totes(actor, paging.offset, paging.limit, state)


@router.get("/totes/{code}")
def get_tote(services: ServicesDep, actor: Reader, code: CodePath) -> c.Tote:
    """Where the tote is: free, in a task's slot, travelling to X, at packing."""
    return services.containers.tote(actor, code)


@router.post("/totes/{code}/empty")
def empty_tote(
    services: ServicesDep, actor: Supervisor, code: CodePath, body: c.ToteEmptied
) -> c.Tote:
    """A tote emptied by hand (at packing, after a problem) is free for any order again."""
    return services.containers.empty(actor, code, body)


@router.post("/containers", status_code=201)
def add_containers(
    services: ServicesDep, actor: Manager, body: c.ContainersCreate
) -> c.ContainersCreated:
    """Register carts and totes, one by one or by ranges (`T000001-T000200`); codes already
    known are left as they are."""
    return services.containers.add(actor, body)
