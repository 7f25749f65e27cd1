"""What the receiver reads from the station's store: cached notices, products, docks, policy."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.contracts.catalogue import Location, Product, ProductUnit
from toteflow.contracts.notices import Notice, ReceivingPolicy
from toteflow.station.ports.receiving import ServerPlate, Uncounted
from toteflow.station.ports.store import CachedLocation, CachedProduct, StationUnitOfWorkFactory


def _barcodes(gtin: str) -> list[str]:
    # The catalogue keeps a barcode as it was registered (EAN-13, UPC-A, GTIN-14); a scan
    # reads every GTIN as 14 digits.
    forms = [gtin]
    for length in (13, 12, 8):
        if gtin[: 14 - length].strip("0") == "":
            forms.append(gtin[14 - length :])
    return forms


@dataclass
class ReceivingLookups:
    uow: StationUnitOfWorkFactory

    def notice(self, reference: str) -> Notice | None:
        with self.uow() as uow:
            return uow.inbound.get(reference)

    def notice_by_sscc(self, sscc: str) -> Notice | None:
        with self.uow() as uow:
            return uow.inbound.by_sscc(sscc)

    def tallies(self, reference: str) -> tuple[Notice | None, dict[int, Uncounted]]:
        """The notice with the server's tallies and, by line, this station's cases those do
        not count yet: read in one transaction, so a pull landing between them cannot count
        a case twice or not at all."""
        with self.uow() as uow:
            notice = uow.inbound.get(reference)
            return notice, uow.receiving.uncounted(reference, uow.receiving.counted_seq())

    def server_plates(self, notice: str | None) -> list[ServerPlate]:
        with self.uow() as uow:
            return uow.receiving.server_plates(notice)

    def open_notices(self) -> list[Notice]:
        with self.uow() as uow:
            return uow.inbound.open_notices()

    def location(self, code: str) -> CachedLocation | None:
        with self.uow() as uow:
            return uow.catalogue.location(code)

    def product(self, sku: str) -> CachedProduct | None:
        with self.uow() as uow:
            return uow.catalogue.product(sku)

    def product_by_gtin(self, gtin: str) -> tuple[CachedProduct, ProductUnit] | None:
        with self.uow() as uow:
            for barcode in _barcodes(gtin):
                found = uow.catalogue.product_by_barcode(barcode)
                if found is not None:
                    return found
        return None

    def policy(self) -> ReceivingPolicy | None:
        with self.uow() as uow:
            return uow.receiving.policy()

    def keep_policy(self, policy: ReceivingPolicy) -> None:
        with self.uow() as uow:
            uow.receiving.keep_policy(policy)
            uow.commit()

    def keep_products(self, products: list[Product]) -> None:
        with self.uow() as uow:
            for product in products:
                uow.catalogue.upsert_product(
                    CachedProduct(
                        product.sku,
                        product.description,
                        product.lot_tracked,
                        product.expiry_tracked,
                        product.lot_substitution,
                        list(product.units),
                    )
                )
            uow.commit()

    def keep_locations(self, locations: list[Location]) -> None:
        with self.uow() as uow:
            for loc in locations:
                uow.catalogue.upsert_location(
                    CachedLocation(
                        loc.code, loc.zone, loc.aisle, loc.bay, loc.level, loc.kind, loc.active
                    )
                )
            uow.commit()
