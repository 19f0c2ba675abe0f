"""What happens to a printed page on its way into a mail: the red seal pressed, the scanner, the file format.

`ingest/samples/scans.py` draws the forms; these functions stamp a page with
a unit's round 公章 (sometimes faint or cut off), pass it through a crooked,
noisy scan or a phone camera's JPEG, and save it as PNG, JPEG, PDF or TIFF.
"""

from __future__ import annotations

import io
import math
import random
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

DPI = 300
FONT_DIR = "/usr/share/fonts/opentype/noto/"
SC_INDEX = 2  # Simplified Chinese face inside the Noto CJK collections
INK = (20, 20, 24)
SEAL_RED = (214, 28, 38)


@lru_cache(maxsize=64)
def font(size: int, serif: bool = False, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A Noto CJK SC face; cached because loading a .ttc costs milliseconds."""
    family = "NotoSerifCJK" if serif else "NotoSansCJK"
    weight = "Bold" if bold else "Regular"
    return ImageFont.truetype(f"{FONT_DIR}{family}-{weight}.ttc", size, index=SC_INDEX)


def pt(points: float) -> int:
    """Font size in pixels at 300 dpi."""
    return round(points * DPI / 72)


def mm(millimetres: float) -> int:
    return round(millimetres * DPI / 25.4)


def seal_mask(unit: str, diameter: int) -> Image.Image:
    """Ink coverage of a round 公章: ring, five-pointed star, unit name on the arc."""
    size = diameter + 8
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    c = size / 2
    r = diameter / 2
    draw.ellipse([c - r, c - r, c + r, c + r], outline=255, width=max(4, diameter // 36))
    star_r = diameter * 0.17
    points = [
        (c + star_r * (1 if k % 2 == 0 else 0.38) * math.sin(math.pi * k / 5),
         c - star_r * (1 if k % 2 == 0 else 0.38) * math.cos(math.pi * k / 5))
        for k in range(10)
    ]
    draw.polygon(points, fill=255)
    glyph = font(round(diameter * 0.11), bold=True)
    span = math.radians(250)
    text_r = r * 0.75
    for i, ch in enumerate(unit):
        angle = -span / 2 + span * (i + 0.5) / len(unit)
        tile = Image.new("L", (glyph.size * 2, glyph.size * 2), 0)
        ImageDraw.Draw(tile).text((glyph.size / 2, glyph.size / 2), ch, font=glyph, fill=255)
        tile = tile.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        x = c + text_r * math.sin(angle) - tile.width / 2
        y = c - text_r * math.cos(angle) - tile.height / 2
        mask.paste(255, (round(x), round(y)), tile)
    return mask


def press_seal(page: Image.Image, unit: str, centre: tuple[int, int], *, faint: bool = False,
               diameter: int | None = None, seed: int = 7) -> Image.Image:
    """Multiply red ink onto the page the way a pressed seal darkens paper and text.

    Real ink is uneven: a random speckle thins the coverage, and a faint press
    leaves a pale pink ring that detectors must not confuse with "no seal".
    """
    diameter = diameter or mm(42)
    mask = seal_mask(unit, diameter).rotate(random.Random(seed).uniform(-25, 25), resample=Image.BICUBIC)
    rng = random.Random(seed)
    speckle = Image.effect_noise(mask.size, 60).point(lambda v: 255 if v > 70 + rng.random() else 150)
    strength = 0.38 if faint else 0.9
    mask = ImageChops.multiply(mask, speckle).point(lambda v: round(v * strength))
    mask = mask.filter(ImageFilter.GaussianBlur(1.2))
    ink = Image.new("RGB", mask.size, SEAL_RED)
    x, y = centre[0] - mask.width // 2, centre[1] - mask.height // 2
    region = page.crop((x, y, x + mask.width, y + mask.height))
    inked = Image.composite(ImageChops.multiply(region, ink), region, mask)
    out = page.copy()
    out.paste(inked, (x, y))
    return out


def scanned(page: Image.Image, *, rotate: int = 0, skew: float = 0.0, jpeg_quality: int | None = None,
            seed: int = 1) -> Image.Image:
    """What the scanner made of the paper: grey paper, grain, blur, skew, rotation, JPEG."""
    rgb = np.asarray(page.convert("RGB"), dtype=np.float32)
    h, w = rgb.shape[:2]
    if skew:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        rgb = cv2.warpAffine(rgb, turn, (w, h), flags=cv2.INTER_CUBIC, borderValue=(250, 250, 250))
    grain = np.random.default_rng(seed).normal(1.0, 0.035, (h // 2, w // 2)).astype(np.float32)
    grain = cv2.resize(grain, (w, h), interpolation=cv2.INTER_LINEAR)
    rgb = rgb * np.array([0.965, 0.96, 0.945], np.float32) * grain[..., None]
    rgb = cv2.GaussianBlur(rgb, (0, 0), 0.7)
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    if rotate:
        img = img.rotate(rotate, expand=True)
    if jpeg_quality:
        img = Image.open(io.BytesIO(to_jpeg(img, jpeg_quality))).convert("RGB")
    return img


def to_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(DPI, DPI))
    return buf.getvalue()


def to_jpeg(img: Image.Image, quality: int = 75) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, dpi=(DPI, DPI))
    return buf.getvalue()


def to_pdf(pages: list[Image.Image]) -> bytes:
    """An image-only PDF, the way most office scanners save (no text layer)."""
    buf = io.BytesIO()
    rgb = [p.convert("RGB") for p in pages]
    rgb[0].save(buf, "PDF", resolution=DPI, save_all=True, append_images=rgb[1:], quality=80)
    return buf.getvalue()


def to_tiff(pages: list[Image.Image]) -> bytes:
    """A multi-page TIFF, as some copiers produce."""
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate", dpi=(DPI, DPI))
    return buf.getvalue()
