"""Pack flows end to end at the station: normal, wrong item, short, box override, scale, printer.

The station app is built by the real bootstrap and talks to a real server over HTTP on a
loopback port; the server's database then shows the packed order, its boxes and labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from textual.pilot import Pilot

from tests.integration.fake_scales import FakeScale
from tests.integration.ptys import PtyDevice
from tests.station.test_packing import RawPrinter
from tests.support.packing import Measured, picked_into_tote
from tests.support.tasks import Item, order_state
from tests.tui.station_world import (
    World,
    log_in,
    on_screen,
    press,
    scan,
    synced,
    until,
)
from toteflow.central.store import tables as t
from toteflow.config import PrintingSettings, ScaleSettings
from toteflow.contracts.shipping import Shipment, ShipmentFilter
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.station.tui.screens.pack_box import PackBoxScreen
from toteflow.station.tui.screens.pack_dialogs import (
    PackChoiceScreen,
    PackShortScreen,
    PackWeightReasonScreen,
    PackWeightScreen,
)
from toteflow.station.tui.screens.pack_done import PackDoneScreen
from toteflow.station.tui.screens.pack_home import PackHomeScreen
from toteflow.station.tui.screens.pack_order import PackOrderScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio

MUG = Measured(Item("PK-MUG"), 2, (100, 80, 90), 350)
LAMP = Measured(Item("PK-LAMP"), 1, (250, 150, 120), 900)


@pytest.fixture
def zebra() -> Iterator[RawPrinter]:
    printer = RawPrinter()
    yield printer
    printer.off()


def signalled(screen: Any) -> str:
    return str(screen.query_one(ScanFeedback).last_signal)


def shipment(world: World, reference: str) -> Shipment:
    page = world.parts.services.shipping.shipments(
        SYSTEM, ShipmentFilter(order_reference=reference), 0, 10
    )
    assert len(page.items) == 1, page
    return page.items[0]


async def open_tote(pilot: Pilot[Any], tote: str) -> PackOrderScreen:
    await log_in(pilot, Role.PACKER)
    await on_screen(pilot, PackHomeScreen)
    await scan(pilot, tote)
    screen: PackOrderScreen = await on_screen(pilot, PackOrderScreen)
    return screen


async def check_all(pilot: Pilot[Any], *lines: Measured) -> PackBoxScreen:
    for line in lines:
        for _ in range(line.quantity):
            await scan(pilot, line.item.barcode)
    box: PackBoxScreen = await on_screen(pilot, PackBoxScreen)
    return box


async def type_weight(pilot: Pilot[Any], kg: str) -> None:
    await press(pilot, "f4")
    dialog = await on_screen(pilot, PackWeightScreen)
    field = dialog.query_one("#pack-weight")
    field.value = kg
    await press(pilot, "enter")
    await on_screen(pilot, PackBoxScreen)


async def scan_dialog(pilot: Pilot[Any], dialog: PackWeightReasonScreen, raw: str) -> None:
    """A scan at the weight dialog; returns once the dialog has answered it."""
    before = dialog.signals
    pilot.app.deliver_scan(raw, "wedge")  # type: ignore[attr-defined]
    assert await until(pilot, lambda: dialog.signals > before), f"no answer to {raw!r}"
    await pilot.pause()


async def label_and_finish(pilot: Pilot[Any], box: PackBoxScreen) -> PackDoneScreen:
    await press(pilot, "f10")
    assert box.desk.boxing is not None
    assert box.desk.boxing.prints[-1].ok, box.desk.boxing.prints[-1]
    await press(pilot, "f10")
    done: PackDoneScreen = await on_screen(pilot, PackDoneScreen)
    return done


async def test_a_normal_pack_scan_check_box_weigh_label_close(world: World) -> None:
    picked_into_tote(world.parts.engine, "SO-500", "T000500", [MUG, LAMP])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        order = await open_tote(pilot, "T000500")
        assert [(li.sku, li.to_verify) for li in order.desk.view().lines] == [
            ("PK-MUG", 2),
            ("PK-LAMP", 1),
        ]
        box = await check_all(pilot, MUG, LAMP)
        carton = box.desk.carton()
        assert carton is not None
        assert carton.contents == {"PK-MUG": 2, "PK-LAMP": 1}
        await scan(pilot, box.expected_scan() or "")
        assert signalled(box) == "good"
        expected = box.desk.expected_weight_g(carton)
        assert expected == carton.box.tare_g + 2 * 350 + 900
        await type_weight(pilot, f"{(expected + 20) / 1000:.3f}")
        assert signalled(box) == "good"
        done = await label_and_finish(pilot, box)
        assert done.desk.reference is not None
        assert await until(pilot, lambda: synced(app))
        await press(pilot, "enter")
        home = await on_screen(pilot, PackHomeScreen)
        assert home.expected_scan() is None
    assert order_state(world.parts.engine, "SO-500")[0] == "packed"
    packed = shipment(world, "SO-500")
    assert [(b.box_code, b.weight_g, b.label_prints) for b in packed.boxes] == [
        (carton.box.code, expected + 20, 1)
    ]
    folder = Path(world.settings.station.data_dir) / "labels"
    labels = sorted(folder.glob("label-SO-500-*"))
    assert [p.suffix for p in labels] == [".png"]
    assert packed.boxes[0].sscc in labels[0].name
    # The packing slip is text: it lands beside the label as a .txt, listing the box.
    slip = (folder / "slip-SO-500.txt").read_text()
    assert slip.startswith("PACKING SLIP  order SO-500")
    assert packed.boxes[0].sscc in slip


async def test_a_wrong_or_extra_item_is_refused_with_the_reason(world: World) -> None:
    picked_into_tote(world.parts.engine, "SO-510", "T000510", [MUG])
    picked_into_tote(world.parts.engine, "SO-511", "T000511", [LAMP], first_aisle=5)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        order = await open_tote(pilot, "T000510")
        await scan(pilot, LAMP.item.barcode)  # another order's item
        assert signalled(order) == "bad"
        assert "not a product this station knows" in str(order.query_one(ScanFeedback).render())
        await scan(pilot, MUG.item.barcode)
        assert signalled(order) == "good"
        await scan(pilot, "4006381333948")  # nobody's
        assert signalled(order) == "bad"
        assert order.desk.view().lines[0].verified == 1
        await scan(pilot, MUG.item.barcode)
        box = await on_screen(pilot, PackBoxScreen)
        await press(pilot, "escape")
        await on_screen(pilot, PackOrderScreen)
        await scan(pilot, MUG.item.barcode)  # a third mug: extra
        assert signalled(order) == "bad"
        assert "this one is extra" in str(order.query_one(ScanFeedback).render())
        assert order.desk.view().lines[0].verified == 2
        assert box.desk is order.desk


async def test_a_missing_item_is_reported_short_and_the_order_ships_partially(
    world: World,
) -> None:
    picked_into_tote(world.parts.engine, "SO-520", "T000520", [MUG, LAMP])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        order = await open_tote(pilot, "T000520")
        await scan(pilot, MUG.item.barcode)
        await press(pilot, "f2")
        await on_screen(pilot, PackShortScreen)
        await press(pilot, "down", "enter")  # the lamp
        await press(pilot, "enter")  # not in the tote
        await on_screen(pilot, PackOrderScreen)
        assert signalled(order) == "good"
        assert [(li.sku, li.shorted) for li in order.desk.view().lines] == [
            ("PK-MUG", 0),
            ("PK-LAMP", 1),
        ]
        await scan(pilot, MUG.item.barcode)
        box = await on_screen(pilot, PackBoxScreen)
        carton = box.desk.carton()
        assert carton is not None
        assert carton.contents == {"PK-MUG": 2}
        await scan(pilot, box.expected_scan() or "")
        await type_weight(pilot, f"{box.desk.expected_weight_g(carton) / 1000:.3f}")
        await label_and_finish(pilot, box)
        assert await until(pilot, lambda: synced(app))
    assert order_state(world.parts.engine, "SO-520")[0] == "packed"
    packed = shipment(world, "SO-520")
    assert packed.partial
    assert packed.boxes[0].contents == {"PK-MUG": 2}


async def test_the_packer_overrides_the_box_and_a_supervisor_approves_an_odd_weight(
    world: World,
) -> None:
    picked_into_tote(world.parts.engine, "SO-530", "T000530", [MUG])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tote(pilot, "T000530")
        box = await check_all(pilot, MUG)
        carton = box.desk.carton()
        assert carton is not None
        suggested = carton.box.code
        assert suggested != "BOX-L"
        await scan(pilot, "BOX-NOPE")
        assert signalled(box) == "bad"
        await press(pilot, "f10")  # no box scanned yet: nothing printed
        assert signalled(box) == "bad"
        await scan(pilot, "BOX-L")
        assert signalled(box) == "good"
        assert (carton.box.code, carton.suggested.code) == ("BOX-L", suggested)
        await type_weight(pilot, "9.9")
        assert signalled(box) == "bad"
        await press(pilot, "f10")  # outside tolerance: no label before a re-check
        assert signalled(box) == "bad"
        assert box.desk.boxing is not None
        assert box.desk.boxing.prints == []
        # 9.9 kg for about 1 kg is beyond the second limit: a reason, then a supervisor's badge.
        await press(pilot, "f5")
        why = await on_screen(pilot, PackWeightReasonScreen)
        await scan_dialog(pilot, why, "B10003")  # before the reason: not taken
        assert "choose the reason first" in str(why.query_one("#weight-error").render())
        await press(pilot, "down", "enter")  # the catalogue weight is wrong
        await scan_dialog(pilot, why, "T000001")
        assert "scan a supervisor's badge" in str(why.query_one("#weight-error").render())
        await scan_dialog(pilot, why, "B10002")  # the packer's own badge will not do
        assert "a supervisor's badge must approve" in str(why.query_one("#weight-error").render())
        assert not carton.confirmed
        await scan_dialog(pilot, why, "B10003")
        await on_screen(pilot, PackBoxScreen)
        assert signalled(box) == "good"
        assert carton.override is not None
        assert (carton.override.reason, carton.override.approver) == (
            "catalogue_weight",
            "Supervisor One",
        )
        assert "approved by Supervisor One" in str(box.query_one("#pack-box-weight").render())
        # The carrier list: the packer takes the dearest service that can carry the box.
        choice = box.desk.boxing.carrier.choice
        assert choice is not None
        assert choice.chosen is not None
        able = [c for c in choice.candidates if c.cost_cents is not None]
        dearest = able[-1]
        assert dearest.service != choice.chosen.service
        await press(pilot, "f6")
        dialog = await on_screen(pilot, PackChoiceScreen)
        keys = [key for key, _ in dialog.options]
        await press(pilot, *["down"] * keys.index(dearest.service.key), "enter")
        await on_screen(pilot, PackBoxScreen)
        assert signalled(box) == "good"
        assert box.desk.boxing.carrier.choice is not None
        assert box.desk.boxing.carrier.choice.overridden
        await label_and_finish(pilot, box)
        assert await until(pilot, lambda: synced(app))
    packed = shipment(world, "SO-530")
    assert [(b.box_code, b.weight_g) for b in packed.boxes] == [("BOX-L", 9900)]
    assert (packed.carrier, packed.service) == (dearest.service.carrier, dearest.service.code)
    assert packed.overridden
    # The server audited the approval and the carton's weight override.
    with world.parts.engine.connect() as connection:
        actions = set(connection.execute(sa.select(t.cols(t.AuditEntry).action)).scalars())
    assert {"weight.approved", "weight.approval_refused", "carton.weight_overridden"} <= actions


@pytest.fixture
def scale_device(tmp_path: Path) -> Iterator[tuple[PtyDevice, FakeScale]]:
    device = PtyDevice(tmp_path / "ttyScale")
    scale = FakeScale(device, "mt-sics")
    scale.platform.weight = "0.000"
    scale.start()
    yield device, scale
    scale.stop()
    device.unplug()


async def test_a_scale_weight_outside_tolerance_asks_for_a_recheck(
    world: World, scale_device: tuple[PtyDevice, FakeScale]
) -> None:
    device, scale = scale_device
    world.settings = world.settings.model_copy(
        update={
            "scale": ScaleSettings(protocol="mt-sics", device=str(device.path), poll_interval_ms=50)
        }
    )
    picked_into_tote(world.parts.engine, "SO-540", "T000540", [MUG, LAMP])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: app.scale_reading is not None)
        await open_tote(pilot, "T000540")
        box = await check_all(pilot, MUG, LAMP)
        carton = box.desk.carton()
        assert carton is not None
        await scan(pilot, box.expected_scan() or "")
        expected = box.desk.expected_weight_g(carton)
        # A stable weight on the scale is taken by itself: far too heavy here.
        scale.platform.weight = f"{(expected + 800) / 1000:.3f}"
        assert await until(pilot, lambda: carton.check is not None)
        assert carton.check is not None
        assert not carton.check.ok
        assert signalled(box) == "bad"
        await press(pilot, "f10")
        assert box.desk.boxing is not None
        assert box.desk.boxing.prints == []
        # The packer finds the stray item, takes it out; F4 weighs again.
        scale.platform.weight = f"{expected / 1000:.3f}"
        assert await until(
            pilot,
            lambda: (
                app.scale_reading is not None
                and app.scale_reading.kg is not None
                and int(app.scale_reading.kg * 1000) == expected
            ),
        )
        await press(pilot, "f4")
        assert carton.check.ok
        await label_and_finish(pilot, box)
        assert await until(pilot, lambda: synced(app))
    packed = shipment(world, "SO-540")
    assert [b.weight_g for b in packed.boxes] == [expected]


async def test_a_printer_down_keeps_the_label_queued_then_reprint_and_switch(
    world: World, zebra: RawPrinter
) -> None:
    world.settings = world.settings.model_copy(
        update={
            "printing": PrintingSettings(
                printers={
                    "zebra": f"tcp://127.0.0.1:{zebra.port}",
                    "preview": "folder:labels?format=png",
                },
                label_printer="zebra",
                slip_printer="",
                timeout_seconds=2.0,
            )
        }
    )
    picked_into_tote(world.parts.engine, "SO-550", "T000550", [MUG])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tote(pilot, "T000550")
        box = await check_all(pilot, MUG)
        carton = box.desk.carton()
        assert carton is not None
        await scan(pilot, box.expected_scan() or "")
        await type_weight(pilot, f"{box.desk.expected_weight_g(carton) / 1000:.3f}")
        await press(pilot, "f10")
        assert signalled(box) == "bad"
        assert "stays queued" in str(box.query_one("#pack-box-label").render())
        assert len(box.desk.queued_labels()) == 1
        await press(pilot, "f10")  # cannot finish with a label still queued
        assert signalled(box) == "bad"
        await press(pilot, "f7")  # still down
        assert len(box.desk.queued_labels()) == 1
        zebra.on()
        await press(pilot, "f7")
        assert signalled(box) == "good"
        assert box.desk.queued_labels() == []
        jobs = zebra.received(1)
        assert len(jobs) == 1
        assert f">;>800{carton.sscc}".encode() in jobs[0]
        # Another printer: the preview folder gets the label as a picture.
        await press(pilot, "f8")
        choice = await on_screen(pilot, PackChoiceScreen)
        assert [key for key, _ in choice.options] == ["preview", "zebra"]
        await press(pilot, "enter")
        await on_screen(pilot, PackBoxScreen)
        assert signalled(box) == "good"
        labels = list((Path(world.settings.station.data_dir) / "labels").glob("*.png"))
        assert [p.name for p in labels] == [f"label-SO-550-1-{carton.sscc}.png"]
        await press(pilot, "f10")
        await on_screen(pilot, PackDoneScreen)
        assert await until(pilot, lambda: synced(app))
    packed = shipment(world, "SO-550")
    assert packed.boxes[0].label_prints == 2


async def test_an_order_left_half_way_resumes_when_its_tote_is_scanned_again(
    world: World,
) -> None:
    picked_into_tote(world.parts.engine, "SO-560", "T000560", [MUG])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tote(pilot, "T000560")
        box = await check_all(pilot, MUG)
        carton = box.desk.carton()
        assert carton is not None
        await scan(pilot, box.expected_scan() or "")
        await type_weight(pilot, f"{box.desk.expected_weight_g(carton) / 1000:.3f}")
        await press(pilot, "f10")  # the box is closed and labelled
        await press(pilot, "escape")
        await on_screen(pilot, PackOrderScreen)
        await press(pilot, "escape")
        home = await on_screen(pilot, PackHomeScreen)
        await scan(pilot, "T000560")
        order = await on_screen(pilot, PackOrderScreen)
        assert "every item is checked" in str(order.query_one(ScanFeedback).render())
        await press(pilot, "f3")
        box = await on_screen(pilot, PackBoxScreen)
        assert box.desk.carton() is None
        await press(pilot, "f10")
        await on_screen(pilot, PackDoneScreen)
        await press(pilot, "enter")
        assert await on_screen(pilot, PackHomeScreen) is home
        assert await until(pilot, lambda: synced(app))
    packed = shipment(world, "SO-560")
    assert [b.label_prints for b in packed.boxes] == [1]
    assert order_state(world.parts.engine, "SO-560")[0] == "packed"


async def test_an_item_never_measured_is_boxed_in_the_box_the_packer_scans(world: World) -> None:
    vase = Measured(Item("PK-VASE"), 1, None)
    picked_into_tote(world.parts.engine, "SO-570", "T000570", [vase])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tote(pilot, "T000570")
        await scan(pilot, vase.item.barcode)
        box = await on_screen(pilot, PackBoxScreen)
        assert "has no dimensions" in str(box.query_one(ScanFeedback).render())
        assert "no suggestion" in str(box.query_one("#pack-box-what").render())
        await press(pilot, "f10")  # no box chosen yet
        assert signalled(box) == "bad"
        await scan(pilot, "BOX-S")
        carton = box.desk.carton()
        assert carton is not None
        assert (carton.box.code, carton.box_scanned) == ("BOX-S", True)
        # 0.40 kg for the box's own 0.18 kg: outside the tolerance, within the second limit.
        await type_weight(pilot, "0.4")
        await press(pilot, "f10")
        assert signalled(box) == "bad"
        await press(pilot, "f5")
        await on_screen(pilot, PackWeightReasonScreen)
        await press(pilot, "enter")  # extra packing material: the packer's reason will do
        await on_screen(pilot, PackBoxScreen)
        assert carton.override is not None
        assert carton.override.approved_by is None
        await label_and_finish(pilot, box)
        assert await until(pilot, lambda: synced(app))
    packed = shipment(world, "SO-570")
    assert [(b.box_code, b.weight_g) for b in packed.boxes] == [("BOX-S", 400)]


async def test_an_order_too_heavy_for_one_box_goes_in_several(world: World) -> None:
    anvil = Measured(Item("PK-ANVIL"), 3, (300, 250, 200), 12000)
    picked_into_tote(world.parts.engine, "SO-580", "T000580", [anvil])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tote(pilot, "T000580")
        box = await check_all(pilot, anvil)
        assert box.desk.boxing is not None
        cartons = box.desk.boxing.cartons
        assert len(cartons) >= 2
        assert sum(c.contents["PK-ANVIL"] for c in cartons) == 3
        weights = []
        for number, carton in enumerate(cartons, start=1):
            assert box.desk.carton() is carton
            assert f"box {number} of {len(cartons)}" in str(
                box.query_one("#pack-box-head").render()
            )
            await scan(pilot, box.expected_scan() or "")
            weights.append(box.desk.expected_weight_g(carton))
            # Every carton's box carries its contents (cartonization respects max weights).
            assert weights[-1] - carton.box.tare_g <= carton.box.max_weight_g
            await type_weight(pilot, f"{weights[-1] / 1000:.3f}")
            await press(pilot, "f10")
            assert carton.closed
        await press(pilot, "f10")
        await on_screen(pilot, PackDoneScreen)
        assert await until(pilot, lambda: synced(app))
    packed = shipment(world, "SO-580")
    assert [b.box_no for b in packed.boxes] == list(range(1, len(cartons) + 1))
    assert sum(b.contents["PK-ANVIL"] for b in packed.boxes) == 3
    assert [b.weight_g for b in packed.boxes] == weights
    labels = (Path(world.settings.station.data_dir) / "labels").glob("label-SO-580-*.png")
    assert len(list(labels)) == len(cartons)


async def test_an_order_whose_every_item_is_short_is_not_boxed_and_says_why(
    world: World,
) -> None:
    picked_into_tote(world.parts.engine, "SO-521", "T000521", [LAMP])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        order = await open_tote(pilot, "T000521")
        await press(pilot, "f2")
        await on_screen(pilot, PackShortScreen)
        await press(pilot, "enter")  # the lamp
        await press(pilot, "enter")  # not in the tote
        await on_screen(pilot, PackOrderScreen)
        words = str(order.query_one(ScanFeedback).render())
        assert "nothing of the order is left to ship" in words
        assert "ships without it" not in words
        await press(pilot, "f3")
        assert app.screen is order  # no box for nothing
        assert signalled(order) == "bad"
        assert "every item is short" in str(order.query_one(ScanFeedback).render())
        await press(pilot, "escape")
        await on_screen(pilot, PackHomeScreen)
        assert await until(pilot, lambda: synced(app))
    assert order_state(world.parts.engine, "SO-521")[0] != "packed"


async def test_a_tote_scanned_while_checking_is_named_and_changes_nothing(world: World) -> None:
    picked_into_tote(world.parts.engine, "SO-522", "T000522", [MUG])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        order = await open_tote(pilot, "T000522")
        before = order.desk.view()
        await scan(pilot, "T000523")
        assert signalled(order) == "bad"
        words = str(order.query_one(ScanFeedback).render())
        assert "that was a tote label: scan the items of order SO-522" in words
        assert "set it aside" not in words
        assert order.desk.view() == before


async def test_a_lot_tracked_item_needs_its_lot_label_at_packing_as_at_picking(
    world: World,
) -> None:
    honey = Measured(Item("PK-HONEY", lot_tracked=True), 1, (80, 80, 120), 500, lot="L4711")
    picked_into_tote(world.parts.engine, "SO-590", "T000590", [honey])
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        order = await open_tote(pilot, "T000590")
        await scan(pilot, honey.item.barcode)  # the plain GTIN: no lot on it
        assert signalled(order) == "bad"
        said = str(order.query_one(ScanFeedback).render())
        assert "PK-HONEY is lot-tracked: scan the label that carries the lot (L4711)" in said
        gtin = honey.item.barcode.zfill(14)
        await scan(pilot, f"]C101{gtin}10L9999")
        assert signalled(order) == "bad"
        assert "wrong lot L9999" in str(order.query_one(ScanFeedback).render())
        assert order.desk.view().lines[0].verified == 0
        await scan(pilot, f"]C101{gtin}10L4711")
        await on_screen(pilot, PackBoxScreen)
        assert order.desk.view().lines[0].verified == 1


async def test_a_policy_that_allows_a_cheaper_service_says_why_and_prices_the_real_box(
    world: World, tmp_path: Path
) -> None:
    """carriers.toml service_policy = "cheapest_on_time": the suggestion differs, in words."""
    rules = (Path(world.settings.config_dir) / "carriers.toml").read_text()
    cheapest = tmp_path / "carriers-cheapest.toml"
    cheapest.write_text(
        rules.replace('service_policy = "as_ordered"', 'service_policy = "cheapest_on_time"')
    )
    shipping = world.settings.shipping.model_copy(update={"carriers_file": str(cheapest)})
    world.settings = world.settings.model_copy(update={"shipping": shipping})
    picked_into_tote(world.parts.engine, "SO-600", "T000600", [MUG])
    app = await world.station_app()
    # Handed over well before the order's ship-by date (1 December): Ground keeps the promise.
    app.services.today = lambda: date(2026, 11, 23)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tote(pilot, "T000600")
        box = await check_all(pilot, MUG)
        carton = box.desk.carton()
        assert carton is not None
        await scan(pilot, box.expected_scan() or "")
        await type_weight(pilot, f"{box.desk.expected_weight_g(carton) / 1000:.3f}")
        assert box.desk.boxing is not None
        choice = box.desk.boxing.carrier.choice
        assert choice is not None
        assert choice.chosen is not None
        assert choice.requested is not None
        assert choice.chosen.service != choice.requested.service
        panel = str(box.query_one("#pack-box-carrier").render())
        assert "instead of the asked UPS Ground" in panel
        assert "cheaper" in panel
        # Weighed heavier (a reason given): the price follows the weight actually used.
        before = choice.chosen.cost_cents
        await type_weight(pilot, "2.5")
        await press(pilot, "f5")
        await on_screen(pilot, PackWeightReasonScreen)
        await press(pilot, "enter")
        supervisor = await on_screen(pilot, PackWeightReasonScreen)
        await scan_dialog(pilot, supervisor, "B10003")
        await on_screen(pilot, PackBoxScreen)
        after = box.desk.boxing.carrier.choice
        assert after is not None
        assert after.chosen is not None
        assert (after.chosen.cost_cents or 0) > (before or 0)
        await label_and_finish(pilot, box)
        assert await until(pilot, lambda: synced(app))
    packed = shipment(world, "SO-600")
    assert (packed.carrier, packed.service) == (
        after.chosen.service.carrier,
        after.chosen.service.code,
    )
    assert packed.cost_cents == after.chosen.cost_cents
    assert not packed.overridden
