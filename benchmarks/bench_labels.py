"""Shipping labels: render PNG/ZPL/PDF, decode every PNG with zxing-cpp, report mismatches.

Prints "N labels, N decoded, 0 mismatches" (the figure the pack station issue asks for) and
the time per label for each format, against python-barcode's own ImageWriter drawing the
same two symbols in the same process.
"""

from __future__ import annotations

import io
import random
import time

import zxingcpp
from barcode.codex import Code128, Gs1_128
from barcode.writer import ImageWriter
from PIL import Image

from toteflow.domain.gs1 import has_valid_check_digit, make_sscc
from toteflow.domain.labels import Address, ShippingLabel
from toteflow.domain.tracking import FORMATS, make_tracking, valid_tracking
from toteflow.shared.labels import render_label

COUNT = 500
FROM = Address("toteflow demo DC", "1 Dock Road", "", "Springfield", "IL", "62701", "US")


def labels(count: int) -> list[tuple[ShippingLabel, str]]:
    rng = random.Random(3)
    out = []
    for n in range(count):
        fmt = FORMATS[n % len(FORMATS)]
        serial = rng.randrange(10**9)
        to = Address(f"Customer {n}", "42 Elm St", "", "Portland", "OR", "97201", "US")
        out.append(
            (
                ShippingLabel(
                    make_sscc(n % 10, "0614141", serial),
                    make_tracking(fmt, serial, account="T0F10W"),
                    fmt.upper(),
                    "Ground",
                    FROM,
                    to,
                    f"SO-{n}",
                    1,
                    1,
                    rng.randint(100, 30_000),
                ),
                fmt,
            )
        )
    return out


def run() -> None:
    batch = labels(COUNT)
    started = time.perf_counter()
    pngs = [render_label(label, "png") for label, _ in batch]
    png_s = time.perf_counter() - started
    started = time.perf_counter()
    for label, _ in batch:
        render_label(label, "zpl")
    zpl_s = time.perf_counter() - started
    started = time.perf_counter()
    for label, _ in batch[:100]:
        render_label(label, "pdf")
    pdf_s = (time.perf_counter() - started) * COUNT / 100
    started = time.perf_counter()
    for label, _ in batch[:100]:
        for symbol in (
            Gs1_128(label.sscc_element_string, writer=ImageWriter()),
            Code128(label.tracking, writer=ImageWriter()),
        ):
            symbol.write(io.BytesIO())
    stock_s = (time.perf_counter() - started) * COUNT / 100

    decoded = mismatches = 0
    started = time.perf_counter()
    for (label, fmt), png in zip(batch, pngs, strict=True):
        found = list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))
        gs1 = [r for r in found if r.content_type == zxingcpp.ContentType.GS1]
        plain = [r for r in found if r.content_type != zxingcpp.ContentType.GS1]
        if len(gs1) == 1 and len(plain) == 1:
            decoded += 1
        sscc = gs1[0].text.replace("(", "").replace(")", "") if gs1 else ""
        right = (
            sscc == label.sscc_element_string
            and gs1[0].symbology_identifier == "]C1"
            and has_valid_check_digit(sscc[2:])
            and bool(plain)
            and plain[0].text == label.tracking
            and valid_tracking(fmt, plain[0].text)
        )
        mismatches += not right
    decode_s = time.perf_counter() - started
    print(f"{COUNT} labels, {decoded} decoded, {mismatches} mismatches")
    ms = 1000 / COUNT
    print(f"render png      {png_s * ms:7.2f} ms/label")
    print(f"render zpl      {zpl_s * ms:7.2f} ms/label")
    print(f"render pdf      {pdf_s * ms:7.2f} ms/label")
    print(
        f"baseline        {stock_s * ms:7.2f} ms/label  (python-barcode ImageWriter, the two "
        f"symbols only; png label is {stock_s / png_s:.1f}x faster)"
    )
    print(f"decode (zxing)  {decode_s * ms:7.2f} ms/label")


if __name__ == "__main__":
    run()
