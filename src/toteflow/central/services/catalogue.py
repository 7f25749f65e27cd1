"""Use cases for products, locations and stock."""

from __future__ import annotations

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.contracts import catalogue as cat
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.roles import Permission


class CatalogueService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def add_product(self, actor: Actor, product: cat.ProductCreate) -> cat.Product:
        actor.require(Permission.MANAGE_CATALOGUE)
        with self.uow() as uow:
            created = uow.catalogue.add_product(product)
            uow.audit.record(actor, "product.created", "product", created.sku, product.model_dump())
            uow.commit()
        return created

    def add_products(self, actor: Actor, products: list[cat.ProductCreate]) -> int:
        """Create many products in one transaction (all or none)."""
        actor.require(Permission.MANAGE_CATALOGUE)
        with self.uow() as uow:
            for product in products:
                uow.catalogue.add_product(product)
            uow.audit.record(actor, "product.bulk_created", "product", "", {"count": len(products)})
            uow.commit()
        return len(products)

    def product(self, actor: Actor, sku: str) -> cat.Product:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            found = uow.catalogue.product_by_sku(sku)
        if found is None:
            raise NotFound(f"no product with SKU {sku}")
        return found

    def products(
        self, actor: Actor, search: str | None, offset: int, limit: int
    ) -> Page[cat.Product]:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            return uow.catalogue.list_products(search, offset, limit)

    def apply_layout(
        self, actor: Actor, zones: list[cat.ZoneCreate], locations: list[cat.LocationCreate]
    ) -> tuple[int, int]:
        """Create the zones and locations not yet present; returns how many of each were new."""
        actor.require(Permission.MANAGE_CATALOGUE)
        with self.uow() as uow:
            known_zones = {zone.name for zone in uow.catalogue.zones()}
            new_zones = [zone for zone in zones if zone.name not in known_zones]
            for zone in new_zones:
                uow.catalogue.add_zone(zone)
            added = uow.catalogue.add_locations(locations)
            uow.audit.record(
                actor,
                "layout.applied",
                "layout",
                "",
                {"zones_added": len(new_zones), "locations_added": added},
            )
            uow.commit()
        return len(new_zones), added

    def zones(self, actor: Actor) -> list[cat.Zone]:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            return uow.catalogue.zones()

    def add_location(self, actor: Actor, location: cat.LocationCreate) -> cat.Location:
        actor.require(Permission.MANAGE_CATALOGUE)
        with self.uow() as uow:
            created = uow.catalogue.add_location(location)
            uow.audit.record(
                actor, "location.created", "location", created.code, location.model_dump()
            )
            uow.commit()
        return created

    def set_location_storage(
        self, actor: Actor, code: str, storage: cat.LocationStorageUpdate
    ) -> cat.Location:
        """A location's storage attributes for put-away, and the product a pick face is for."""
        actor.require(Permission.MANAGE_CATALOGUE)
        if storage.max_quantity is not None and storage.home_sku is None:
            raise Refused(
                "max_quantity is for a pick face assigned to a product: name home_sku too"
            )
        with self.uow() as uow:
            found = uow.catalogue.set_location_storage(code, storage)
            if found is None:
                raise NotFound(f"no location {code}")
            detail = storage.model_dump(mode="json")
            uow.audit.record(actor, "location.storage_set", "location", code, detail)
            uow.feed.add_change("location.updated", "location", code, found.model_dump(mode="json"))
            uow.commit()
        return found

    def set_product_storage(
        self, actor: Actor, sku: str, storage: cat.ProductStorage
    ) -> cat.Product:
        """A product's velocity class and storage class."""
        actor.require(Permission.MANAGE_CATALOGUE)
        with self.uow() as uow:
            found = uow.catalogue.set_product_storage(sku, storage)
            if found is None:
                raise NotFound(f"no product with SKU {sku}")
            detail = storage.model_dump(mode="json")
            uow.audit.record(actor, "product.storage_set", "product", sku, detail)
            uow.commit()
        return found

    def location(self, actor: Actor, code: str) -> cat.Location:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            found = uow.catalogue.location_by_code(code)
        if found is None:
            raise NotFound(f"no location {code}")
        return found

    def locations(
        self, actor: Actor, zone: str | None, kind: str | None, offset: int, limit: int
    ) -> Page[cat.Location]:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            return uow.catalogue.list_locations(zone, kind, offset, limit)

    def stock(
        self, actor: Actor, location: str | None, sku: str | None, offset: int, limit: int
    ) -> Page[cat.StockRow]:
        actor.require(Permission.READ_STOCK)
        with self.uow() as uow:
            return uow.catalogue.list_stock(location, sku, offset, limit)

    def adjust_many(self, actor: Actor, adjustments: list[cat.StockAdjustment]) -> int:
        """Apply many adjustments in one transaction (all or none), each audited."""
        actor.require(Permission.ADJUST_STOCK)
        with self.uow() as uow:
            for adjustment in adjustments:
                _adjust(uow, actor, adjustment)
            uow.commit()
        return len(adjustments)

    def adjust_stock(self, actor: Actor, adjustment: cat.StockAdjustment) -> cat.StockAdjusted:
        actor.require(Permission.ADJUST_STOCK)
        with self.uow() as uow:
            row = _adjust(uow, actor, adjustment)
            uow.commit()
        return cat.StockAdjusted(stock=row, delta=adjustment.delta, reason=adjustment.reason)


def _adjust(uow: UnitOfWork, actor: Actor, adjustment: cat.StockAdjustment) -> cat.StockRow:
    row = uow.catalogue.adjust_stock(adjustment)
    detail = {**adjustment.model_dump(mode="json"), "quantity_after": row.quantity}
    uow.audit.record(actor, "stock.adjusted", "stock", str(row.id), detail)
    return row
