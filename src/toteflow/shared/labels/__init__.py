"""Label rendering: ZPL and PNG/PDF via python-barcode."""

from __future__ import annotations

from toteflow.domain.labels import PackingSlip, ShippingLabel, packing_slip_text
from toteflow.shared.labels.pdf import packing_slip_pdf, render_pdf
from toteflow.shared.labels.raster import render_png
from toteflow.shared.labels.zpl import render_zpl

FORMATS = ("zpl", "png", "pdf")


def render_label(label: ShippingLabel, fmt: str) -> bytes:
    """The label in `fmt` (zpl, png or pdf) as bytes to print or save."""
    if fmt == "zpl":
        return render_zpl(label).encode("utf-8")
    if fmt == "png":
        return render_png(label)
    if fmt == "pdf":
        return render_pdf([label])
    raise ValueError(f"unknown label format {fmt!r}: use one of {', '.join(FORMATS)}")


def render_slip(slip: PackingSlip, fmt: str) -> bytes:
    """The packing slip as PDF, or as plain text for any other format."""
    if fmt == "pdf":
        return packing_slip_pdf(slip)
    return packing_slip_text(slip).encode("utf-8")


class LabelRenderer:
    """The renderer the pack station is given (its LabelRenderer port)."""

    def label(self, label: ShippingLabel, fmt: str) -> bytes:
        return render_label(label, fmt)

    def slip(self, slip: PackingSlip, fmt: str) -> bytes:
        return render_slip(slip, fmt)
