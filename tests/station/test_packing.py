"""Pack-station use cases on the real station store, with printers on loopback sockets."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import zxingcpp
from PIL import Image

from tests.server.conftest import Site
from tests.server.test_shipping_api import API, picked
from tests.server.test_sync_api import order_status
from tests.station.conftest import keep_task, make_task
from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.orders import Address
from toteflow.contracts.shipping import PackLine, PackOrder, SsccBlock
from toteflow.domain.carriers import CarrierRules, Parcel, ShipmentRequest, evaluate
from toteflow.domain.errors import Refused
from toteflow.domain.labels import Address as LabelAddress
from toteflow.domain.labels import packing_slip_text
from toteflow.domain.packing import WeightOverride
from toteflow.domain.roles import Role
from toteflow.shared.labels import LabelRenderer
from toteflow.shared.shipping_files import load_boxes, load_carrier_rules
from toteflow.station.devices.printer import make_printer, parse_printer
from toteflow.station.ports.store import CachedProduct
from toteflow.station.server_client.pack_client import PackClient
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import FloorActions
from toteflow.station.services.pack_carrier import CarrierChoice
from toteflow.station.services.packing.boxes import BoxAndCarrier
from toteflow.station.services.packing.policy import PackingPolicy
from toteflow.station.services.packing.records import WeightOutOfTolerance
from toteflow.station.services.packing.service import PackingService, open_order
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

CONFIG = Path(__file__).resolve().parents[2] / "config"
BOXES = tuple(load_boxes(CONFIG / "boxes.toml"))
RULES = load_carrier_rules(CONFIG / "carriers.toml")
FROM = LabelAddress("DC", "1 Dock Road", "", "Springfield", "IL", "62701", "US")


def order(reference: str = "SO-1") -> PackOrder:
    return PackOrder(
        reference=reference,
        status="picked",  # type: ignore[arg-type]
        customer_name="Jane",
        ship_to=Address(
            name="Jane Doe", line1="42 Elm St", city="Portland", postal_code="97201", country="US"
        ),
        carrier="UPS",
        service="GROUND",
        ship_by=date(2026, 11, 25),
        priority=5,
        totes=["T000001"],
        lines=[
            PackLine(
                sku="SKU-A",
                description="Mug",
                ordered=7,
                picked=7,
                upright=False,
                units=[
                    ProductUnit(
                        uom="EA",
                        barcode="4006381333931",
                        barcode_kind="gtin13",
                        length_mm=100,
                        width_mm=80,
                        height_mm=90,
                        weight_g=300,
                    ),
                    ProductUnit(
                        uom="CS",
                        units=6,
                        barcode="14006381333938",
                        barcode_kind="gtin14",
                        length_mm=300,
                        width_mm=160,
                        height_mm=90,
                        weight_g=1900,
                    ),
                ],
            ),
            PackLine(
                sku="SKU-B",
                description="Olive oil",
                ordered=1,
                picked=1,
                upright=True,
                units=[
                    ProductUnit(
                        uom="EA",
                        barcode="SKU-B-EA",
                        barcode_kind="internal",
                        length_mm=70,
                        width_mm=70,
                        height_mm=280,
                        weight_g=950,
                    )
                ],
            ),
        ],
    )


class RawPrinter:
    """A loopback port-9100 printer that can be switched off and on."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.server: socket.socket | None = None
        self.thread: threading.Thread | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])

    def on(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self.server.settimeout(0.1)
        stop = self.stop_flag = threading.Event()
        server = self.server

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                with conn:
                    data = b""
                    while chunk := conn.recv(65536):
                        data += chunk
                    self.jobs.append(data)

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()

    def received(self, count: int, timeout: float = 10.0) -> list[bytes]:
        """The jobs, once `count` have arrived: the sender is done when it has closed the
        connection, this side when it has read to the end, a moment later."""
        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.jobs)

    def off(self) -> None:
        if self.server is not None:
            self.stop_flag.set()
            assert self.thread is not None
            self.thread.join(5)
            self.server.close()
            self.server = None


@pytest.fixture
def zebra() -> Iterator[RawPrinter]:
    printer = RawPrinter()
    yield printer
    printer.off()


def packing_service(
    uow: SqlStationUnitOfWorkFactory, zebra: RawPrinter, folder: Path, **policy: object
) -> PackingService:
    printers = {
        "zebra": make_printer(parse_printer("zebra", f"tcp://127.0.0.1:{zebra.port}"), 2.0),
        "preview": make_printer(parse_printer("preview", f"folder:{folder}?format=png")),
    }
    return PackingService(
        uow,
        PackingPolicy(
            boxes=BOXES,
            carriers=RULES,
            ship_from=FROM,
            label_printer="zebra",
            slip_printer="preview",
            **policy,  # type: ignore[arg-type]
        ),
        LabelRenderer(),
        printers,
    )


@pytest.fixture
def packing(
    registered: SqlStationUnitOfWorkFactory, zebra: RawPrinter, tmp_path: Path
) -> PackingService:
    service = packing_service(registered, zebra, tmp_path / "out")
    with registered() as unit:
        unit.packing.add_sscc_block(
            SsccBlock(company_prefix="0614141", extension_digit=0, first=100, last=104)
        )
        unit.commit()
    return service


def pending_types(uow: SqlStationUnitOfWorkFactory) -> list[str]:
    with uow() as unit:
        return [e.type for e in unit.outbox.after(0, 100)]


def test_wrong_extra_and_unknown_items_are_refused_with_the_reason(
    packing: PackingService, registered: SqlStationUnitOfWorkFactory
) -> None:
    packing.records.store_order(7, order())
    with pytest.raises(Refused, match="is not a product this station knows"):
        packing.records.verify("SO-1", "4006381333948")
    assert packing.records.verify("SO-1", "4006381333931").verified == 1
    # GTINs match in any length: the EAN-13 as 14 digits is the same item.
    assert packing.records.verify("SO-1", "04006381333931").verified == 2
    with pytest.raises(Refused, match="that pack holds 6 of SKU-A, but only 5 more"):
        packing.records.verify("SO-1", "14006381333938")
    for _ in range(5):
        packing.records.verify("SO-1", "4006381333931")
    with pytest.raises(Refused, match="all 7 of SKU-A are already checked: this one is extra"):
        packing.records.verify("SO-1", "4006381333931")
    assert packing.records.verify("SO-1", "SKU-B-EA").order_done
    # A product the station knows, on another order: named in the refusal.
    with registered() as unit:
        unit.catalogue.upsert_product(
            CachedProduct(
                "SKU-Z",
                "Teapot",
                False,
                False,
                False,
                [order().lines[1].units[0].model_copy(update={"barcode": "4006381333955"})],
            )
        )
        unit.commit()
    with pytest.raises(Refused, match="SKU-Z is not on order SO-1: set it aside"):
        packing.records.verify("SO-1", "4006381333955")


def test_normal_pack_suggest_weigh_choose_print_close(
    packing: PackingService, registered: SqlStationUnitOfWorkFactory, zebra: RawPrinter
) -> None:
    zebra.on()
    packing.records.store_order(7, order())
    for code in ["14006381333938", "4006381333931", "SKU-B-EA"]:
        packing.records.verify("SO-1", code)
    suggestion = packing.boxes.suggest(packing.records.view("SO-1"))
    assert sum(sum(b.counts().values()) for b in suggestion.boxes) == 8
    # The upright bottle stands: whatever box takes it is at least 280 mm tall inside.
    bottle_box = next(b for b in suggestion.boxes if "SKU-B" in b.counts())
    assert bottle_box.box.height_mm >= 280
    parcels = [
        Parcel(b.gross_weight_g, b.box.length_mm, b.box.width_mm, b.box.height_mm)
        for b in suggestion.boxes
    ]
    choice = packing.boxes.choose_service(order(), parcels, ship_on=date(2026, 11, 23))
    assert choice.chosen is not None
    assert choice.explain()
    carrier, service = choice.chosen.service.carrier, choice.chosen.service.code
    closed = []
    for packed in suggestion.boxes:
        closed.append(
            packing.records.close_carton(
                7,
                "SO-1",
                packed.box.barcode,
                packed.gross_weight_g + 20,
                carrier,
                service,
                packed.counts(),
            )
        )
    results = packing.prints.print_queued(user_id=7)
    assert all(r.ok for r in results)
    jobs = zebra.received(len(closed))
    assert len(jobs) == len(closed)
    for job, c in zip(jobs, closed, strict=True):
        assert f">;>800{c.carton.sscc}".encode() in job
        assert c.carton.tracking.encode() in job
    event = packing.records.close_shipment(7, "SO-1", choice)
    assert event.payload["boxes"] == len(closed)
    assert event.payload["partial"] is False
    types = pending_types(registered)
    assert types == ["carton.packed"] * len(closed) + ["label.printed"] * len(closed) + [
        "shipment.closed"
    ]
    slip = packing.prints.packing_slip(packing.records.view("SO-1"))
    assert sum(line.quantity for box in slip.boxes for line in box.lines) == 8
    with pytest.raises(Refused, match="already closed"):
        packing.records.verify("SO-1", "SKU-B-EA")


def test_a_weight_outside_tolerance_needs_a_reason_and_far_off_a_supervisor(
    packing: PackingService,
) -> None:
    packing.records.store_order(7, order())
    packing.records.verify("SO-1", "SKU-B-EA")
    with pytest.raises(WeightOutOfTolerance, match=r"box is heavy.*give a reason"):
        packing.records.close_carton(7, "SO-1", "BOX-M", 2500, "UPS", "GROUND")
    expected = packing.boxes.expected_weight(
        order(), packing.boxes.box_for_barcode("BOX-M"), {"SKU-B": 1}
    )
    assert expected == 950 + 320
    assert packing.boxes.check_weight(expected, expected + 50).ok
    with pytest.raises(WeightOutOfTolerance, match="not a reason to accept a weight"):
        packing.records.close_carton(
            7, "SO-1", "BOX-M", 1400, "UPS", "GROUND", override=WeightOverride("because")
        )
    # 1.23 kg off is beyond the second limit (the larger of 15 % and 250 g): a reason alone
    # will not do; a supervisor's approval (their badge, checked by the server) will.
    with pytest.raises(WeightOutOfTolerance, match="a supervisor's badge must approve it"):
        packing.records.close_carton(
            7, "SO-1", "BOX-M", 2500, "UPS", "GROUND", override=WeightOverride("scale")
        )
    approved = WeightOverride("packing_material", approved_by=3, approver="Supervisor One")
    closed = packing.records.close_carton(
        7, "SO-1", "BOX-M", 2500, "UPS", "GROUND", override=approved
    )
    assert closed.event.payload["weight_confirmed"] is True
    assert closed.event.payload["weight_override"] == {
        "reason": "packing_material",
        "approved_by": 3,
        "approver": "Supervisor One",
    }


def test_a_weight_a_little_off_is_accepted_with_the_packers_reason_alone(
    packing: PackingService,
) -> None:
    packing.records.store_order(7, order())
    packing.records.verify("SO-1", "SKU-B-EA")
    # 1.27 kg expected: 130 g heavy is outside 5 % / 50 g but within 15 % / 250 g.
    closed = packing.records.close_carton(
        7, "SO-1", "BOX-M", 1400, "UPS", "GROUND", override=WeightOverride("packing_material")
    )
    assert closed.event.payload["weight_override"]["approved_by"] is None


def test_printer_down_keeps_the_label_queued_then_reprint_or_switch(
    packing: PackingService, zebra: RawPrinter, tmp_path: Path
) -> None:
    packing.records.store_order(7, order())
    packing.records.verify("SO-1", "SKU-B-EA")
    closed = packing.records.close_carton(7, "SO-1", "BOX-M", 1270, "UPS", "GROUND")
    down = packing.prints.print_job(closed.label_job)
    assert not down.ok
    assert "zebra" in down.message
    assert "stays queued" in down.message
    assert [j.id for j in packing.prints.jobs()] == [closed.label_job]
    zebra.on()
    again = packing.prints.print_job(closed.label_job)
    assert again.ok
    assert packing.prints.jobs() == []
    assert len(zebra.received(1)) == 1
    # A reprint on another printer: the preview folder gets a PNG that scans.
    other = packing.prints.print_job(closed.label_job, printer="preview")
    assert other.ok
    png = (tmp_path / "out").glob("*.png")
    decoded = {
        r.text
        for path in png
        for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(path.read_bytes())))
    }
    assert f"(00){closed.carton.sscc}" in decoded
    with pytest.raises(Refused, match="no printer"):
        packing.prints.print_job(closed.label_job, printer="laser-9")


def test_short_items_ship_partially_or_wait_by_policy(
    registered: SqlStationUnitOfWorkFactory, zebra: RawPrinter, tmp_path: Path
) -> None:
    for policy in ("ship_partial", "wait"):
        packing = packing_service(registered, zebra, tmp_path / policy, short_policy=policy)
        reference = f"SO-{policy}"
        with registered() as unit:
            unit.packing.add_sscc_block(
                SsccBlock(company_prefix="0614141", extension_digit=0, first=1, last=5)
                if policy == "ship_partial"
                else SsccBlock(company_prefix="0614141", extension_digit=0, first=6, last=9)
            )
            unit.commit()
        packing.records.store_order(7, order(reference))
        packing.records.verify(reference, "SKU-B-EA")
        packing.records.close_carton(7, reference, "BOX-M", 1270, "UPS", "GROUND")
        with pytest.raises(Refused, match="still to check or report short: 7 x SKU-A"):
            packing.records.close_shipment(7, reference)
        short = packing.records.report_short(7, reference, "SKU-A", "not_found")
        assert short.payload == {
            "order": reference,
            "sku": "SKU-A",
            "missing": 7,
            "reason": "not_found",
        }
        if policy == "ship_partial":
            assert packing.records.close_shipment(7, reference).payload["partial"] is True
            slip = packing.prints.packing_slip(packing.records.view(reference))
            assert slip.missing[0].quantity == 7
        else:
            with pytest.raises(Refused, match="waits for a supervisor"):
                packing.records.close_shipment(7, reference)


def test_no_sscc_left_is_refused_until_a_block_arrives(
    registered: SqlStationUnitOfWorkFactory, zebra: RawPrinter, tmp_path: Path
) -> None:
    packing = packing_service(registered, zebra, tmp_path)
    packing.records.store_order(7, order())
    packing.records.verify("SO-1", "SKU-B-EA")
    with pytest.raises(Refused, match="no SSCC numbers left"):
        packing.records.close_carton(7, "SO-1", "BOX-M", 1270, "UPS", "GROUND")
    assert pending_types(registered) == []


def test_a_station_packs_against_the_real_server(
    site: Site, tmp_path: Path, zebra: RawPrinter
) -> None:
    """Fetch by tote, reserve serials, pack, push: the server ends with a packed order."""
    work = picked(site)
    packer = site.login(Role.PACKER)
    session = packer["X-Toteflow-Session"]
    engine = open_store(tmp_path / "station" / "station.db")
    uow = SqlStationUnitOfWorkFactory(engine)
    station_setup.register(
        uow,
        station_id=site.station_id,
        name="pack-01",
        server_url="http://toteflow.test",
        token=site.station_token,
        server_last_seq=1,
    )
    packing = packing_service(uow, zebra, tmp_path / "out")
    zebra.on()
    transport = httpx.ASGITransport(app=site.parts.app)

    async def go() -> None:
        async with httpx.AsyncClient(transport=transport) as http:
            client = PackClient(http, "http://toteflow.test", site.station_token)
            view = await open_order(client, packing, 2, "SO-1", session)
            assert view.lines[0].expected == 2
            assert packing.sscc.left() == 50
            code = view.order.lines[0].units[0].barcode
            packing.records.verify("SO-1", code)
            packing.records.verify("SO-1", code)
            # The test product has no measurements: the packer picks the box by scanning it.
            with pytest.raises(Refused, match="no dimensions"):
                packing.boxes.suggest(packing.records.view("SO-1"))
            packing.records.close_carton(
                2, "SO-1", "BOX-S", 180, "UPS", "GROUND", override=WeightOverride("scale")
            )
            assert all(r.ok for r in packing.prints.print_queued(user_id=2))
            packing.records.close_shipment(2, "SO-1")
            with uow() as unit:
                events = [e.to_wire() for e in unit.outbox.after(0, 100)]
            reply = await client.push(site.station_id, events)
            assert [r.status for r in reply.results] == ["applied"] * 3, reply

    asyncio.run(go())
    engine.dispose()
    assert order_status(site, work) == "packed"
    shipments = site.client.get(f"{API}/shipments", headers=packer).json()
    box = shipments["items"][0]["boxes"][0]
    assert box["label_prints"] == 1
    assert box["box_code"] == "BOX-S"


def tracked_order(**line: object) -> PackOrder:
    """SO-T: 2 units of a tracked SKU-T (GTIN 4006381333931), as `line` says it is tracked."""
    base = order("SO-T")
    mug = base.lines[0].model_copy(update={"sku": "SKU-T", "ordered": 2, "picked": 2, **line})
    return base.model_copy(update={"lines": [mug]})


def gs1(*, lot: str | None = None, expiry: str | None = None, serial: str | None = None) -> str:
    text = "]C10104006381333931"
    if expiry:
        text += f"17{expiry}"
    if lot:
        text += f"10{lot}" + ("\x1d" if serial else "")
    if serial:
        text += f"21{serial}"
    return text


def test_a_tracked_item_needs_the_label_that_carries_its_lot_expiry_or_serial(
    packing: PackingService,
) -> None:
    """The packer is held to the picker's rules: a plain GTIN will not do for a tracked SKU."""
    packing.records.store_order(7, tracked_order(lot_tracked=True, lots=["L1"]))
    with pytest.raises(
        Refused, match=r"SKU-T is lot-tracked: scan the label that carries the lot \(L1\)"
    ):
        packing.records.verify("SO-T", "4006381333931")
    with pytest.raises(Refused, match="wrong lot L2: SKU-T was picked from lot L1"):
        packing.records.verify("SO-T", gs1(lot="L2"))
    checked = packing.records.verify("SO-T", gs1(lot="L1"))
    assert (checked.verified, checked.label.lot) == (1, "L1")
    assert packing.records.view("SO-T").lines[0].verified == 1

    packing.records.store_order(
        7, tracked_order(expiry_tracked=True).model_copy(update={"reference": "SO-E"})
    )
    with pytest.raises(Refused, match="expiry-tracked: scan the label that carries the expiry"):
        packing.records.verify("SO-E", "4006381333931")
    with pytest.raises(Refused, match="expired on 2020-01-31: do not pack it"):
        packing.records.verify("SO-E", gs1(expiry="200131"))
    assert packing.records.verify("SO-E", gs1(expiry="401231")).verified == 1

    packing.records.store_order(
        7, tracked_order(serial_tracked=True).model_copy(update={"reference": "SO-S"})
    )
    with pytest.raises(Refused, match="serial-tracked: scan the label that carries the serial"):
        packing.records.verify("SO-S", "4006381333931")
    assert packing.records.verify("SO-S", gs1(serial="SN1")).label.serial == "SN1"
    with pytest.raises(Refused, match="serial SN1 of SKU-T is already checked"):
        packing.records.verify("SO-S", gs1(serial="SN1"))
    assert packing.records.verify("SO-S", gs1(serial="SN2")).order_done
    # Nothing refused was counted; the serials are kept with the order.
    with packing.records.uow() as unit:
        state = unit.packing.get("SO-S")
    assert state is not None
    assert state.marks == {"SKU-T": {"serials": ["SN1", "SN2"]}}


def test_a_keyed_sku_counts_only_where_the_site_allows_it_and_is_recorded_as_keyed(
    registered: SqlStationUnitOfWorkFactory, zebra: RawPrinter, tmp_path: Path
) -> None:
    strict = packing_service(registered, zebra, tmp_path / "strict")
    strict.records.store_order(7, order("SO-K1"))
    # Typing the SKU shown used to pass unremarked; now it needs [station] allow_keyed_items.
    with pytest.raises(Refused, match="keying in the item is not allowed at this site"):
        strict.records.verify("SO-K1", "SKU-A")
    assert strict.records.view("SO-K1").lines[0].verified == 0

    keyed = packing_service(registered, zebra, tmp_path / "keyed", allow_keyed_items=True)
    with registered() as unit:
        unit.packing.add_sscc_block(
            SsccBlock(company_prefix="0614141", extension_digit=0, first=200, last=204)
        )
        unit.commit()
    keyed.records.store_order(7, order("SO-K2"))
    assert keyed.records.verify("SO-K2", " sku-a ").label.keyed
    keyed.records.verify("SO-K2", "14006381333938")  # the case of 6, scanned
    keyed.records.verify("SO-K2", "SKU-B-EA")
    view = keyed.records.view("SO-K2")
    assert view.all_checked
    approved = WeightOverride("scale", approved_by=3, approver="Supervisor One")
    keyed.records.close_carton(7, "SO-K2", "BOX-L", 4000, "UPS", "GROUND", override=approved)
    event = keyed.records.close_shipment(7, "SO-K2")
    # The keyed unit travels with the order's record, for the accuracy figures.
    assert event.payload["keyed"] == {"SKU-A": 1}
    # A lot-tracked item can never be keyed: the lot is on the label, not the screen.
    keyed.records.store_order(7, tracked_order(lot_tracked=True, lots=["L1"]))
    with pytest.raises(Refused, match="SKU-T carries a lot: it cannot be keyed in"):
        keyed.records.verify("SO-T", "SKU-T")


def test_the_price_follows_the_boxes_and_weights_and_stays_on_the_printed_service(
    packing: PackingService,
) -> None:
    """Cheapest on time by policy; once a label is printed, later boxes go the same way."""
    cheapest = dataclasses.replace(RULES, service_policy="cheapest_on_time")
    boxes = BoxAndCarrier(dataclasses.replace(packing.policy, carriers=cheapest))
    carrier = CarrierChoice(boxes, order(), lambda: date(2026, 11, 23))
    light, heavy = Parcel(1000, 300, 200, 150), Parcel(24_000, 500, 400, 400)
    carrier.follow([light])
    assert carrier.choice is not None
    assert carrier.choice.chosen is not None
    first = carrier.choice.chosen
    assert (first.service.key, first.cost_cents) == ("USPS/GROUND_ADVANTAGE", 1080)
    assert carrier.choice.why == (
        "instead of the asked UPS Ground: 3.70 cheaper and arrives 2026-11-30, by the "
        "promised 2026-12-02 (policy: the cheapest that arrives by the promised date)"
    )
    # A second, heavy box: the cheapest is now the order's own service, at its new price.
    carrier.follow([light, heavy])
    assert carrier.choice.chosen is not None
    assert (carrier.choice.chosen.service.key, carrier.choice.chosen.cost_cents) == (
        "UPS/GROUND",
        6600,
    )
    assert carrier.choice.why == "the service the order asked for"
    carrier.pin(first.service.carrier, first.service.code)
    carrier.follow([light, heavy])
    pinned = carrier.choice
    assert pinned is not None
    assert pinned.chosen is not None
    assert pinned.chosen.service == first.service
    assert pinned.why == "the service on the labels already printed"
    alone = evaluate(cheapest, first.service, _request(cheapest, [light, heavy]), pinned.zone)
    assert pinned.chosen.cost_cents == alone.cost_cents
    assert not pinned.overridden


def _request(rules: CarrierRules, parcels: list[Parcel]) -> ShipmentRequest:
    o = order()
    return ShipmentRequest(
        tuple(parcels),
        o.ship_to.country,
        o.ship_to.postal_code,
        o.carrier,
        o.service,
        o.ship_by,
        date(2026, 11, 23),
    )


def test_the_packing_slip_lists_what_was_shorted_at_picking_and_at_packing(
    packing: PackingService,
) -> None:
    # 9 mugs ordered, 7 picked (2 short at picking); the oil goes missing at packing.
    short_picked = order("SO-SL")
    mugs = short_picked.lines[0].model_copy(update={"ordered": 9})
    short_picked = short_picked.model_copy(update={"lines": [mugs, short_picked.lines[1]]})
    packing.records.store_order(7, short_picked)
    packing.records.verify("SO-SL", "14006381333938")
    packing.records.verify("SO-SL", "4006381333931")
    packing.records.report_short(7, "SO-SL", "SKU-B", "damaged")
    packing.records.close_carton(
        7, "SO-SL", "BOX-M", 2500, "UPS", "GROUND", override=WeightOverride("scale", 3, "S")
    )
    packing.records.close_shipment(7, "SO-SL")
    slip = packing.prints.packing_slip(packing.records.view("SO-SL"))
    assert [(m.sku, m.quantity) for m in slip.missing] == [("SKU-A", 2), ("SKU-B", 1)]
    text = packing_slip_text(slip)
    assert "Not in this shipment:" in text
    assert "2 x SKU-A Mug" in text
    assert "1 x SKU-B Olive oil" in text


def test_a_tote_whose_every_unit_was_reported_short_leaves_the_pack_home_list(
    packing: PackingService, registered: SqlStationUnitOfWorkFactory
) -> None:
    floor = FloorActions(registered)
    for task_id, reference, tote in ((31, "SO-31", "T000031"), (32, "SO-32", "T000032")):
        keep_task(registered, make_task(task_id, reference=reference, quantity=2))
        floor.assign_tote(7, task_id, 1, tote)
    floor.confirm_pick(7, 3101, 2, tote="T000031")
    floor.short_pick(7, 3201, "empty")  # nothing of SO-32 was found
    for task_id, tote in ((31, "T000031"), (32, "T000032")):
        floor.close_tote(7, task_id, 1, tote)
        floor.complete_task(7, task_id)
    assert packing.records.totes_to_pack() == [("T000031", "SO-31")]
    # Every unit reported short at the pack bench: the tote leaves the list too.
    mugs = order("SO-31").lines[0].model_copy(update={"sku": "SKU-31-1", "ordered": 2, "picked": 2})
    packing.records.store_order(7, order("SO-31").model_copy(update={"lines": [mugs]}))
    packing.records.report_short(7, "SO-31", "SKU-31-1", "not_found")
    assert packing.records.totes_to_pack() == []
