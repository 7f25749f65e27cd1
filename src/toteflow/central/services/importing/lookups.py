"""What the checks ask the database, and the cached lookups that answer through the repos."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.contracts import catalogue as cat


@dataclass(frozen=True, slots=True)
class ProductFacts:
    lot_tracked: bool
    expiry_tracked: bool


StockKey = tuple[str, str, date | None]  # sku, lot, expiry at one location


class Lookups(Protocol):
    """What the checks need to know about the database (cached by the implementation)."""

    def product(self, sku: str) -> ProductFacts | None: ...
    def prefetch(self, skus: Sequence[str]) -> None:
        """Look these SKUs up together before product() asks for them one by one."""

    def barcode_owner(self, barcode: str) -> str | None: ...
    def location_active(self, code: str) -> bool | None: ...
    def stock_at(self, location: str) -> Mapping[StockKey, tuple[int, int]]: ...
    def units_of(self, sku: str) -> Mapping[str, int] | None:
        """The units of measure of a SKU with their base units; None: no such SKU."""
        ...

    def location_kind(self, code: str) -> str | None: ...
    def location_capacity(self, code: str) -> int | None:
        """The most units the location holds (its max_quantity), when the layout says."""
        ...

    def sscc_notices(self, ssccs: Sequence[str]) -> Mapping[str, str]:
        """SSCC -> the reference of the notice already carrying it, for those on one."""
        ...


class DatabaseLookups:
    """Lookups through the repositories, one short transaction each, remembered."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow
        # Facts, not whole products: a 100,000-row file may name tens of thousands of SKUs.
        self._products: dict[str, ProductFacts | None] = {}
        self._locations: dict[str, bool | None] = {}
        self._stock: dict[str, dict[StockKey, tuple[int, int]]] = {}
        self._units: dict[str, dict[str, int] | None] = {}

    def product(self, sku: str) -> ProductFacts | None:
        if sku not in self._products:
            with self.uow() as uow:
                found = uow.catalogue.product_by_sku(sku)
            self._products[sku] = (
                ProductFacts(found.lot_tracked, found.expiry_tracked) if found else None
            )
        return self._products[sku]

    def prefetch(self, skus: Sequence[str]) -> None:
        # One query for a chunk of rows, where a file naming 20,000 SKUs cost as many
        # transactions one by one.
        wanted = [sku for sku in skus if sku not in self._products]
        if not wanted:
            return
        with self.uow() as uow:
            found = uow.catalogue.tracking_of(wanted)
        for sku in wanted:
            facts = found.get(sku)
            self._products[sku] = ProductFacts(*facts) if facts else None

    def barcode_owner(self, barcode: str) -> str | None:
        with self.uow() as uow:
            found = uow.catalogue.product_by_barcode(barcode)
        return found.sku if found else None

    def location_active(self, code: str) -> bool | None:
        if code not in self._locations:
            with self.uow() as uow:
                found = uow.catalogue.location_by_code(code)
            self._locations[code] = found.active if found else None
        return self._locations[code]

    def stock_at(self, location: str) -> Mapping[StockKey, tuple[int, int]]:
        if location not in self._stock:
            if len(self._stock) > 256:
                # Count files come sorted by location: the last few locations are enough.
                self._stock.clear()
            with self.uow() as uow:
                rows = all_stock(uow, location, None)
            self._stock[location] = {
                (row.sku, row.lot, row.expiry): (row.quantity, row.reserved) for row in rows
            }
        return self._stock[location]

    def units_of(self, sku: str) -> Mapping[str, int] | None:
        if sku not in self._units:
            with self.uow() as uow:
                self._units[sku] = uow.notices.units_of([sku]).get(sku)
        return self._units[sku]

    def location_kind(self, code: str) -> str | None:
        with self.uow() as uow:
            return uow.notices.location_kinds([code]).get(code)

    def location_capacity(self, code: str) -> int | None:
        with self.uow() as uow:
            found = uow.catalogue.location_by_code(code)
        return found.max_quantity if found else None

    def sscc_notices(self, ssccs: Sequence[str]) -> Mapping[str, str]:
        with self.uow() as uow:
            return uow.notices.taken_ssccs(ssccs)


def all_stock(uow: UnitOfWork, location: str, sku: str | None) -> list[cat.StockRow]:
    """Every stock row at a location (of one SKU, or all), page by page."""
    rows: list[cat.StockRow] = []
    while True:
        page = uow.catalogue.list_stock(location, sku, len(rows), 1000)
        rows.extend(page.items)
        if not page.items or len(rows) >= page.total:
            return rows
