"""The demo warehouse: a deterministic, realistic site seeded from one seed number."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from toteflow.central.services.catalogue import CatalogueService
from toteflow.central.services.containers import ContainerService
from toteflow.central.services.counts import CountService
from toteflow.central.services.notices import NoticeService
from toteflow.central.services.orders import OrderService
from toteflow.central.services.people import PeopleService
from toteflow.central.services.replenishment import ReplenishmentService
from toteflow.central.services.waves import WaveBuildingService, WaveReleaseService
from toteflow.contracts import catalogue as cat
from toteflow.contracts import notices as n
from toteflow.contracts import orders as o
from toteflow.contracts import replenishment as rp
from toteflow.contracts.containers import CartCreate, ContainersCreate, ToteCreate
from toteflow.contracts.counts import CountRequest
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.contracts.waves import CartSpec, WaveCreate, WaveFilters
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import Refused
from toteflow.domain.gs1 import gs1_check_digit, make_sscc
from toteflow.domain.layout import Layout
from toteflow.domain.roles import Role

# GS1's own example company prefix: demo GTINs never collide with real products.
COMPANY_PREFIX = "0614141"

DEMO_PEOPLE = (
    ("Pat Picker", "B00101", "1111", Role.PICKER),
    ("Parker Packer", "B00102", "2222", Role.PACKER),
    ("Sam Supervisor", "B00103", "3333", Role.SUPERVISOR),
    ("Ada Admin", "B00104", "4444", Role.ADMIN),
    ("Rae Receiver", "B00105", "5555", Role.RECEIVER),
    ("Cory Counter", "B00106", "6666", Role.COUNTER),
    ("Remy Replenisher", "B00107", "7777", Role.REPLENISHER),
)
# Pick faces' minimum and maximum in the demo (units): most faces start above the minimum.
DEMO_FACE_MIN = 10
DEMO_FACE_MAX = 150
# Stocked locations the demo counter finds a count open for.
DEMO_COUNTS = 3
DEMO_STATION = "demo-station"
# Carts and totes carry the default label formats of [codes] (C0001, T000001).
DEMO_CARTS = 12
DEMO_TOTES = 400

CARRIERS = (
    ("UPS", "GROUND", 40),
    ("UPS", "2DAY", 10),
    ("UPS", "NEXT_DAY", 5),
    ("FEDEX", "HOME", 15),
    ("FEDEX", "EXPRESS", 5),
    ("USPS", "GROUND_ADVANTAGE", 15),
    ("USPS", "PRIORITY", 7),
    ("DHL", "EXPRESS", 3),
)
_ADJECTIVES = (
    "Blue",
    "Red",
    "Green",
    "Black",
    "Steel",
    "Oak",
    "Compact",
    "Large",
    "Mini",
    "Classic",
    "Organic",
    "Sparkling",
    "Heavy-duty",
    "Travel",
    "Eco",
    "Premium",
    "Soft",
    "Bright",
)
_NOUNS = (
    ("Widget", False),
    ("Mug", False),
    ("Notebook", False),
    ("Hammer", False),
    ("Sneaker", False),
    ("Lamp", False),
    ("Cable", False),
    ("Backpack", False),
    ("Coffee beans", True),
    ("Olive oil", True),
    ("Vitamin C", True),
    ("Green tea", True),
    ("Shampoo", True),
    ("Sunscreen", True),
    ("Dog food", True),
    ("Pasta", True),
)
_SIZES = ("", " 250g", " 500ml", " 1kg", " XL", " 2-pack", " M", " S")
_CITIES = (
    ("Springfield", "IL", "62701"),
    ("Portland", "OR", "97201"),
    ("Austin", "TX", "73301"),
    ("Madison", "WI", "53703"),
    ("Denver", "CO", "80202"),
    ("Raleigh", "NC", "27601"),
    ("Tucson", "AZ", "85701"),
    ("Boise", "ID", "83702"),
    ("Albany", "NY", "12207"),
)
_NAMES = ("Ada", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hugo", "Iris", "Jonas")
_SURNAMES = ("Lovelace", "Okafor", "Nguyen", "Schmidt", "Rossi", "Kowalski", "Silva", "Tanaka")
# Extra locations off the racks: where totes are staged, packed and shipped from.
_FLOOR_LOCATIONS = (
    ("STAGE-01", "staging"),
    ("STAGE-02", "staging"),
    ("PACK-01", "pack"),
    ("PACK-02", "pack"),
    ("PACK-03", "pack"),
    ("DOCK-01", "dock"),
    ("DOCK-02", "dock"),
    ("QUAR-01", "quarantine"),
    ("QUAL-01", "quality"),
)


def gtin13(item_reference: int) -> str:
    body = f"{COMPANY_PREFIX}{item_reference:05d}"
    return body + str(gs1_check_digit(body))


def case_gtin14(gtin: str) -> str:
    """The GTIN-14 of a case of this item: indicator 1, the GTIN-13 body, a new check digit."""
    body = "1" + gtin[:12]
    return body + str(gs1_check_digit(body))


@dataclass(frozen=True)
class DemoLabel:
    """A supplier's label on the demo delivery, as the demo prints it into its folder."""

    name: str  # the picture's file name, without .png
    kind: str  # "case" (GTIN, lot, expiry) or "pallet" (SSCC) or "notice" (its reference)
    code: str  # the case's GTIN-14, the pallet's SSCC or the notice's reference
    lot: str = ""
    expiry: date | None = None
    description: str = ""


@dataclass(frozen=True)
class DemoDelivery:
    """A notice arriving today, and the labels on what arrives."""

    notice: n.NoticeCreate
    labels: list[DemoLabel]


@dataclass(frozen=True)
class DemoPlan:
    zones: list[cat.ZoneCreate]
    locations: list[cat.LocationCreate]
    products: list[cat.ProductCreate]
    stock: list[cat.StockAdjustment]
    orders: list[o.OrderCreate]
    containers: ContainersCreate
    delivery: DemoDelivery | None = None


def plan(layout: Layout, *, seed: int, products: int, orders: int, today: date) -> DemoPlan:
    """Everything the demo holds, computed from the seed alone (no database)."""
    rng = random.Random(seed)
    zones = [
        cat.ZoneCreate(name=z.name, first_aisle=z.first_aisle, last_aisle=z.last_aisle)
        for z in layout.zones
    ]
    racks = [
        cat.LocationCreate(
            code=spec.code,
            zone=spec.zone,
            aisle=spec.aisle,
            bay=spec.bay,
            level=spec.level,
            kind=spec.kind,
            x=spec.x,
            y=spec.y,
            **asdict(spec.storage),
        )
        for spec in layout.iter_locations()
    ]
    floor = [cat.LocationCreate(code=code, kind=kind) for code, kind in _FLOOR_LOCATIONS]
    catalogue = [_product(rng, n) for n in range(1, products + 1)]
    stock = list(_stock(rng, catalogue, racks, today))
    stocked = {adj.sku for adj in stock}
    pickable = [p for p in catalogue if p.sku in stocked]
    order_list = [_order(rng, n, pickable, today) for n in range(1, orders + 1)]
    containers = ContainersCreate(
        carts=[CartCreate(code=f"C{n:04d}", slots=8) for n in range(1, DEMO_CARTS + 1)],
        totes=[ToteCreate(code=f"T{n:06d}") for n in range(1, DEMO_TOTES + 1)],
    )
    delivery = _delivery(rng, catalogue, today)
    return DemoPlan(zones, racks + floor, catalogue, stock, order_list, containers, delivery)


DEMO_NOTICE = "ASN-DEMO-0001"
DEMO_SUPPLIER = n.Supplier(code="ACME", name="Acme Wholesale")


def _delivery(
    rng: random.Random, products: list[cat.ProductCreate], today: date
) -> DemoDelivery | None:
    """Today's delivery from ACME on two pallets: one of mixed cases to break and check case
    by case (a lot- and expiry-tracked product, one case with its lot and expiry on two
    labels, and cases of another), and one of a single product, received whole by its SSCC."""
    cased = [p for p in products if any(u.uom == "CS" for u in p.units)]
    tracked = [p for p in cased if p.lot_tracked and p.expiry_tracked]
    plain = [p for p in cased if not p.lot_tracked and not p.expiry_tracked]
    if not tracked or len(plain) < 2:
        return None  # a tiny demo catalogue: no delivery, the rest of the demo stands
    fresh, loose, palletised = tracked[0], plain[0], plain[1]
    lot = f"L{rng.randint(10000, 99999)}"
    expiry = today + timedelta(days=200)
    mixed, whole = (make_sscc(0, COMPANY_PREFIX, rng.randint(1, 10**9)) for _ in range(2))
    per_case = {p.sku: next(u.units for u in p.units if u.uom == "CS") for p in cased}
    notice = n.NoticeCreate(
        reference=DEMO_NOTICE,
        kind=n.NoticeKind.ASN,
        supplier=DEMO_SUPPLIER,
        expected_on=today,
        dock="DOCK-01",
        lines=[
            n.NoticeLineIn(line_no=1, sku=fresh.sku, quantity=3, uom="CS", lot=lot, expiry=expiry),
            n.NoticeLineIn(line_no=2, sku=loose.sku, quantity=2, uom="CS"),
            n.NoticeLineIn(line_no=3, sku=palletised.sku, quantity=4, uom="CS"),
        ],
        ssccs=[
            n.SsccIn(
                sscc=mixed,
                contents=[
                    n.SsccContent(
                        sku=fresh.sku, quantity=3 * per_case[fresh.sku], lot=lot, expiry=expiry
                    ),
                    n.SsccContent(sku=loose.sku, quantity=2 * per_case[loose.sku]),
                ],
            ),
            n.SsccIn(
                sscc=whole,
                contents=[n.SsccContent(sku=palletised.sku, quantity=4 * per_case[palletised.sku])],
            ),
        ],
    )

    def case(p: cat.ProductCreate) -> str:
        return next(u.barcode for u in p.units if u.uom == "CS")

    labels = [
        DemoLabel("0-notice", "notice", DEMO_NOTICE, description=DEMO_SUPPLIER.name),
        DemoLabel("1-pallet-mixed", "pallet", mixed, description="mixed cases: break it"),
        DemoLabel("2-case", "case", case(fresh), lot, expiry, fresh.description),
        DemoLabel("3-case", "case", case(fresh), lot, expiry, fresh.description),
        # Lot and expiry on two labels, as some suppliers print them: two scans.
        DemoLabel("4a-case-lot", "case", case(fresh), lot, None, fresh.description),
        DemoLabel("4b-case-expiry", "case", "", "", expiry, fresh.description),
        DemoLabel("5-case", "case", case(loose), description=loose.description),
        DemoLabel("6-case", "case", case(loose), description=loose.description),
        DemoLabel("7-pallet", "pallet", whole, description=palletised.description),
    ]
    return DemoDelivery(notice, labels)


def _product(rng: random.Random, n: int) -> cat.ProductCreate:
    noun, perishable = rng.choice(_NOUNS)
    description = f"{rng.choice(_ADJECTIVES)} {noun}{rng.choice(_SIZES)}".strip()
    gtin = gtin13(n)
    length, width, height = (rng.randint(40, 400) for _ in range(3))
    weight = rng.randint(50, 3000)
    units = [
        cat.ProductUnitIn(
            uom="EA",
            units=1,
            barcode=gtin,
            length_mm=length,
            width_mm=width,
            height_mm=height,
            weight_g=weight,
        )
    ]
    if rng.random() < 0.3:
        per_case = rng.choice((6, 12, 24))
        units.append(
            cat.ProductUnitIn(
                uom="CS",
                units=per_case,
                barcode=case_gtin14(gtin),
                length_mm=min(length * 3, 10_000),
                width_mm=min(width * 2, 10_000),
                height_mm=min(height * 2, 10_000),
                weight_g=weight * per_case + 150,
            )
        )
    return cat.ProductCreate(
        sku=f"SKU-{n:05d}",
        description=description,
        lot_tracked=perishable or rng.random() < 0.05,
        expiry_tracked=perishable,
        upright=noun in ("Olive oil", "Shampoo"),
        units=units,
    )


def _stock(
    rng: random.Random,
    products: list[cat.ProductCreate],
    racks: list[cat.LocationCreate],
    today: date,
) -> Iterator[cat.StockAdjustment]:
    faces = [loc.code for loc in racks if loc.kind == "pick_face"]
    reserve = [loc.code for loc in racks if loc.kind == "reserve"]
    rng.shuffle(faces)
    rng.shuffle(reserve)
    for product, face in zip(products, faces, strict=False):
        lots = 2 if product.expiry_tracked else 1
        for lot_no in range(lots):
            lot = f"L{rng.randint(10000, 99999)}" if product.lot_tracked else ""
            expiry = (
                today + timedelta(days=rng.randint(30, 400)) if product.expiry_tracked else None
            )
            yield cat.StockAdjustment(
                location=face,
                sku=product.sku,
                lot=lot,
                expiry=expiry,
                delta=rng.randint(10, 120) // (lot_no + 1) + 5,
                reason="received",
            )
        if reserve and rng.random() < 0.6:
            yield cat.StockAdjustment(
                location=reserve.pop(),
                sku=product.sku,
                lot=f"L{rng.randint(10000, 99999)}" if product.lot_tracked else "",
                expiry=today + timedelta(days=rng.randint(200, 600))
                if product.expiry_tracked
                else None,
                delta=rng.randint(100, 600),
                reason="received",
            )


def _order(
    rng: random.Random, n: int, products: list[cat.ProductCreate], today: date
) -> o.OrderCreate:
    roll = rng.random()
    if roll < 0.55:
        lines = [(rng.choice(products).sku, 1)]
    elif roll < 0.75:
        lines = [(rng.choice(products).sku, rng.randint(2, 3))]
    else:
        # The long tail: line counts fall off geometrically, up to 20 lines.
        count = 2
        while count < 20 and rng.random() < 0.7:
            count += 1
        chosen = rng.sample(products, count)
        lines = [(p.sku, 1 if rng.random() < 0.7 else rng.randint(2, 4)) for p in chosen]
    carrier, service, _ = rng.choices(CARRIERS, weights=[w for *_, w in CARRIERS])[0]
    city, region, postal = rng.choice(_CITIES)
    name = f"{rng.choice(_NAMES)} {rng.choice(_SURNAMES)}"
    return o.OrderCreate(
        reference=f"SO-{100000 + n}",
        customer_name=name,
        ship_to=o.Address(
            name=name,
            line1=f"{rng.randint(1, 9999)} {rng.choice(('Main', 'Oak', 'Pine', 'Lake'))} St",
            city=city,
            region=region,
            postal_code=postal,
            country="US",
        ),
        carrier=carrier,
        service=service,
        priority=rng.choices((1, 3, 5, 7), weights=(5, 15, 70, 10))[0],
        ship_by=today
        + timedelta(days=rng.choices((0, 1, 2, 3, 4), weights=(30, 30, 20, 10, 10))[0]),
        lines=[o.OrderLineIn(sku=sku, quantity=qty) for sku, qty in lines],
    )


@dataclass(frozen=True)
class DemoSite:
    station_token: str
    counts: dict[str, int]


def seed(
    catalogue: CatalogueService,
    orders: OrderService,
    people: PeopleService,
    containers: ContainerService,
    demo: DemoPlan,
    notices: NoticeService | None = None,
) -> DemoSite:
    """Write the plan into an empty database: layout, products, stock, orders, people, and
    today's delivery (when `notices` is given)."""
    zones_added, locations_added = catalogue.apply_layout(SYSTEM, demo.zones, demo.locations)
    catalogue.add_products(SYSTEM, demo.products)
    added = containers.add(SYSTEM, demo.containers)
    catalogue.adjust_many(SYSTEM, demo.stock)
    for start in range(0, len(demo.orders), 500):
        orders.create_many(SYSTEM, o.OrderBatch(orders=demo.orders[start : start + 500]))
    for name, badge, pin, role in DEMO_PEOPLE:
        people.add_user(SYSTEM, UserCreate(name=name, badge=badge, pin=pin, role=role))
    if notices is not None and demo.delivery is not None:
        notices.create(SYSTEM, demo.delivery.notice)
    station = people.register_station(SYSTEM, StationCreate(name=DEMO_STATION))
    return DemoSite(
        station_token=station.token,
        counts={
            "zones": zones_added,
            "locations": locations_added,
            "products": len(demo.products),
            "stock rows": len(demo.stock),
            "orders": len(demo.orders),
            "order lines": sum(len(order.lines) for order in demo.orders),
            "carts": added.carts_added,
            "totes": added.totes_added,
            "notices": int(notices is not None and demo.delivery is not None),
        },
    )


def set_face_limits(replenishment: ReplenishmentService, demo: DemoPlan) -> int:
    """A minimum and a maximum on every pick face whose SKU has stock in reserve; the face
    holding the fewest units is set below its minimum already, so the demo replenisher finds
    work (the server's sweep opens it, and a wave's release adds the faces it empties)."""
    kinds = {loc.code: loc.kind for loc in demo.locations}
    held: dict[tuple[str, str], int] = {}
    for row in demo.stock:
        held[(row.location, row.sku)] = held.get((row.location, row.sku), 0) + row.delta
    in_reserve = {sku for (code, sku) in held if kinds.get(code) == "reserve"}
    faces = sorted(
        (units, code, sku)
        for (code, sku), units in held.items()
        if kinds.get(code) == "pick_face" and sku in in_reserve
    )
    for rank, (units, code, sku) in enumerate(faces):
        minimum = units + DEMO_FACE_MIN if rank == 0 else DEMO_FACE_MIN
        limit = rp.FaceLimitIn(minimum=minimum, maximum=max(minimum * 3, DEMO_FACE_MAX))
        replenishment.set_limit(SYSTEM, code, sku, limit)
    return len(faces)


def open_counts(counts: CountService, demo: DemoPlan) -> int:
    """A supervisor's counts of the first few stocked locations, for the demo counter."""
    where = sorted({row.location for row in demo.stock})[:DEMO_COUNTS]
    opened = 0
    for code in where:
        opened += len(counts.request(SYSTEM, CountRequest(location=code)).created)
    return opened


# What a newcomer picks first: a cart of up to four single-line orders of the usual
# priority, then single orders of a later priority (tasks are handed out by priority).
DEMO_WAVES = (
    WaveCreate(
        name="Demo cart",
        strategy="cart",
        filters=WaveFilters(priorities=[5], profile="single_line", max_orders=4),
        cart=CartSpec(slots=4, volume_l=400.0, weight_kg=150.0),
    ),
    WaveCreate(
        name="Demo singles",
        strategy="discrete",
        filters=WaveFilters(priorities=[6, 7, 8, 9], max_orders=2),
    ),
)


def release_work(waves: WaveBuildingService, releases: WaveReleaseService) -> list[int]:
    """Release the demo waves so the demo picker finds work; the task ids, cart first."""
    task_ids: list[int] = []
    for body in DEMO_WAVES:
        try:
            wave = waves.create(SYSTEM, body)  # refused when no order matches its filters
            task_ids += releases.release(SYSTEM, wave.id).task_ids
        except Refused:
            continue  # a small demo may have no order for a wave: the others still go
    return task_ids
