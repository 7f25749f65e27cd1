"""`toteflow label sample`: a sample 4x6 shipping label as PNG, PDF or ZPL, or to a printer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.domain.gs1 import make_sscc
from toteflow.domain.labels import Address, ShippingLabel
from toteflow.domain.tracking import make_tracking
from toteflow.shared.labels import render_label
from toteflow.station.bootstrap import build_printers, ship_from
from toteflow.station.ports.packing import PrinterDown

label_app = typer.Typer(help="Shipping labels: see one as a picture, test a printer.")
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
