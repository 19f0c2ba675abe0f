"""An OFD page drawn as pixels: its pictures where they are placed, its text where it is written.

Needed for the pages that are pictures (a scan wrapped in OFD, read by OCR)
and for seal detection on the page as it looks (a seal picture placed over
申报单位意见 without a signature). Text is drawn with a Noto CJK face when
one is installed; the shapes need not be the producer's font for OCR or for
a seal detector to work.

What an OFD says is only a claim: an 8×8 picture placed in a box 3.5 m
wide would be scaled to 190 million pixels. So the page, every picture as
stored and every box it is placed in are held to ``[limits]
max_image_megapixels`` (past it, the file is refused in words, naming it),
and only the part of a picture that falls on the page is ever scaled — no
drawing is larger than the page at the render resolution. Glyphs are drawn
at most ``MAX_RUN_GLYPHS`` per run and ``MAX_PAGE_GLYPHS`` per page, no
larger than the page.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from parsers.limits import check_pixels, too_many_pixels
from parsers.ofd import MAX_RUN_GLYPHS, OfdImage, OfdPage

log = logging.getLogger(__name__)

FONTS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
MAX_PAGE_GLYPHS = 20_000  # a dense A4 page of 小五 holds about 3,000
MAX_PAGE_IMAGES = 100  # a scan has one picture per page, a form a seal and a logo or two


@lru_cache(maxsize=32)
def _font(pixels: int) -> ImageFont.ImageFont:
    for path in FONTS:
        try:
            return ImageFont.truetype(path, pixels, index=2)  # the Simplified Chinese face
        except OSError:
            continue
    return ImageFont.load_default()


def render_page(page: OfdPage, dpi: float) -> Image.Image:
    """The page at ``dpi``, white paper, images first and text over them as the producer layered it.

    Raises UnreadableFile (naming the page) when the page or a picture on it
    is past the pixel limit.
    """
    px = dpi / 25.4
    check_pixels(page.width * px, page.height * px, page.label)
    canvas = Image.new("RGB", (max(1, round(page.width * px)), max(1, round(page.height * px))), "white")
    for image in page.images[:MAX_PAGE_IMAGES]:
        _place(canvas, image, px, page.label)
    _write(canvas, page, px)
    return canvas


def _place(canvas: Image.Image, image: OfdImage, px: float, label: str) -> None:
    """Scale the part of the picture that lands on the page into its box there."""
    x, y, w, h = (v * px for v in image.box)
    check_pixels(abs(w), abs(h), f"{label}中图片的放置区域")
    left, top = max(0, round(x)), max(0, round(y))
    right, bottom = min(canvas.width, round(x + w)), min(canvas.height, round(y + h))
    if right <= left or bottom <= top:
        return  # off the page, or no size
    what = f"{label}中放置的图片"
    try:
        picture = Image.open(io.BytesIO(image.data))
    except Image.DecompressionBombError as exc:  # Pillow's own guard, past twice its 89 megapixels
        raise too_many_pixels(what) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        log.warning("OFD image not drawn: %s", exc)
        return
    check_pixels(*picture.size, what)  # from its header, before decoding
    try:
        sx, sy = picture.width / w, picture.height / h  # picture pixels per page pixel
        source = (max(0.0, (left - x) * sx), max(0.0, (top - y) * sy),
                  min(picture.width, (right - x) * sx), min(picture.height, (bottom - y) * sy))
        picture = picture.convert("RGBA").resize((right - left, bottom - top), Image.LANCZOS, box=source)
    except (OSError, ValueError) as exc:  # truncated or damaged picture data
        log.warning("OFD image not drawn: %s", exc)
        return
    canvas.paste(picture, (left, top), picture)


def _write(canvas: Image.Image, page: OfdPage, px: float) -> None:
    """The text runs, glyph by glyph along their advances; none larger than the page."""
    draw = ImageDraw.Draw(canvas)
    budget = MAX_PAGE_GLYPHS
    for text in page.texts:
        if budget <= 0:
            break
        font = _font(min(max(6, round(text.size * px)), max(canvas.size)))
        x = text.x
        for i, ch in enumerate(text.text[:min(MAX_RUN_GLYPHS, budget)]):
            draw.text((x * px, text.y * px), ch, font=font, fill=text.colour, anchor="ls")
            x += text.advances[i] if i < len(text.advances) else text.size
        budget -= min(len(text.text), MAX_RUN_GLYPHS)
