"""License plate labels, 4 x 2 in at 203 dpi: the plate code as Code 128, what is on it."""

from __future__ import annotations

import io

from toteflow.domain.labels import LABEL_DPI, LABEL_WIDTH_DOTS
from toteflow.shared.labels.containers import HEIGHT_DOTS, ContainerLabel, container_layout
from toteflow.shared.labels.layout import Op, Text
from toteflow.shared.labels.raster import draw_ops
from toteflow.shared.labels.zpl import render_ops

PLATE_FORMATS = ("zpl", "png")


def plate_layout(code: str, line: str) -> list[Op]:
    """The container label's caption, bars and code, and a line of what is on it below."""
    ops = container_layout(ContainerLabel(code, "LICENSE PLATE"))
    return [*ops, Text(24, 356, 30, line[:40], bold=True)]


class PlateLabelRenderer:
    """Implements the put-away service's PlateLabels port."""

    def render(self, code: str, line: str, fmt: str) -> bytes:
        ops = plate_layout(code, line)
        if fmt == "zpl":
            return render_ops(ops, LABEL_WIDTH_DOTS, HEIGHT_DOTS).encode("utf-8")
        if fmt == "png":
            out = io.BytesIO()
            draw_ops(ops, LABEL_WIDTH_DOTS, HEIGHT_DOTS).save(
                out, format="PNG", dpi=(LABEL_DPI, LABEL_DPI)
            )
            return out.getvalue()
        raise ValueError(f"unknown label format {fmt!r}: use one of {', '.join(PLATE_FORMATS)}")
