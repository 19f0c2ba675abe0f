"""A scanned page's geometry: which way up it is, how skewed, and where its table rules are.

Text-line profiles find 90° turns and small skew; the title above the table
gives a first guess for 0° against 180°; long horizontal and vertical runs
of ink are the table's rules, erased before OCR (they make Tesseract drop
whole rows) and kept to find a row's label cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


def affine(mat3: np.ndarray) -> np.ndarray:
    return mat3[:2].astype(np.float64)


def _mat3(mat2: np.ndarray) -> np.ndarray:
    return np.vstack([mat2, [0.0, 0.0, 1.0]])


def _quarter_matrix(shape: tuple[int, int]) -> np.ndarray:
    """Clockwise quarter turn as a 3×3 matrix: (x, y) → (h-1-y, x)."""
    h, _ = shape
    return np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def half_turn_matrix(shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    return np.array([[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0], [0.0, 0.0, 1.0]])


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels as 255, by Otsu: scans vary too much for a fixed level."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def _profile_score(ink: np.ndarray, angle: float) -> float:
    """Sharpness of the row profile after turning by ``angle``: text lines give spikes."""
    h, w = ink.shape
    rot = cv2.warpAffine(ink, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h))
    diff = np.diff(rot.sum(axis=1))
    return float(np.sum(diff * diff)) / (float(ink.sum()) ** 2 + 1.0) * h


def _best_angle(ink: np.ndarray) -> tuple[float, float]:
    """Coarse-to-fine search of the skew in ±6°."""
    coarse = np.arange(-6.0, 6.01, 0.5)
    scores = [_profile_score(ink, a) for a in coarse]
    start = float(coarse[int(np.argmax(scores))])
    fine = np.arange(start - 0.4, start + 0.41, 0.1)
    scores = [_profile_score(ink, a) for a in fine]
    best = int(np.argmax(scores))
    return round(float(fine[best]), 2), scores[best]


def estimate_orientation(gray: np.ndarray) -> tuple[bool, float]:
    """(needs a clockwise quarter turn, skew to undo after it), from a 600-px thumbnail.

    Horizontal text lines give a spiky row profile and a flat column profile;
    a page turned by 90° swaps the two. Cheap, and unlike Tesseract's OSD it
    needs no second model load.
    """
    scale = 600 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = (_ink(small) // 255).astype(np.float32)
    angle, score = _best_angle(ink)
    angle_q, score_q = _best_angle(np.ascontiguousarray(cv2.rotate(ink, cv2.ROTATE_90_CLOCKWISE)))
    return (True, angle_q) if score_q > score else (False, angle)


def upright_matrix(shape: tuple[int, int], quarter: bool, angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """Matrix from work pixels to the turned, deskewed page, and that page's shape."""
    mat = np.eye(3)
    if quarter:
        mat = _quarter_matrix(shape)
        shape = (shape[1], shape[0])
    h, w = shape
    deskew = _mat3(cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0))
    return deskew @ mat, shape


# ---------------------------------------------------------------- layout


@dataclass
class Layout:
    """The upright page with its table rules found (y of row lines, table box)."""

    image: np.ndarray  # upright grey page with the rules erased
    rows: list[int]  # y of long horizontal rules, top to bottom
    vertical: np.ndarray  # mask of vertical rules
    table: tuple[int, int, int, int] | None  # x0, y0, x1, y1

    @classmethod
    def of(cls, gray: np.ndarray) -> Layout:
        h, w = gray.shape
        ink = _ink(gray)
        horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (w // 12, 1)))
        vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, h // 30)))
        rows = _cluster(np.nonzero(np.count_nonzero(horiz, axis=1) > 0.25 * w)[0])
        clean = gray.copy()
        clean[cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8)) > 0] = 255
        table = None
        if len(rows) >= 2:
            xs = np.nonzero(np.count_nonzero(horiz[max(0, rows[0] - 2) : rows[0] + 3], axis=0))[0]
            table = (int(xs.min()), rows[0], int(xs.max()), rows[-1])
        return cls(clean, rows, vert, table)

    def band_bottom(self) -> int:
        """Bottom of the title band plus the first three table rows (name, unit, contact)."""
        h = self.image.shape[0]
        bottom = self.rows[3] if len(self.rows) >= 4 else (self.rows[-1] if self.rows else int(0.35 * h))
        return int(min(max(bottom + 3, 0.2 * h), 0.5 * h))

    def _columns(self, top: int, bottom: int) -> list[int]:
        """x of the vertical rules crossing the whole row between ``top`` and ``bottom``."""
        middle = self.vertical[top + 2 : bottom - 2]
        return _cluster(np.nonzero(np.count_nonzero(middle, axis=0) > 0.6 * max(1, bottom - top - 4))[0])

    def label_right(self, top: int, bottom: int) -> int | None:
        """Right edge of a row's label cell (the second vertical rule), if ruled."""
        cols = self._columns(top, bottom)
        return cols[1] if len(cols) >= 2 else None

    def label_cell(self, x: float, y: float) -> tuple[np.ndarray | None, bool | None]:
        """The label cell of the table row holding (x, y) and whether that row is the last."""
        if not self.table or not (self.table[1] < y < self.table[3]):
            return None, None
        i = int(np.searchsorted(self.rows, y))
        top, bottom = self.rows[i - 1], self.rows[i]
        last = i == len(self.rows) - 1
        cols = [c for c in self._columns(top, bottom) if c <= x]
        if len(cols) < 2:
            return None, last
        return self.image[top:bottom, cols[0] : cols[1]], last


def _cluster(positions: np.ndarray, gap: int = 4) -> list[int]:
    """Runs of neighbouring pixel positions → their centres (a thick rule is one line)."""
    groups: list[list[int]] = []
    for p in positions.tolist():
        if groups and p - groups[-1][-1] <= gap:
            groups[-1].append(p)
        else:
            groups.append([p])
    return [round(sum(g) / len(g)) for g in groups]


def looks_upside_down(gray: np.ndarray) -> bool:
    """A first guess for 0° vs 180°: the title sits above the table, not below it."""
    layout_rows = Layout.of(gray).rows
    ink = _ink(gray)
    h = gray.shape[0]
    if len(layout_rows) >= 2:
        above = np.count_nonzero(ink[: max(0, layout_rows[0] - 5)])
        below = np.count_nonzero(ink[layout_rows[-1] + 5 :])
    else:
        above = np.count_nonzero(ink[: h // 5])
        below = np.count_nonzero(ink[-h // 5 :])
    return below > 1.2 * above
