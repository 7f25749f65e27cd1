"""Products, locations, stock: floor reads; supervisors adjust stock; admins change the rest."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from toteflow.central.api.deps import PagingDep, ServicesDep, requires
from toteflow.contracts import catalogue as cat
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(tags=["catalogue"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_CATALOGUE))]
Manager = Annotated[Actor, Depends(requires(Permission.MANAGE_CATALOGUE))]
Adjuster = Annotated[Actor, Depends(requires(Permission.ADJUST_STOCK))]
Search = Annotated[str | None, Query(max_length=64)]


@router.get("/products")
def list_products(
    services: ServicesDep, actor: Reader, paging: PagingDep, search: Search = None
) -> Page[cat.Product]:
    return services.catalogue.products(actor, search, paging.offset, paging.limit)


@router.post("/products", status_code=201)
def create_product(services: ServicesDep, actor: Manager, body: cat.ProductCreate) -> cat.Product:
    return services.catalogue.add_product(actor, body)


@router.get("/products/{sku}")
def get_product(services: ServicesDep, actor: Reader, sku: str) -> cat.Product:
    return services.catalogue.product(actor, sku)


@router.put("/products/{sku}/storage")
def set_product_storage(
    services: ServicesDep, actor: Manager, sku: str, body: cat.ProductStorage
) -> cat.Product:
    """A product's velocity class (A fastest) and storage class, for put-away."""
    return services.catalogue.set_product_storage(actor, sku, body)


@router.get("/zones")
def list_zones(services: ServicesDep, actor: Reader) -> list[cat.Zone]:
    return services.catalogue.zones(actor)


@router.get("/locations")
def list_locations(
    services: ServicesDep,
    actor: Reader,
    paging: PagingDep,
    zone: Search = None,
    kind: cat.LocationKind | None = None,
) -> Page[cat.Location]:
    return services.catalogue.locations(actor, zone, kind, paging.offset, paging.limit)


@router.post("/locations", status_code=201)
def create_location(
    services: ServicesDep, actor: Manager, body: cat.LocationCreate
) -> cat.Location:
    return services.catalogue.add_location(actor, body)


@router.get("/locations/{code}")
def get_location(services: ServicesDep, actor: Reader, code: str) -> cat.Location:
    return services.catalogue.location(actor, code)


@router.put("/locations/{code}/storage")
def set_location_storage(
    services: ServicesDep, actor: Manager, code: str, body: cat.LocationStorageUpdate
) -> cat.Location:
    """A location's storage attributes for put-away; a pick face may be given a product."""
    return services.catalogue.set_location_storage(actor, code, body)


@router.get("/stock")
def list_stock(
    services: ServicesDep,
    actor: Reader,
    paging: PagingDep,
    location: Search = None,
    sku: Search = None,
) -> Page[cat.StockRow]:
    return services.catalogue.stock(actor, location, sku, paging.offset, paging.limit)


@router.post("/stock/adjustments", status_code=201)
def adjust_stock(
    services: ServicesDep, actor: Adjuster, body: cat.StockAdjustment
) -> cat.StockAdjusted:
    return services.catalogue.adjust_stock(actor, body)
