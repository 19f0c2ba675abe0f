"""Find the unit's seal (公章) on a scanned page, red or not.

A seal is red ink in a round or oval ring with a star and text inside. Other
red things on forms are not seals: the red letterhead (红头) and its rule are
long and flat, red handwriting is thin and open, a red table border is a
rectangle whose corners lie far outside any ellipse through its sides. So the
detector keeps red blobs of seal size whose ink runs all the way round an
ellipse fitted to the blob's box, and grades how sure it is instead of
answering yes/no: a faint or half-printed seal becomes a warning upstream,
not a false "no seal" error.

Red is strong evidence, not the definition: a grey or black-and-white scan,
or a photocopy stamped once, shows the seal as dark ink. When no red seal is
certain, ``parsers.seal_shape`` judges the page's dark ink by the seal's shape
(ring, arc text, star). Seal-like marks at the page's edges are the
letterhead's logo or emblem, never the seal pressed into the form.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from parsers.facts import SealFinding
from parsers.seal_shape import find_ring, inside_margins

FOUND = 0.6  # confidence from which a seal counts as present
UNCERTAIN = 0.3  # between this and FOUND: something seal-like, worth a warning

# Official round seals are 38–45 mm across, oval ones 45×30 mm; pages are
# A4/Letter, so a seal spans roughly a fifth of the page's short side.
MIN_SIZE, MAX_SIZE = 0.09, 0.40
MAX_ASPECT = 1.8
ANGLE_BINS = 72
FAINT_FACTOR = 0.55  # a perfect but pale ring lands between UNCERTAIN and FOUND
EDGE_MARGIN = 0.12  # of the page's width/height: a seal's centre never lies this close to an edge


@dataclass
class _Blob:
    box: tuple[int, int, int, int]
    score: float


def red_mask(rgb: np.ndarray, min_saturation: int) -> np.ndarray:
    """Pixels of red ink: both ends of the hue circle, saturated, not black."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red_hue = (hue <= 10) | (hue >= 160)
    return (red_hue & (sat >= min_saturation) & (val >= 70)).astype(np.uint8)


def _ring_score(mask: np.ndarray) -> float:
    """How much the ink in ``mask`` (one blob's box) looks like a seal, 0..1.

    The outer ring must cover the ellipse through the box nearly everywhere
    round; a seal also has ink inside (star, arc text) but is not a filled
    disc.
    """
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    if len(xs) < 50:
        return 0.0
    dx = (xs - (w - 1) / 2) / (w / 2)
    dy = (ys - (h - 1) / 2) / (h / 2)
    radius = np.hypot(dx, dy)
    on_ring = (radius > 0.8) & (radius < 1.06)
    bins = ((np.arctan2(dy[on_ring], dx[on_ring]) + np.pi) / (2 * np.pi) * ANGLE_BINS).astype(int)
    coverage = len(np.unique(np.clip(bins, 0, ANGLE_BINS - 1))) / ANGLE_BINS
    inside = np.count_nonzero(radius < 0.7) / len(xs)
    fill = len(xs) / (np.pi * w * h / 4)
    score = np.clip((coverage - 0.45) / 0.45, 0, 1)
    if inside < 0.08:  # an empty ring: a hand-drawn circle, not a seal
        score *= 0.5
    if fill > 0.7:  # a solid red blot or sticker
        score *= 0.3
    return float(score)


def _blobs(mask: np.ndarray) -> list[_Blob]:
    """Seal-sized, roughly round red blobs with their ring score."""
    short = min(mask.shape)
    k = max(3, short // 120)
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    found = []
    for i in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[i])
        if not (MIN_SIZE * short <= max(w, h) <= MAX_SIZE * short):
            continue
        if max(w, h) / max(1, min(w, h)) > MAX_ASPECT:
            continue
        if not inside_margins(x + w / 2, y + h / 2, mask.shape, EDGE_MARGIN):
            continue
        found.append(_Blob((x, y, w, h), _ring_score(mask[y : y + h, x : x + w])))
    return found


def _red_seal(rgb: np.ndarray) -> _Blob | None:
    """The most seal-like red blob; pale ink only when no strong red seal is present, lowered."""
    best = max(_blobs(red_mask(rgb, 90)), key=lambda b: b.score, default=None)
    if best is None or best.score < FOUND:
        faint = max(_blobs(red_mask(rgb, 35)), key=lambda b: b.score, default=None)
        if faint and faint.score * FAINT_FACTOR > (best.score if best else 0.0):
            best = _Blob(faint.box, faint.score * FAINT_FACTOR)
    return best


def find_seal(rgb: np.ndarray) -> SealFinding:
    """The most seal-like mark of an RGB page, box in the page's pixels.

    A red seal is looked for first; when none is certain, the page's dark ink
    is judged by shape, so a grey scan's seal is found and a faint red one
    that also has a clear ring in grey counts.
    """
    best, colour = _red_seal(rgb), "red"
    if best is None or best.score < FOUND:
        ring = find_ring(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), EDGE_MARGIN)
        if ring and ring.score > (best.score if best else 0.0):
            colour = "red" if best and best.score >= UNCERTAIN and _overlap(best.box, ring.box) else "grey"
            best = _Blob(ring.box, ring.score)
    if best is None or best.score <= 0.05:
        return SealFinding(found=False, confidence=0.0)
    return SealFinding(found=best.score >= FOUND, confidence=round(best.score, 2), box=best.box, colour=colour)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two boxes' centres lie inside each other's box: the same mark seen twice."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return abs(ax + aw / 2 - bx - bw / 2) < max(aw, bw) / 2 and abs(ay + ah / 2 - by - bh / 2) < max(ah, bh) / 2



def seal_image(data: bytes) -> bool:
    """Whether a picture (a seal image placed in a workbook) is a red seal.

    The picture is cropped to its ink and set on a page-sized white canvas
    first: the detector expects a seal to be a fifth of a page, not the whole
    picture nor a speck on it.
    """
    import io

    from PIL import Image

    from PIL import ImageChops

    try:
        with Image.open(io.BytesIO(data)) as image:
            rgb = image.convert("RGBA")
    except OSError:
        return False
    flat = Image.new("RGB", rgb.size, "white")
    flat.paste(rgb, mask=rgb.getchannel("A"))  # a transparent PNG seal on white paper
    ink = ImageChops.difference(flat, Image.new("RGB", flat.size, "white")).convert("L").point(lambda v: 255 * (v > 40))
    box = ink.getbbox()
    if box is None:
        return False
    rgb = flat.crop(box)  # the seal itself, whatever margin the picture has
    side = max(rgb.width, rgb.height) * 4
    page = Image.new("RGB", (side, side), "white")
    page.paste(rgb, ((side - rgb.width) // 2, (side - rgb.height) // 2))
    return find_seal(np.asarray(page)).found
