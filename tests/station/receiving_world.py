"""A receiver's desk on a real station store, with a notice and its products in the cache."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import zxingcpp

from toteflow.contracts.catalogue import (
    Location,
    Product,
    ProductCreate,
    ProductUnit,
    ProductUnitIn,
)
from toteflow.contracts.notices import Notice, ReceivingPolicy
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import Unauthenticated
from toteflow.domain.gs1 import gs1_check_digit
from toteflow.domain.roles import Role
from toteflow.domain.scan import interpret
from toteflow.station.ports.store import CachedLocation, CachedProduct, StationUnitOfWorkFactory
from toteflow.station.services.login import Person, ServerUnreachable, StationLogin
from toteflow.station.services.receiving import (
    ReceivingDesk,
    ReceivingLookups,
    ReceivingRecords,
)

EXPIRY = "2027-12-31"
CASE_GTIN = "14006381333938"  # a case of 12 of SKU-1
EA_BARCODE = "4006381333931"
PLAIN_GTIN = "04012345000016"  # SKU-2, one unit, tracks nothing
UNKNOWN_GTIN = "09506000134352"


def sscc(serial: int) -> str:
    body = f"0614141{serial:010d}"
    return body + str(gs1_check_digit(body))


PALLET = sscc(1)
PALLET_CASE = sscc(2)


def add_widgets(catalogue: Any) -> None:
    """SKU-1 (lot and expiry tracked, cases of 12) and SKU-2 on a server's catalogue."""
    catalogue.add_product(
        SYSTEM,
        ProductCreate(
            sku="SKU-1",
            description="Blue widget",
            lot_tracked=True,
            expiry_tracked=True,
            units=[
                ProductUnitIn(uom="EA", barcode=EA_BARCODE),
                ProductUnitIn(uom="CS", units=12, barcode=CASE_GTIN),
            ],
        ),
    )
    catalogue.add_product(
        SYSTEM,
        ProductCreate(
            sku="SKU-2", description="Red widget", units=[ProductUnitIn(barcode=PLAIN_GTIN[1:])]
        ),
    )


def label_scan(hri: str, fmt: str = "gs1-128") -> str:
    """A GS1 label made as an image and decoded by zxing-cpp: what the scanner would send."""
    kind = zxingcpp.BarcodeFormat.Code128 if fmt == "gs1-128" else zxingcpp.BarcodeFormat.DataMatrix
    image = zxingcpp.create_barcode(hri, kind, gs1=True).to_image(scale=4)
    found = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    assert len(found) == 1, f"the {fmt} label of {hri} did not scan back"
    return f"{found[0].symbology_identifier}{found[0].text}"


def notice(reference: str = "ASN-7", **changes: Any) -> Notice:
    now = datetime(2026, 12, 7, tzinfo=UTC).isoformat()
    body: dict[str, Any] = {
        "id": 7,
        "reference": reference,
        "kind": "asn",
        "supplier": {"code": "ACME", "name": "Acme Supplies"},
        "expected_on": "2026-12-08",
        "dock": "DOCK-1",
        "status": "expected",
        "cancel_reason": "",
        "created_at": now,
        "updated_at": now,
        "lines": [
            _line(1, "SKU-1", 2, "CS", 12, lot="L1", expiry=EXPIRY),
            _line(2, "SKU-2", 10, "EA", 1),
        ],
        "ssccs": [
            {
                "sscc": PALLET,
                "parent_sscc": None,
                "contents": [{"sku": "SKU-1", "quantity": 12, "lot": "L1", "expiry": EXPIRY}],
            },
            {
                "sscc": PALLET_CASE,
                "parent_sscc": PALLET,
                "contents": [{"sku": "SKU-1", "quantity": 12, "lot": "L1", "expiry": EXPIRY}],
            },
        ],
    }
    return Notice.model_validate({**body, **changes})


def _line(
    no: int, sku: str, qty: int, uom: str, per: int, lot: str = "", expiry: str | None = None
) -> dict[str, Any]:
    return {
        "line_no": no,
        "sku": sku,
        "quantity": qty,
        "uom": uom,
        "lot": lot,
        "expiry": expiry,
        "units_per_uom": per,
        "base_quantity": qty * per,
    }


def stock_cache(uow: StationUnitOfWorkFactory, *notices: Notice) -> None:
    """Products, the dock and the notices, as the change feed would have left them."""
    with uow() as tx:
        tx.catalogue.upsert_product(
            CachedProduct(
                "SKU-1",
                "Blue widget",
                True,
                True,
                False,
                [
                    ProductUnit(uom="EA", units=1, barcode=EA_BARCODE, barcode_kind="gtin"),
                    ProductUnit(uom="CS", units=12, barcode=CASE_GTIN, barcode_kind="gtin"),
                ],
            )
        )
        tx.catalogue.upsert_product(
            CachedProduct(
                "SKU-2",
                "Red widget",
                False,
                False,
                False,
                [ProductUnit(uom="EA", units=1, barcode=PLAIN_GTIN[1:], barcode_kind="gtin")],
            )
        )
        for code in ("DOCK-1", "DOCK-2"):
            tx.catalogue.upsert_location(CachedLocation(code, None, None, None, None, "dock", True))
        for one in notices or (notice(),):
            tx.inbound.keep(one)
        tx.commit()


class People:
    """The log-in port: badges by role; `online` False is a server that does not answer."""

    def __init__(self) -> None:
        self.online = True
        self.logins: list[str] = []
        self.roles = {"B10003": Role.SUPERVISOR, "B10001": Role.PICKER}

    async def login(self, badge: str, pin: str | None) -> Person:
        if not self.online:
            raise ServerUnreachable("the server is not answering")
        if badge not in self.roles or pin != "1234":
            raise Unauthenticated("badge or PIN not recognised")
        self.logins.append(badge)
        role = self.roles[badge]
        return Person(30 + len(self.logins), f"{role.value.title()} One", badge, role, "s")

    async def logout(self, person: Person) -> None:
        return None


class Policy:
    def __init__(self, policy: ReceivingPolicy) -> None:
        self.value = policy
        self.online = True

    async def policy(self) -> ReceivingPolicy:
        if not self.online:
            raise ServerUnreachable("the server is not answering")
        return self.value

    async def products(self, skus: list[str], session_token: str) -> list[Product]:
        return []

    async def docks(self, session_token: str) -> list[Location]:
        return []


RECEIVER = Person(21, "Rita Receiver", "B10005", Role.RECEIVER, "session")


def make_desk(
    uow: StationUnitOfWorkFactory, people: People | None = None, server: Policy | None = None
) -> ReceivingDesk:
    return ReceivingDesk(
        RECEIVER,
        ReceivingRecords(uow),
        ReceivingLookups(uow),
        StationLogin(people or People()),
        lambda raw: interpret(raw),
        server=server,
        today=lambda: date(2026, 12, 7),
    )
