"""The shipping label as ZPL II for 203 dpi thermal printers (4x6 in: ^PW812^LL1218)."""

from __future__ import annotations

from toteflow.domain.labels import LABEL_HEIGHT_DOTS, LABEL_WIDTH_DOTS, ShippingLabel
from toteflow.shared.labels.layout import Barcode, Op, Rule, Text, layout


def _field(text: str) -> str:
    # With ^FH, "_" introduces a hex byte: escape the ZPL control characters and "_" itself.
    out = []
    for char in text:
        if char in "^~_\\":
            out.append(f"_{ord(char):02X}")
        elif ord(char) < 32:
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def sscc_field(element_string: str) -> str:
    """^FD data for a GS1-128 SSCC: start in subset C (>;), FNC1 (>8), then 00 and 18 digits."""
    return f">;>8{element_string}"


def render_zpl(label: ShippingLabel) -> str:
    return render_ops(layout(label), LABEL_WIDTH_DOTS, LABEL_HEIGHT_DOTS)


def render_ops(ops: list[Op], width: int, height: int) -> str:
    """One ZPL label of `width` x `height` dots drawing `ops`."""
    lines = ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0"]
    for op in ops:
        if isinstance(op, Text):
            font = "^A0N" + f",{op.size + (6 if op.bold else 4)},{op.size + 2}"
            lines.append(f"^FO{op.x},{op.y}{font}^FH_^FD{_field(op.text)}^FS")
        elif isinstance(op, Rule):
            thickness = min(op.width, op.height)
            lines.append(f"^FO{op.x},{op.y}^GB{op.width},{op.height},{thickness}^FS")
        elif isinstance(op, Barcode):
            if op.gs1:
                # Mode N with explicit invocation codes: the FNC1 must be the first character.
                data = sscc_field(op.data)
                lines.append(
                    f"^FO{op.x},{op.y}^BY{op.module_dots},3,{op.height}"
                    f"^BCN,{op.height},N,N,N,N^FD{data}^FS"
                )
            else:
                # Mode A: the printer picks subsets B and C itself, as python-barcode does.
                # Tracking numbers are letters and digits only, so no escaping is needed.
                lines.append(
                    f"^FO{op.x},{op.y}^BY{op.module_dots},3,{op.height}"
                    f"^BCN,{op.height},N,N,N,A^FD{op.data}^FS"
                )
    lines.append("^XZ")
    return "\n".join(lines) + "\n"
