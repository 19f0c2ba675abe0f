"""An OFD page drawn as pixels: its pictures where they are placed, its text where it is written.

Needed for the pages that are pictures (a scan wrapped in OFD, read by OCR)
and for seal detection on the page as it looks (a seal picture placed over
申报单位意见 without a signature). Text is drawn with a Noto CJK face when
one is installed; the shapes need not be the producer's font for OCR or for
a seal detector to work.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from parsers.ofd import OfdPage

log = logging.getLogger(__name__)

FONTS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@lru_cache(maxsize=32)
def _font(pixels: int) -> ImageFont.ImageFont:
    for path in FONTS:
        try:
            return ImageFont.truetype(path, pixels, index=2)  # the Simplified Chinese face
        except OSError:
            continue
    return ImageFont.load_default()


def render_page(page: OfdPage, dpi: float) -> Image.Image:
    """The page at ``dpi``, white paper, images first and text over them as the producer layered it."""
    px = dpi / 25.4
    canvas = Image.new("RGB", (max(1, round(page.width * px)), max(1, round(page.height * px))), "white")
    for image in page.images:
        x, y, w, h = (round(v * px) for v in image.box)
        try:
            picture = Image.open(io.BytesIO(image.data))
            picture = picture.convert("RGBA").resize((max(1, w), max(1, h)), Image.LANCZOS)
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            log.warning("OFD image not drawn: %s", exc)
            continue
        canvas.paste(picture, (x, y), picture)
    draw = ImageDraw.Draw(canvas)
    for text in page.texts:
        font = _font(max(6, round(text.size * px)))
        x = text.x
        for i, ch in enumerate(text.text):
            draw.text((x * px, text.y * px), ch, font=font, fill=text.colour, anchor="ls")
            x += text.advances[i] if i < len(text.advances) else text.size
    return canvas
