"""The demo warehouse: a deterministic, realistic plan; seeding; `toteflow demo` start and stop."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import httpx
import pytest
import zxingcpp
from PIL import Image

from tests.conftest import Database
from toteflow.central import bootstrap
from toteflow.central.services import demo
from toteflow.config import Settings, default_config_dir
from toteflow.domain.actor import SYSTEM
from toteflow.domain.gs1 import gs1_check_digit
from toteflow.domain.receiving import CaseReading, read_case
from toteflow.domain.scan import interpret
from toteflow.shared.labels.containers import ContainerLabel, render_container_labels
from toteflow.shared.labels.inbound import case_label, pallet_label, render_inbound_png
from toteflow.shared.layout_file import load_layout

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def full_plan() -> demo.DemoPlan:
    layout = load_layout(default_config_dir() / "warehouse.toml")
    return demo.plan(layout, seed=42, products=1000, orders=500, today=TODAY)


def test_plan_is_deterministic(full_plan: demo.DemoPlan) -> None:
    layout = load_layout(default_config_dir() / "warehouse.toml")
    again = demo.plan(layout, seed=42, products=1000, orders=500, today=TODAY)
    other = demo.plan(layout, seed=7, products=1000, orders=500, today=TODAY)
    assert again == full_plan
    assert other.orders != full_plan.orders


def test_plan_is_a_realistic_warehouse(full_plan: demo.DemoPlan) -> None:
    assert len(full_plan.zones) >= 4
    racks = [loc for loc in full_plan.locations if loc.aisle is not None]
    assert len({loc.aisle for loc in racks}) >= 20
    assert len(racks) >= 2000
    assert {loc.kind for loc in full_plan.locations} >= {"pick_face", "reserve", "pack", "dock"}

    products = full_plan.products
    assert len(products) >= 1000
    barcodes = [unit.barcode for p in products for unit in p.units]
    assert len(set(barcodes)) == len(barcodes)
    assert all(int(code[-1]) == gs1_check_digit(code[:-1]) for code in barcodes)
    assert sum(p.lot_tracked for p in products) > 50
    assert sum(p.expiry_tracked for p in products) > 50
    assert sum(len(p.units) > 1 for p in products) > 100

    kinds = {loc.code: loc.kind for loc in full_plan.locations}
    stocked_kinds = Counter(kinds[adj.location] for adj in full_plan.stock)
    assert stocked_kinds["pick_face"] >= 1000
    assert stocked_kinds["reserve"] > 100

    orders = full_plan.orders
    assert len(orders) == 500
    line_counts = Counter(len(order.lines) for order in orders)
    assert line_counts[1] / len(orders) > 0.6  # many single-line orders
    assert max(line_counts) >= 10  # and a long tail
    assert len({order.carrier for order in orders}) >= 3
    assert len({order.ship_by for order in orders}) >= 3


def test_todays_delivery_comes_with_labels_that_read_as_its_notice(
    full_plan: demo.DemoPlan,
) -> None:
    delivery = full_plan.delivery
    assert delivery is not None
    notice = delivery.notice
    assert (notice.reference, notice.expected_on, notice.dock) == (
        demo.DEMO_NOTICE,
        TODAY,
        "DOCK-01",
    )
    products = {p.sku: p for p in full_plan.products}
    case_gtins = {
        next(u.barcode for u in products[line.sku].units if u.uom == "CS"): line
        for line in notice.lines
    }
    read: list[str] = []
    for label in delivery.labels:
        pictures = zxingcpp.read_barcodes(
            Image.open(io.BytesIO(_picture(label))), text_mode=zxingcpp.TextMode.Plain
        )
        (symbol,) = pictures
        scan = interpret(symbol.symbology_identifier + symbol.text)
        if label.kind == "notice":
            assert symbol.text == notice.reference
            read.append("notice")
            continue
        reading = read_case(scan)
        assert isinstance(reading, CaseReading), (label, reading)
        if label.kind == "pallet":
            assert reading.sscc in {sscc.sscc for sscc in notice.ssccs}
            read.append("pallet")
        elif reading.gtin is None:  # the second label of a case: its expiry date only
            assert reading.expiry == notice.lines[0].expiry
            read.append("expiry")
        else:
            line = case_gtins[reading.gtin]
            assert (reading.lot or "", reading.expiry) in {
                (line.lot, line.expiry),
                (line.lot, None),
            }
            read.append(line.sku)
    fresh, loose = notice.lines[0].sku, notice.lines[1].sku
    assert read == ["notice", "pallet", fresh, fresh, fresh, "expiry", loose, loose, "pallet"]


def _picture(label: demo.DemoLabel) -> bytes:
    if label.kind == "notice":
        return render_container_labels([ContainerLabel(label.code, "NOTICE")], "png")[0]
    if label.kind == "pallet":
        return render_inbound_png(pallet_label(label.code))
    return render_inbound_png(case_label(label.code or None, lot=label.lot, expiry=label.expiry))


def test_seeding_writes_the_plan(settings: Settings, database: Database) -> None:
    layout = load_layout(default_config_dir() / "warehouse.toml")
    plan = demo.plan(layout, seed=1, products=60, orders=40, today=TODAY)
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    site = demo.seed(
        services.catalogue,
        services.orders,
        services.people,
        services.containers,
        plan,
        services.notices,
    )
    try:
        if plan.delivery is not None:
            assert services.notices.get(SYSTEM, demo.DEMO_NOTICE).status == "expected"
        assert site.counts["orders"] == 40
        assert site.counts["carts"] == demo.DEMO_CARTS
        assert services.containers.totes(SYSTEM, 0, 1).total == demo.DEMO_TOTES
        assert site.counts["locations"] == len(plan.locations)
        station = services.people.authenticate_station(site.station_token)
        assert station.name == demo.DEMO_STATION
        from toteflow.contracts.people import Login

        session = services.people.login(station, Login(badge="B00101", pin="1111"))
        assert session.user.role.value == "picker"
        assert demo.open_counts(services.counts, plan) == demo.DEMO_COUNTS
        assert len(services.counts.open_counts(SYSTEM)) == demo.DEMO_COUNTS
        # Pick faces with a minimum, one below it already: the sweep opens its replenishment.
        faces = demo.set_face_limits(services.replenishment, plan)
        assert faces == services.replenishment.limits(SYSTEM, 0, 1).total > 1
        swept = services.replenishment.sweep(SYSTEM)
        assert swept.below_minimum >= 1
        assert len(swept.created) == swept.below_minimum - len(swept.without_source)
        assert len(swept.created) >= 1
        replenisher = services.people.login(station, Login(badge="B00107", pin="7777"))
        assert replenisher.user.role.value == "replenisher"
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_demo_command_serves_then_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TOTEFLOW_DEMO_PRODUCTS": "40", "TOTEFLOW_DEMO_ORDERS": "20"}
    demo_run = subprocess.Popen(
        [sys.executable, "-m", "toteflow", "demo", "--dir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert demo_run.stdout is not None
    seen = []
    try:
        for line in demo_run.stdout:
            seen.append(line)
            if "Press Ctrl+C" in line:
                break
        output = "".join(seen)
        assert "seeded" in output, output
        assert "B00101  PIN 1111" in output
        assert "replenishments open for the demo replenisher" in output
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        demo_run.send_signal(signal.SIGINT)
        rest, _ = demo_run.communicate(timeout=30)
    assert demo_run.returncode == 0, rest
    assert "nothing is left running" in rest
    # The background server is gone: its port no longer answers.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        except httpx.HTTPError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the demo server still answers after Ctrl+C")
