"""The shipping label as a 203 dpi PNG (previews, folder printers), drawn bar by bar."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from toteflow.domain.labels import LABEL_DPI, LABEL_HEIGHT_DOTS, LABEL_WIDTH_DOTS, ShippingLabel
from toteflow.shared.labels.layout import Barcode, Op, Rule, Text, layout

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=32)
def _font(size: int, bold: bool) -> Font:
    # DejaVu when the system has it (bold reads better on labels), else Pillow's own font.
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size=size)


def render_image(label: ShippingLabel) -> Image.Image:
    """A 1-bit image, one pixel per printer dot: bars land exactly on module boundaries."""
    return draw_ops(layout(label), LABEL_WIDTH_DOTS, LABEL_HEIGHT_DOTS)


def draw_ops(ops: list[Op], width: int, height: int) -> Image.Image:
    """`ops` drawn on a 1-bit image of `width` x `height` dots."""
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    for op in ops:
        if isinstance(op, Text):
            draw.text((op.x, op.y), op.text, font=_font(op.size + 6, op.bold), fill=0)
        elif isinstance(op, Rule):
            draw.rectangle((op.x, op.y, op.x + op.width - 1, op.y + op.height - 1), fill=0)
        elif isinstance(op, Barcode):
            _bars(draw, op)
    return image


def _bars(draw: ImageDraw.ImageDraw, op: Barcode) -> None:
    x = op.x
    for module in op.modules:
        if module == "1":
            draw.rectangle((x, op.y, x + op.module_dots - 1, op.y + op.height - 1), fill=0)
        x += op.module_dots


def render_png(label: ShippingLabel) -> bytes:
    out = io.BytesIO()
    render_image(label).save(out, format="PNG", dpi=(LABEL_DPI, LABEL_DPI))
    return out.getvalue()
