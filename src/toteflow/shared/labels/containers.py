"""Tote, cart and cart-slot labels, 4 x 2 in at 203 dpi: a Code 128 of the code, big text."""

from __future__ import annotations

import io
from dataclasses import dataclass

from toteflow.domain.labels import LABEL_DPI, LABEL_WIDTH_DOTS, QUIET_ZONE_X
from toteflow.shared.labels.layout import Barcode, Op, Text, code128_modules
from toteflow.shared.labels.raster import draw_ops
from toteflow.shared.labels.zpl import render_ops

# 4 x 2 in: the usual tote label, on the 4 in roll the pack stations print on already.
HEIGHT_DOTS = 406
BAR_HEIGHT = 190
CONTAINER_FORMATS = ("zpl", "png")


@dataclass(frozen=True)
class ContainerLabel:
    code: str  # what the barcode carries, exactly as the station reads it
    caption: str  # "TOTE", "CART", "CART C0001 · SLOT 3"


def _module_dots(modules: str) -> int:
    # 4 dots (0.5 mm) reads from across a cart; narrower only for a long code.
    for dots in (4, 3, 2):
        if (len(modules) + 2 * QUIET_ZONE_X) * dots <= LABEL_WIDTH_DOTS:
            return dots
    return 1


def container_layout(label: ContainerLabel) -> list[Op]:
    modules = code128_modules(label.code, gs1=False)
    dots = _module_dots(modules)
    x = max((LABEL_WIDTH_DOTS - len(modules) * dots) // 2, QUIET_ZONE_X * dots)
    # Text about 0.6 of a dot per character size: centre the code under its bars.
    code_x = max(24, (LABEL_WIDTH_DOTS - int(len(label.code) * 56 * 0.62)) // 2)
    return [
        Text(24, 20, 30, label.caption[:40], bold=True),
        Barcode(x, 76, dots, BAR_HEIGHT, label.code, modules, False),
        Text(code_x, 76 + BAR_HEIGHT + 24, 56, label.code, bold=True),
    ]


def render_container_labels(labels: list[ContainerLabel], fmt: str) -> list[bytes]:
    """ZPL: one document holding every label; PNG: one image per label."""
    if fmt == "zpl":
        zpl = "".join(
            render_ops(container_layout(lb), LABEL_WIDTH_DOTS, HEIGHT_DOTS) for lb in labels
        )
        return [zpl.encode("utf-8")]
    if fmt == "png":
        images = []
        for label in labels:
            out = io.BytesIO()
            image = draw_ops(container_layout(label), LABEL_WIDTH_DOTS, HEIGHT_DOTS)
            image.save(out, format="PNG", dpi=(LABEL_DPI, LABEL_DPI))
            images.append(out.getvalue())
        return images
    raise ValueError(f"unknown label format {fmt!r}: use one of {', '.join(CONTAINER_FORMATS)}")
