"""`toteflow label sample|containers`: a sample shipping label; tote, cart and slot labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.domain.containers import LabelRangeError, expand_range
from toteflow.domain.gs1 import make_sscc
from toteflow.domain.labels import Address, ShippingLabel
from toteflow.domain.scan import CartScan, ToteScan, interpret
from toteflow.domain.tracking import make_tracking
from toteflow.shared.codes import build_code_formats
from toteflow.shared.labels import render_label
from toteflow.shared.labels.containers import (
    CONTAINER_FORMATS,
    ContainerLabel,
    render_container_labels,
)
from toteflow.station.bootstrap import build_printers, ship_from
from toteflow.station.ports.packing import PrinterDown

label_app = typer.Typer(
    help="Labels: a sample shipping label to test a printer; tote, cart and cart-slot labels."
)
app.add_typer(label_app, name="label")


@label_app.command("sample")
def sample(
    config: ConfigOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the label here (.png, .pdf or .zpl).")
    ] = None,
    printer: Annotated[
        str | None, typer.Option("--printer", help="Send it to this configured printer.")
    ] = None,
    data_dir: Annotated[
        Path, typer.Option("--dir", help="Folder that relative printer folders are in.")
    ] = Path("."),
) -> None:
    """A label with the site's ship-from address and GS1 prefix and a made-up consignee.

    Its SSCC uses serial reference 0, which the server never hands out: it can't be
    confused with a real parcel's.
    """
    settings = settings_or_exit(config)
    if out is None and printer is None:
        fail("say where the label goes: --out FILE (.png, .pdf, .zpl) or --printer NAME")
    labels = settings.labels
    label = ShippingLabel(
        sscc=make_sscc(labels.sscc_extension_digit, labels.gs1_company_prefix, 0),
        tracking=make_tracking("ups", 0, account="T0F10W"),
        carrier="UPS",
        service="UPS Ground",
        ship_from=ship_from(settings),
        ship_to=Address(
            "Sample Customer", "42 Elm Street", "Suite 5", "Portland", "OR", "97201", "US"
        ),
        order_reference="SAMPLE-1",
        box_no=1,
        box_count=1,
        weight_g=1234,
    )
    if out is not None:
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("png", "pdf", "zpl"):
            fail(f"{out}: the file name must end in .png, .pdf or .zpl")
        out.write_bytes(render_label(label, fmt))
        typer.echo(f"wrote {out} (SSCC {label.sscc}, tracking {label.tracking})")
    if printer is not None:
        printers = build_printers(settings, data_dir.resolve())
        target = printers.get(printer)
        if target is None:
            fail(f"no printer {printer!r} in [printing] printers ({', '.join(sorted(printers))})")
        try:
            target.send(render_label(label, target.format), "sample-label")
        except PrinterDown as down:
            fail(str(down), code=1)
        typer.echo(f"sent a sample label to {printer} ({target.format})")


@label_app.command("containers")
def containers(
    labels: Annotated[
        list[str],
        typer.Argument(
            metavar="LABEL...",
            help="tote or cart codes, or ranges of them (T000001-T000200)",
            show_default=False,
        ),
    ],
    config: ConfigOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="FILE.zpl for all the labels in one file; FILE.png for one image per label "
            "(FILE-CODE.png when there are several)",
        ),
    ] = None,
    printer: Annotated[
        str | None, typer.Option("--printer", help="Send them to this configured printer.")
    ] = None,
    slots: Annotated[
        int,
        typer.Option("--slots", min=0, max=99, help="Also each cart's first N slot labels."),
    ] = 0,
    data_dir: Annotated[
        Path, typer.Option("--dir", help="Folder that relative printer folders are in.")
    ] = Path("."),
) -> None:
    """Labels for totes and carts (4 x 2 in, Code 128), as the station reads them."""
    settings = settings_or_exit(config)
    if out is None and printer is None:
        fail("say where the labels go: --out FILE (.zpl or .png) or --printer NAME")
    formats = build_code_formats(settings.codes)
    wanted: list[ContainerLabel] = []
    for text in labels:
        try:
            codes = expand_range(text)
        except LabelRangeError as exc:
            fail(str(exc))
        for code in codes:
            scan = interpret(code, formats)
            if isinstance(scan, ToteScan):
                wanted.append(ContainerLabel(code, "TOTE"))
            elif isinstance(scan, CartScan):
                wanted.append(ContainerLabel(code, "CART"))
                for slot in range(1, slots + 1):
                    slot_code = formats.format_cart_slot(code, slot)
                    wanted.append(ContainerLabel(slot_code, f"CART {code} - SLOT {slot}"))
            else:
                fail(
                    f"{code} is neither a tote nor a cart label by [codes] (tote "
                    f"{formats.tote.pattern}, cart {formats.cart.pattern}): the station "
                    "would not read it as one"
                )
    if out is not None:
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in CONTAINER_FORMATS:
            fail(f"{out}: the file name must end in .zpl or .png")
        rendered = render_container_labels(wanted, fmt)
        if len(rendered) == 1:
            out.write_bytes(rendered[0])
        else:
            for label, data in zip(wanted, rendered, strict=True):
                out.with_name(f"{out.stem}-{label.code}{out.suffix}").write_bytes(data)
        typer.echo(f"wrote {len(wanted)} label{'s' if len(wanted) != 1 else ''} to {out}")
    if printer is not None:
        printers = build_printers(settings, data_dir.resolve())
        target = printers.get(printer)
        if target is None:
            fail(f"no printer {printer!r} in [printing] printers ({', '.join(sorted(printers))})")
        if target.format not in CONTAINER_FORMATS:
            fail(f"printer {printer} takes {target.format}: tote labels print as ZPL or PNG")
        try:
            for n, data in enumerate(render_container_labels(wanted, target.format)):
                target.send(data, f"container-labels-{n + 1}")
        except PrinterDown as down:
            fail(str(down), code=1)
        typer.echo(f"sent {len(wanted)} label{'s' if len(wanted) != 1 else ''} to {printer}")
