"""Pages as offices really send them when there is no colour scanner at hand.

A phone photo of the stamped form lying on a desk (perspective, a shadow
across it, the desk round it), the same photo as an iPhone HEIC with the
sensor's sideways pixels and an EXIF orientation, grey and black-and-white
scans, and 150-dpi JPEGs at low quality. Built from the sample renderer's
clean pages so tests and benchmarks know what each page really says.
"""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
from PIL import Image, ImageDraw

from ingest.samples.paper import seal_mask, mm, scanned, to_jpeg

DESK = (118, 88, 62)  # a brown office desk


def phone_photo(page: Image.Image, *, frame: tuple[int, int] = (1500, 2000), tilt: float = 0.06,
                shadow: float = 0.45, seed: int = 3) -> Image.Image:
    """The clean ``page`` photographed from above at a slant, lying on a desk, a hand's shadow on it.

    ``tilt`` is how far (as a share of the frame) the page's corners move
    from a straight rectangle; ``shadow`` how dark the shadow's core is.
    """
    rng = np.random.default_rng(seed)
    fw, fh = frame
    src = np.asarray(page.convert("RGB").resize((round(page.width * 0.7 * fh / page.height), round(0.7 * fh)),
                                                Image.LANCZOS))
    ph, pw = src.shape[:2]
    x0, y0 = (fw - pw) / 2, (fh - ph) / 2
    corners = np.float32([[x0, y0], [x0 + pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]])
    corners += rng.uniform(-tilt, tilt, (4, 2)).astype(np.float32) * np.float32([fw, fh])
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), corners)
    desk = np.clip(np.float32(DESK) * rng.normal(1.0, 0.06, (fh, fw, 1)), 0, 255)
    desk = cv2.GaussianBlur(desk, (0, 0), 3)
    warped = cv2.warpPerspective(src, matrix, (fw, fh), flags=cv2.INTER_LINEAR)
    inside = cv2.warpPerspective(np.ones((ph, pw), np.float32), matrix, (fw, fh))[..., None]
    photo = warped.astype(np.float32) * inside + desk * (1 - inside)
    ys, xs = np.mgrid[0:fh, 0:fw].astype(np.float32)
    light = 1.0 - shadow * np.clip(1.2 - np.hypot(xs / fw - 0.1, ys / fh - 0.05) * 1.6, 0, 1)  # from a corner
    photo = photo * light[..., None] * np.float32([0.97, 0.95, 0.9])  # warm indoor light
    photo = cv2.GaussianBlur(photo + rng.normal(0, 4, photo.shape).astype(np.float32), (0, 0), 0.8)
    return Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))


def to_heic(img: Image.Image, *, sideways: bool = True, quality: int = 85) -> bytes:
    """An iPhone HEIC: with ``sideways`` the pixels are stored as the sensor saw them, EXIF says turn."""
    import pillow_heif

    stored = img.rotate(90, expand=True) if sideways else img
    exif = Image.Exif()
    exif[0x0112] = 6 if sideways else 1  # "turn 90° clockwise to display"
    heif = pillow_heif.from_pillow(stored.convert("RGB"))
    buf = io.BytesIO()
    heif.save(buf, format="HEIF", quality=quality, exif=exif.tobytes())
    return buf.getvalue()


def grey_scan(page: Image.Image, *, skew: float = 0.0, seed: int = 1) -> Image.Image:
    """A scanner in grey mode: the red seal becomes mid-grey ink like everything else."""
    return scanned(page, skew=skew, seed=seed).convert("L")


def black_and_white_scan(page: Image.Image, *, skew: float = 0.0, seed: int = 1) -> Image.Image:
    """A scanner in black-and-white (line art) mode: one threshold, nothing grey is left."""
    return grey_scan(page, skew=skew, seed=seed).point(lambda v: 255 if v > 140 else 0).convert("1")


def low_dpi_jpeg(page: Image.Image, *, dpi: int = 150, quality: int = 35, seed: int = 1) -> bytes:
    """A 150-dpi JPEG at low quality, as cheap scanners and e-mail size limits make them."""
    small = scanned(page, seed=seed).resize((round(page.width * dpi / 300), round(page.height * dpi / 300)),
                                            Image.LANCZOS)
    return to_jpeg(small, quality)


def with_emblem(page: Image.Image, *, colour: tuple[int, int, int] = (20, 20, 24)) -> Image.Image:
    """The page with a school emblem in its letterhead: a ring, text on the arc, a figure inside —
    seal-like in every way but where it sits."""
    mask = seal_mask("杭州市西湖区老年大学校徽", mm(30))
    ImageDraw.Draw(mask).rectangle([mask.width * 0.4, mask.height * 0.55, mask.width * 0.6, mask.height * 0.62],
                                   fill=255)  # a book under the star
    out = page.copy()
    out.paste(Image.new("RGB", mask.size, colour), (mm(22), mm(8)), mask)
    return out


def png_bomb(width: int, height: int) -> bytes:
    """A real 1-bit white PNG of `width`×`height`: a few hundred KB that decode to hundreds of MB or more."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
