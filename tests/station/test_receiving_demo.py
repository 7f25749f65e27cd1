"""The demo's delivery received at the desk from its own labels, scanned back by zxing-cpp."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import zxingcpp
from PIL import Image

from tests.station.receiving_world import RECEIVER
from toteflow.central.services import demo
from toteflow.config import default_config_dir
from toteflow.contracts.catalogue import ProductCreate, ProductUnit
from toteflow.contracts.notices import Notice, NoticeCreate
from toteflow.domain.scan import interpret
from toteflow.shared.labels.containers import ContainerLabel, render_container_labels
from toteflow.shared.labels.inbound import case_label, pallet_label, render_inbound_png
from toteflow.shared.layout_file import load_layout
from toteflow.station.ports.store import CachedLocation, CachedProduct
from toteflow.station.services.login import StationLogin
from toteflow.station.services.receiving import ReceivingDesk, ReceivingLookups, ReceivingRecords
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

TODAY = date(2026, 11, 22)


def _scanned(label: demo.DemoLabel) -> str:
    if label.kind == "notice":
        png = render_container_labels([ContainerLabel(label.code, "NOTICE")], "png")[0]
    elif label.kind == "pallet":
        png = render_inbound_png(pallet_label(label.code))
    else:
        made = case_label(label.code or None, lot=label.lot, expiry=label.expiry)
        png = render_inbound_png(made)
    (symbol,) = zxingcpp.read_barcodes(
        Image.open(io.BytesIO(png)), text_mode=zxingcpp.TextMode.Plain
    )
    return f"{symbol.symbology_identifier}{symbol.text}"


def _as_received(notice: NoticeCreate, products: dict[str, ProductCreate]) -> Notice:
    """The notice as the change feed brings it to a station."""
    now = datetime(2026, 11, 22, tzinfo=UTC).isoformat()
    lines = []
    for line in notice.lines:
        per = next(u.units for u in products[line.sku].units if u.uom == line.uom)
        lines.append(
            {
                **line.model_dump(mode="json"),
                "units_per_uom": per,
                "base_quantity": per * line.quantity,
            }
        )
    body = notice.model_dump(mode="json")
    return Notice.model_validate(
        {
            **body,
            "id": 1,
            "status": "expected",
            "cancel_reason": "",
            "created_at": now,
            "updated_at": now,
            "lines": lines,
            "ssccs": [{"parent_sscc": None, **s} for s in body["ssccs"]],
        }
    )


def test_the_demo_delivery_is_received_from_its_labels(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    layout = load_layout(default_config_dir() / "warehouse.toml")
    plan = demo.plan(layout, seed=42, products=300, orders=5, today=TODAY)
    assert plan.delivery is not None
    products = {p.sku: p for p in plan.products}
    notice = _as_received(plan.delivery.notice, products)
    with registered() as tx:
        for line in notice.lines:
            p = products[line.sku]
            units = [ProductUnit(**u.model_dump(), barcode_kind="gtin") for u in p.units]
            tx.catalogue.upsert_product(
                CachedProduct(p.sku, p.description, p.lot_tracked, p.expiry_tracked, False, units)
            )
        tx.catalogue.upsert_location(
            CachedLocation("DOCK-01", None, None, None, None, "dock", True)
        )
        tx.inbound.keep(notice)
        tx.commit()
    desk = ReceivingDesk(
        RECEIVER,
        ReceivingRecords(registered),
        ReceivingLookups(registered),
        StationLogin(None),  # type: ignore[arg-type]  # no supervisor is needed here
        lambda raw: interpret(raw),
        today=lambda: TODAY,
    )
    labels = plan.delivery.labels
    assert labels[0].kind == "notice"
    assert desk.open(_scanned(labels[0])).opened
    # The mixed pallet is broken down and its cases scanned; the last pallet goes whole.
    desk.toggle_break()
    said = []
    for label in labels[1:]:
        if label.kind == "pallet" and label is labels[-1]:
            desk.toggle_break()
        outcome = desk.scan(_scanned(label))
        said.append((label.kind, outcome.ok, outcome.headline))
    assert said[0] == ("pallet", False, "SCAN EACH CASE")
    assert all(ok for _, ok, _ in said[1:]), said
    assert [(r.line_no, r.still_open) for r in desk.lines()] == [
        (line.line_no, 0) for line in notice.lines
    ]
    assert desk.finish().finished
