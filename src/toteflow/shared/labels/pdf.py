"""Shipping labels (4x6 in pages, vector bars) and packing slips as PDF, via fpdf2."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

from toteflow.domain.labels import LABEL_DPI, PackingSlip, ShippingLabel, packing_slip_text
from toteflow.shared.labels.layout import Barcode, Rule, Text, layout

_MM_PER_DOT = 25.4 / LABEL_DPI
_PT_PER_DOT = 72 / LABEL_DPI


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; anything else prints as "?" rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(labels: Sequence[ShippingLabel]) -> bytes:
    """One 4x6 in page per label; bars are exact multiples of the module width."""
    pdf = FPDF(unit="mm", format=(101.6, 152.4))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    for label in labels:
        pdf.add_page()
        for op in layout(label):
            if isinstance(op, Text):
                pdf.set_font("helvetica", "B" if op.bold else "", (op.size + 6) * _PT_PER_DOT)
                pdf.set_xy(op.x * _MM_PER_DOT, op.y * _MM_PER_DOT)
                pdf.cell(text=_latin1(op.text))
            elif isinstance(op, Rule):
                pdf.rect(
                    op.x * _MM_PER_DOT,
                    op.y * _MM_PER_DOT,
                    op.width * _MM_PER_DOT,
                    op.height * _MM_PER_DOT,
                    style="F",
                )
            elif isinstance(op, Barcode):
                _bars(pdf, op)
    return bytes(pdf.output())


def _bars(pdf: FPDF, op: Barcode) -> None:
    module = op.module_dots * _MM_PER_DOT
    x = op.x * _MM_PER_DOT
    run = 0
    # Adjacent dark modules become one rectangle: fewer, cleaner bars.
    for i, char in enumerate(op.modules + "0"):
        if char == "1":
            run += 1
            continue
        if run:
            start = x + (i - run) * module
            pdf.rect(start, op.y * _MM_PER_DOT, run * module, op.height * _MM_PER_DOT, style="F")
            run = 0


def packing_slip_pdf(slip: PackingSlip) -> bytes:
    """The packing slip on A4 in a fixed-width font, the same text a text printer gets."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("courier", size=10)
    for line in packing_slip_text(slip, width=80).splitlines():
        pdf.cell(text=_latin1(line), new_x="LMARGIN", new_y="NEXT", h=5)
    return bytes(pdf.output())
