"""Shipping labels scan back: 200 PNG labels decoded by zxing-cpp, ZPL captured off a socket."""

from __future__ import annotations

import io
import random
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import zxingcpp
from PIL import Image

from toteflow.domain.gs1 import has_valid_check_digit, make_sscc
from toteflow.domain.labels import (
    GS1_LOGISTIC_MAX_X_MM,
    GS1_LOGISTIC_MIN_HEIGHT_MM,
    GS1_LOGISTIC_MIN_X_MM,
    LABEL_DPI,
    QUIET_ZONE_X,
    Address,
    PackingSlip,
    ShippingLabel,
    SlipBox,
    SlipLine,
)
from toteflow.domain.tracking import FORMATS, make_tracking, valid_tracking
from toteflow.shared.labels import render_label, render_slip
from toteflow.shared.labels.layout import Barcode, layout
from toteflow.station.devices.printer import PrinterSpec, TcpPrinter, make_printer, parse_printer
from toteflow.station.ports.packing import PrinterDown

LABELS = 200
FROM = Address("toteflow demo DC", "1 Dock Road", "", "Springfield", "IL", "62701", "US")
PREFIXES = ("0614141", "4012345", "50123456789", "0000")


def shipments(count: int, seed: int = 7) -> list[tuple[ShippingLabel, str]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        fmt = FORMATS[n % len(FORMATS)]
        prefix = PREFIXES[n % len(PREFIXES)]
        serial = rng.randrange(10 ** (16 - len(prefix)))
        to = Address(
            f"Customer {n} Ünïcødé ^~_",
            f"{rng.randint(1, 9999)} Main St",
            "" if n % 3 else "Suite 5",
            rng.choice(["Portland", "Chicago", "Austin", "New York"]),
            "OR",
            f"{rng.randint(0, 99999):05d}",
            "US",
        )
        label = ShippingLabel(
            sscc=make_sscc(n % 10, prefix, serial),
            tracking=make_tracking(fmt, serial, account="T0F10W"),
            carrier=fmt.upper(),
            service="Ground",
            ship_from=FROM,
            ship_to=to,
            order_reference=f"SO-{n:05d}",
            box_no=1 + n % 3,
            box_count=3,
            weight_g=rng.randint(100, 30_000),
        )
        out.append((label, fmt))
    return out


def decode(png: bytes) -> list[zxingcpp.Result]:
    return list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))


def test_png_labels_decode_to_their_sscc_and_tracking_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    decoded = mismatches = 0
    for label, fmt in shipments(LABELS):
        results = decode(render_label(label, "png"))
        gs1 = [r for r in results if r.content_type == zxingcpp.ContentType.GS1]
        plain = [r for r in results if r.content_type != zxingcpp.ContentType.GS1]
        ok = (
            len(gs1) == 1
            and len(plain) == 1
            # ]C1: Code 128 with FNC1 in first position, i.e. GS1-128.
            and gs1[0].symbology_identifier == "]C1"
            and gs1[0].text.replace("(", "").replace(")", "") == f"00{label.sscc}"
            and has_valid_check_digit(gs1[0].text[-18:])
            and plain[0].format == zxingcpp.BarcodeFormat.Code128
            and plain[0].text == label.tracking
            and valid_tracking(fmt, plain[0].text)
        )
        decoded += len(gs1) == 1 and len(plain) == 1
        mismatches += not ok
    with capsys.disabled():
        print(f"\nlabels: {LABELS} labels, {decoded} decoded, {mismatches} mismatches")
    assert decoded == LABELS
    assert mismatches == 0


def test_the_sscc_symbol_meets_gs1_logistic_label_rules() -> None:
    label = shipments(1)[0][0]
    bars = [op for op in layout(label) if isinstance(op, Barcode)]
    sscc = next(b for b in bars if b.gs1)
    x_mm = sscc.module_dots * 25.4 / LABEL_DPI
    assert GS1_LOGISTIC_MIN_X_MM <= x_mm <= GS1_LOGISTIC_MAX_X_MM
    assert sscc.height * 25.4 / LABEL_DPI >= GS1_LOGISTIC_MIN_HEIGHT_MM
    for bar in bars:
        quiet = QUIET_ZONE_X * bar.module_dots
        assert bar.x >= quiet
        assert bar.x + bar.width <= 812 - quiet


def test_pdf_labels_and_slips_render() -> None:
    label = shipments(1)[0][0]
    assert render_label(label, "pdf").startswith(b"%PDF")
    slip = PackingSlip(
        "SO-1",
        FROM,
        "UPS",
        "GROUND",
        (
            SlipBox(
                1, "Small box", label.sscc, label.tracking, 1200, (SlipLine("SKU-1", "Mug", 2),)
            ),
        ),
        (SlipLine("SKU-2", "Pot", 1),),
    )
    assert render_slip(slip, "pdf").startswith(b"%PDF")
    text = render_slip(slip, "txt").decode()
    assert "2 x SKU-1 Mug" in text
    assert "Not in this shipment" in text
    assert label.sscc in text


@dataclass
class Listener:
    port: int
    jobs: list[bytes]
    thread: threading.Thread


@pytest.fixture
def printer_socket() -> Iterator[Listener]:
    """A loopback raw-print listener (port 9100 style) that keeps every job it receives."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    jobs: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                jobs.append(b"".join(chunks))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield Listener(server.getsockname()[1], jobs, thread)
    stop.set()
    thread.join(5)
    server.close()


def test_zpl_sent_to_a_raw_tcp_printer_carries_the_same_data(printer_socket: Listener) -> None:
    printer = TcpPrinter(parse_printer("zebra", f"tcp://127.0.0.1:{printer_socket.port}"))
    sent = shipments(40, seed=11)
    for label, _ in sent:
        printer.send(render_label(label, "zpl"), label.order_reference)
    for _ in range(200):
        if len(printer_socket.jobs) == len(sent):
            break
        threading.Event().wait(0.05)
    assert len(printer_socket.jobs) == len(sent)
    for (label, fmt), job in zip(sent, printer_socket.jobs, strict=True):
        zpl = job.decode("utf-8")
        assert zpl.startswith("^XA")
        assert zpl.rstrip().endswith("^XZ")
        assert "^PW812" in zpl
        assert "^LL1218" in zpl
        gs1 = re.findall(r"\^BCN,\d+,N,N,N,N\^FD(.*?)\^FS", zpl)
        assert gs1 == [f">;>800{label.sscc}"]
        tracking = re.findall(r"\^BCN,\d+,N,N,N,A\^FD(.*?)\^FS", zpl)
        assert tracking == [label.tracking]
        assert valid_tracking(fmt, tracking[0])
        # Field data never carries a raw ^ or ~ (they would end the field on the printer).
        for data in re.findall(r"\^FH_\^FD(.*?)\^FS", zpl):
            assert "^" not in data
            assert "~" not in data


def test_a_printer_that_does_not_answer_raises_printer_down() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = TcpPrinter(parse_printer("zebra", f"tcp://127.0.0.1:{port}"), timeout=1)
    with pytest.raises(PrinterDown, match="zebra"):
        printer.send(b"^XA^XZ", "x")


def test_printer_uris(tmp_path: object) -> None:
    assert parse_printer("a", "tcp://10.0.0.5") == PrinterSpec("a", "tcp", "10.0.0.5:9100", "zpl")
    assert parse_printer("b", "cups://ZEBRA1?format=pdf").format == "pdf"
    folder = parse_printer("c", "folder:labels", base=None)
    assert folder.kind == "folder"
    assert folder.format == "png"
    with pytest.raises(ValueError, match="not tcp://"):
        parse_printer("d", "lpt1:")
    assert make_printer(folder).name == "c"
