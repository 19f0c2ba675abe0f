"""Seals judged by shape alone: grey and black-and-white scans lose the red.

Many offices scan in grey or black-and-white mode, and a photocopied form
stamped once comes out with a black seal. Its ink is then as dark as the
text, so colour cannot single it out; its shape still can. An official seal
(公章) is a closed round or oval ring 38–45 mm across, with the unit's name
on an arc inside it and a five-pointed star in the middle. Text, table rules
and signatures give no such ring: a circle drawn through a paragraph finds ink
at most angles but also just outside and just inside, while a seal's ring
stands out from the paper round it.

So the detector erases long table rules, lets a Hough transform propose
circles of seal size (also on the page squeezed sideways, which turns a
45×30 mm oval seal into a circle), and grades each proposal by how closely
its ink follows the ring, how clear the paper is beside the ring, and whether
arc text and a star are inside. A ring without the inside, or a weak ring,
is only "uncertain": a warning for a person, never a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_SIDE = 800  # long side the shape search runs at: a seal ring is then ~3 px thick
OVAL_SQUEEZE = 1.5  # 45×30 mm oval seals become circles when the page is squeezed by this
MIN_DIAMETER, MAX_DIAMETER = 0.13, 0.30  # of the page's short side (27–63 mm on A4)
ANGLE_BINS = 72
QUICK_MIN = 0.25  # proposals ranked below this are text or rules, not rings
REFINED = 3  # proposals graded in full


@dataclass
class Ring:
    """A seal-shaped ring: its box in the caller's pixels and how seal-like it is, 0..1."""

    box: tuple[int, int, int, int]
    score: float


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Everything clearly darker than the paper, as 0/1.

    Relative to the paper's own level rather than by Otsu: a seal scanned in
    grey is mid-grey, between the text and the paper, and Otsu on a page of
    black text may put it on the paper's side.
    """
    paper = float(np.percentile(gray, 90))
    return (gray < paper - max(40.0, 0.25 * paper)).astype(np.uint8)


def _without_rules(ink: np.ndarray) -> np.ndarray:
    """The ink minus long straight table rules, which would cut any ring into arcs."""
    h, w = ink.shape
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (w // 14, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, h // 18)))
    return ink & ~(horizontal | vertical)


def _density(ink: np.ndarray, radius: np.ndarray, low: float, high: float) -> float:
    band = (radius >= low) & (radius < high)
    return float(ink[band].mean()) if band.any() else 0.0


def _coverage(ink: np.ndarray, radius: np.ndarray, angle: np.ndarray, low: float, high: float) -> float:
    """Share of the angles round the centre at which the band ``low..high`` holds ink."""
    hit = (radius >= low) & (radius < high) & (ink > 0)
    if not hit.any():
        return 0.0
    bins = np.unique((angle[hit] * ANGLE_BINS).astype(int).clip(0, ANGLE_BINS - 1))
    return len(bins) / ANGLE_BINS


_ANGLES = np.linspace(0, 2 * np.pi, ANGLE_BINS, endpoint=False)
_FACTORS = np.linspace(0.8, 1.2, 21)


def _quick(ink: np.ndarray, cx: float, cy: float, r: float) -> float:
    """A cheap ranking of a proposal: ink all round near its radius, paper just beside it."""
    radii = np.outer(np.ones_like(_ANGLES), _FACTORS * r)
    xs = np.clip((cx + radii * np.cos(_ANGLES)[:, None]).astype(int), 0, ink.shape[1] - 1)
    ys = np.clip((cy + radii * np.sin(_ANGLES)[:, None]).astype(int), 0, ink.shape[0] - 1)
    hits = ink[ys, xs] > 0  # angles × radial factors
    windows = np.lib.stride_tricks.sliding_window_view(hits, 5, axis=1).any(axis=2)
    ring = float(windows.mean(axis=0).max())
    beside = float(np.concatenate([hits[:, :3], hits[:, -3:]], axis=1).mean())
    return ring - beside


def _grade(ink: np.ndarray, cx: float, cy: float, r: float) -> tuple[float, float]:
    """(score, best radius) of a proposed circle, radius refined to where the ring is."""
    h, w = ink.shape
    x0, y0 = int(max(0, cx - 1.4 * r)), int(max(0, cy - 1.4 * r))
    x1, y1 = int(min(w, cx + 1.4 * r)), int(min(h, cy + 1.4 * r))
    patch = ink[y0:y1, x0:x1]
    ys, xs = np.mgrid[y0:y1, x0:x1]
    dist = np.hypot(xs - cx, ys - cy)
    angle = (np.arctan2(ys - cy, xs - cx) + np.pi) / (2 * np.pi)
    best = (0.0, r)
    for rr in np.linspace(0.9 * r, 1.1 * r, 9):
        t = max(2.0, 0.06 * rr)
        ring = _coverage(patch, dist, angle, rr - t, rr + t)
        if ring < 0.75:
            continue
        on = _density(patch, dist, rr - t, rr + t)
        beside = max(_density(patch, dist, rr + 1.5 * t, rr + 3.5 * t), _density(patch, dist, rr - 3.5 * t, rr - 1.5 * t))
        contrast = on / (beside + 0.02)
        if contrast < 2.0:
            continue
        text = _coverage(patch, dist, angle, 0.5 * rr, 0.85 * rr)
        star = _density(patch, dist, 0.0, 0.16 * rr)
        fill = _density(patch, dist, 0.0, 0.85 * rr)
        score = min(1.0, (ring - 0.75) / 0.2) * min(1.0, (contrast - 2.0) / 2.0 + 0.5)
        inside = (0.3 <= text) + (star >= 0.35)
        score *= (0.55, 0.8, 1.0)[inside]
        if fill > 0.6:  # a solid disc or a dense emblem, not a stamp's open ring
            score *= 0.3
        if score > best[0]:
            best = (score, rr)
    return best


def _refined(ink: np.ndarray, cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
    """The best grade near a proposal: the half-scale Hough centre may be off by a pixel or two."""
    best = (0.0, cx, cy, r)
    for dx in (-2.0, 0.0, 2.0):
        for dy in (-2.0, 0.0, 2.0):
            score, rr = _grade(ink, cx + dx, cy + dy, r)
            if score > best[0]:
                best = (score, cx + dx, cy + dy, rr)
    return best


def _proposals(ink: np.ndarray, short: int) -> np.ndarray:
    """Circles of seal size the Hough transform sees in the ink, found at half scale for speed."""
    half = cv2.resize(ink.astype(np.float32), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    soft = cv2.GaussianBlur(255 - np.clip(half * 2 * 255, 0, 255), (3, 3), 0.8).astype(np.uint8)
    r_min, r_max = int(MIN_DIAMETER * short / 4), int(MAX_DIAMETER * short / 4)
    circles = cv2.HoughCircles(soft, cv2.HOUGH_GRADIENT, dp=1.0, minDist=r_min, param1=120, param2=22,
                               minRadius=r_min, maxRadius=r_max)
    return circles[0][:30] * 2 if circles is not None else np.empty((0, 3))


def inside_margins(cx: float, cy: float, shape: tuple[int, int], margin: float) -> bool:
    """Seals sit in the form's body; logos and emblems sit in the letterhead at the page's edge."""
    h, w = shape
    return margin * w < cx < (1 - margin) * w and margin * h < cy < (1 - margin) * h


def find_ring(gray: np.ndarray, margin: float) -> Ring | None:
    """The most seal-like ring of a grey page (box in ``gray``'s pixels), if any proposal passes."""
    scale = WORK_SIDE / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = _without_rules(ink_mask(small))
    short = min(ink.shape)
    candidates = []
    for squeeze in (1.0, OVAL_SQUEEZE):
        view = ink if squeeze == 1.0 else cv2.resize(ink, None, fx=1 / squeeze, fy=1.0,
                                                      interpolation=cv2.INTER_NEAREST)
        for cx, cy, r in _proposals(view, short):
            if inside_margins(cx * squeeze, cy, ink.shape, margin):
                candidates.append((_quick(view, cx, cy, r), squeeze, view, cx, cy, r))
    candidates = sorted((c for c in candidates if c[0] >= QUICK_MIN), key=lambda c: -c[0])[:REFINED]
    best: Ring | None = None
    for _, squeeze, view, cx, cy, r in candidates:
        score, cx, cy, rr = _refined(view, cx, cy, r)
        if score > 0 and (best is None or score > best.score):
            x, y = (cx - rr) * squeeze / scale, (cy - rr) / scale
            best = Ring((round(x), round(y), round(2 * rr * squeeze / scale), round(2 * rr / scale)),
                        round(score, 2))
    return best
