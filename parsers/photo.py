"""Phone photos of a paper form: find the sheet on the desk, straighten it, even out the light.

When there is no scanner at hand, the stamped form is photographed where it
lies: at a slant, with the desk round it and the phone's or a hand's shadow
across it. Read as it is, the table's rules are not straight, the title band
is a trapezoid and half the page is too dark for a fixed threshold. So the
sheet is found as the largest bright four-cornered region clearly lighter
than what surrounds it, warped to an upright rectangle of its own proportions
(A4 when it is close to A4), and divided by its blurred self so that a shadow
no longer darkens the ink. A scan, whose page fills the image, is left alone:
the region outside its table is paper as light as the inside.
"""

from __future__ import annotations

import cv2
import numpy as np

FIND_SIDE = 640  # long side the sheet is looked for at
MIN_AREA = 0.2  # the sheet fills at least this share of the photo
MAX_AREA = 0.97  # beyond this the "sheet" is the whole image: a scan
MIN_CONTRAST = 25  # grey levels between the sheet and what lies round it
A4_RATIO = 297 / 210


def _masks(gray: np.ndarray) -> list[np.ndarray]:
    """Two views of where the sheet is: bright by Otsu, and inside the outline of strong edges.

    The first misses a corner deep in shadow, where the paper is darker than
    the threshold; the second holds there (paper and desk keep their contrast
    in the shadow) but can run into a busy desk. Both are tried.
    """
    blur = cv2.GaussianBlur(gray, (5, 5), 0)
    k = max(3, min(gray.shape) // 40)
    _, bright = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))  # text and rules are not holes
    edges = cv2.dilate(cv2.Canny(blur, 40, 120), np.ones((3, 3), np.uint8))
    return [bright, edges]


def _quad(gray: np.ndarray) -> np.ndarray | None:
    """Four corners of the largest sheet-like region of a small grey photo that stands out from its ring."""
    found = []
    for mask in _masks(gray):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            continue
        contour = max(contours, key=cv2.contourArea)
        hull = cv2.convexHull(contour)
        area = cv2.contourArea(hull) / gray.size
        if not MIN_AREA <= area <= MAX_AREA:
            continue
        for eps in (0.02, 0.03, 0.05, 0.08):
            approx = cv2.approxPolyDP(hull, eps * cv2.arcLength(hull, True), True)
            if len(approx) == 4:
                quad = _fitted(_ordered(approx.reshape(4, 2).astype(np.float32)), contour)
                if _stands_out(gray, quad):
                    found.append((cv2.contourArea(quad), quad))
                break
    return max(found, key=lambda f: f[0])[1] if found else None


def _fitted(corners: np.ndarray, contour: np.ndarray) -> np.ndarray:
    """Corners refined by fitting a line to each side's edge points and crossing neighbouring lines."""
    points = contour.reshape(-1, 2).astype(np.float32)
    lines = []
    for a, b in zip(corners, np.roll(corners, -1, axis=0)):
        side = b - a
        length = float(np.linalg.norm(side))
        t = (points - a) @ side / max(1.0, length**2)
        rel = points - a
        off = np.abs(side[0] * rel[:, 1] - side[1] * rel[:, 0]) / max(1.0, length)
        near = points[(t > 0.1) & (t < 0.9) & (off < 0.02 * length + 2)]
        if len(near) < 5:
            return corners
        vx, vy, x0, y0 = cv2.fitLine(near, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.float32([x0, y0]), np.float32([vx, vy])))
    refined = []
    for (p1, d1), (p2, d2) in zip(np.roll(np.array(lines, dtype=object), 1, axis=0), lines):
        det = d1[0] * -d2[1] - d1[1] * -d2[0]
        if abs(det) < 1e-6:
            return corners
        s = ((p2 - p1)[0] * -d2[1] - (p2 - p1)[1] * -d2[0]) / det
        refined.append(p1 + s * d1)
    return np.float32(refined)


def _ordered(pts: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def _stands_out(gray: np.ndarray, quad: np.ndarray) -> bool:
    """The sheet is clearly lighter than the band round it: a desk, not more paper."""
    mask = np.zeros(gray.shape, np.uint8)
    cv2.fillConvexPoly(mask, quad.astype(np.int32), 1)
    ring = cv2.dilate(mask, np.ones((15, 15), np.uint8)) - mask
    inner = cv2.erode(mask, np.ones((15, 15), np.uint8))
    if not ring.any() or not inner.any():
        return False
    return float(np.median(gray[inner > 0])) - float(np.median(gray[ring > 0])) >= MIN_CONTRAST


def _target_size(quad: np.ndarray, long_side: int) -> tuple[int, int]:
    """Width and height of the straightened sheet: its own proportions, snapped to A4 when near."""
    width = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3]))
    height = max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1]))
    ratio = max(width, height) / max(1.0, min(width, height))
    if abs(ratio - A4_RATIO) < 0.2:
        ratio = A4_RATIO
    if height >= width:
        return round(long_side / ratio), long_side
    return long_side, round(long_side / ratio)


def even_light(rgb: np.ndarray) -> np.ndarray:
    """Divide out the paper's brightness so a shadow no longer darkens part of the page.

    The paper's brightness is the page with its ink closed away, taken at an
    eighth of the size: light changes slowly, and full size costs seconds.
    """
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    k = max(5, (min(small.shape[:2]) // 10) | 1)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    background = cv2.resize(cv2.GaussianBlur(background, (0, 0), k / 3), (w, h), interpolation=cv2.INTER_LINEAR)
    flat = rgb.astype(np.float32) / np.maximum(background.astype(np.float32), 1.0) * 245.0
    return np.clip(flat, 0, 255).astype(np.uint8)


def straighten(rgb: np.ndarray, long_side: int) -> np.ndarray | None:
    """The photographed sheet upright at ``long_side`` pixels, or None when this is no such photo."""
    scale = FIND_SIDE / max(rgb.shape[:2])
    small = cv2.cvtColor(cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA),
                         cv2.COLOR_RGB2GRAY)
    quad = _quad(small)
    if quad is None:
        return None
    w, h = _target_size(quad, long_side)
    target = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    matrix = cv2.getPerspectiveTransform(quad / scale, target)
    sheet = cv2.warpPerspective(rgb, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return even_light(sheet)
