"""Targeted Tesseract reading of a scanned form page: which form, its name, its unit.

Reading a whole 300-dpi page with chi_sim costs seconds, and nearly all of it
goes into the long description that nobody checks here. So a page is brought
to about 150 dpi, turned upright (text-line profiles find 90° turns and small
skew, the form title settles 0° against 180°), the table rules are erased —
they make Tesseract drop whole rows — and only the title band and the first
table rows go to Tesseract: one call per page in the usual case. When a seal
sits inside the table, the label cell of its row rides along in the same call
so we can tell whether it was pressed into 申报单位意见.

Every Tesseract call has a timeout (`[limits] ocr_page_seconds`); a timeout,
a missing Tesseract or its crash is our failure (`ReadingFailed`), never an
empty page that would read as a missing form. Results are cached by page content in
``PageCache`` so a re-sent scan is not read again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

# One Tesseract per core is faster than OpenMP threads fighting over them.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytesseract  # noqa: E402

from parsers import limits  # noqa: E402
from parsers.atomic import atomic_write  # noqa: E402
from parsers.facts import FORM_TITLES, ReadingFailed  # noqa: E402
from parsers.ocr_layout import (Layout, affine, estimate_orientation, half_turn_matrix, looks_upside_down,  # noqa: E402
                                upright_matrix)
from parsers.ocr_titles import FormFields, parse_fields, tidy  # noqa: E402

log = logging.getLogger(__name__)

# chi_sim alone: adding eng made the band 30% slower and garbled table rows in
# our measurements, while chi_sim reads the digits and Latin letters in forms.
LANG = os.environ.get("INTAKE_OCR_LANG", "chi_sim")
WORK_LONG_SIDE = 1754  # an A4 page at 150 dpi: enough for 小四 text, 4× fewer pixels than 300 dpi
CACHE_VERSION = "scan-v3"  # v2: seals of any colour, how the page was stamped; v3: a letter naming a form is not it



@dataclass
class PageRead:
    """The outcome of reading one page's bands."""

    fields: FormFields
    text: str = ""
    confidence: float = 0.0  # Tesseract's mean word confidence, 0..100
    has_table: bool = False
    seal_label: str | None = None  # OCR of the label cell of the row holding the seal
    seal_row_is_last: bool | None = None  # None: the seal is not inside the table
    lines: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- Tesseract


@dataclass
class _Word:
    left: int
    top: int
    right: int
    bottom: int
    text: str
    line: tuple[int, int, int]  # Tesseract's block, paragraph, line


def _ocr_words(image: np.ndarray) -> tuple[list[_Word], float]:
    """Recognised words with boxes and the mean confidence (none for an empty band).

    Raises ReadingFailed when Tesseract is missing, crashes or runs out of time.
    """
    if image.size == 0:
        return [], 0.0
    seconds = limits.current().ocr_page_seconds
    try:
        data = pytesseract.image_to_data(
            image, lang=LANG, config="--psm 6", timeout=seconds, output_type=pytesseract.Output.DICT
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise ReadingFailed("本机没有安装文字识别程序 Tesseract（Debian 软件包 tesseract-ocr、tesseract-ocr-chi-sim），"
                            "无法读取扫描件") from exc
    except pytesseract.TesseractError as exc:
        raise ReadingFailed(f"文字识别程序 Tesseract 出错：{exc.message or exc.status}") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise ReadingFailed(f"识别一页扫描件的文字超过 {seconds} 秒未完成（[limits] ocr_page_seconds）") from exc
    words, confs = [], []
    for i, text in enumerate(data["text"]):
        if not text.strip():
            continue
        left, top = data["left"][i], data["top"][i]
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        words.append(_Word(left, top, left + data["width"][i], top + data["height"][i], text.strip(), key))
        confs.append(float(data["conf"][i]))
    return words, (sum(confs) / len(confs) if confs else 0.0)


def _lines(words: list[_Word]) -> list[str]:
    """Tesseract's own lines, top to bottom."""
    grouped: dict[tuple[int, int, int], list[_Word]] = {}
    for w in words:
        grouped.setdefault(w.line, []).append(w)
    ordered = sorted(grouped.values(), key=lambda ws: min(w.top for w in ws))
    return [_join([w.text for w in sorted(ws, key=lambda w: w.left)]) for ws in ordered]


def _row_line(words: list[_Word], label_right: int | None) -> str:
    """One table row as "label value": a label centred beside a two-line value stays whole."""
    def ordered(part):
        return [w.text for w in sorted(part, key=lambda w: (w.line, w.left))]
    if label_right is None:
        return _join(ordered(words))
    label = [w for w in words if (w.left + w.right) / 2 < label_right]
    value = [w for w in words if (w.left + w.right) / 2 >= label_right]
    return f"{_join(ordered(label))} {_join(ordered(value))}".strip()


def _band_lines(words: list[_Word], layout: Layout, bottom: int) -> tuple[list[str], list[str]]:
    """Title lines above the table, then one line per table row; and the rows' values alone."""
    def middle(w):
        return (w.top + w.bottom) / 2
    rows = [y for y in layout.rows if y <= bottom]
    if len(rows) < 2:
        return _lines([w for w in words if middle(w) < bottom]), []
    out = _lines([w for w in words if middle(w) < rows[0]])
    values = []
    for top, low in zip(rows, rows[1:]):
        inside = [w for w in words if top < middle(w) < low]
        right = layout.label_right(top, low)
        out.append(_row_line(inside, right))
        values.append(_row_line([w for w in inside if right and (w.left + w.right) / 2 >= right], None))
    return out, values


def _fields(lines: list[str], values: list[str]) -> FormFields:
    """Fields by label; a label OCR garbled falls back to its row: name first, unit second in all three forms."""
    fields = parse_fields(lines)
    if fields.kind in FORM_TITLES and len(values) >= 2:
        fields.name = fields.name or values[0] or None
        fields.unit = fields.unit or values[1] or None
    return fields


def _join(words: list[str]) -> str:
    """Chinese words join without spaces; Latin words and numbers keep one."""
    text = ""
    for word in words:
        if text and text[-1].isascii() and text[-1].isalnum() and word[0].isascii() and word[0].isalnum():
            text += " "
        text += word
    return tidy(text)


def _read_bands(layout: Layout, seal_point: tuple[float, float] | None) -> PageRead:
    """OCR the title band (and the seal row's label cell) in one Tesseract call."""
    bottom = layout.band_bottom()
    band = layout.image[:bottom]
    label, last = layout.label_cell(*seal_point) if seal_point else (None, None)
    image = band
    if label is not None and label.size:
        pad = np.full((40, band.shape[1]), 255, np.uint8)
        cell = np.full((label.shape[0], band.shape[1]), 255, np.uint8)
        cell[:, : min(label.shape[1], band.shape[1])] = label[:, : band.shape[1]]
        image = np.vstack([band, pad, cell])
    words, conf = _ocr_words(image)
    band_lines, values = _band_lines([w for w in words if w.top < bottom], layout, bottom)
    label_text = "".join(_lines([w for w in words if w.top >= bottom])) if label is not None else None
    text = "\n".join(band_lines + ([label_text] if label_text else []))
    return PageRead(_fields(band_lines, values), text, conf, layout.table is not None, label_text, last, band_lines)


def read_page(gray: np.ndarray, seal_box: tuple[int, int, int, int] | None = None) -> PageRead:
    """Read form kind, name and unit from a grey page at work scale.

    The page is tried in the likelier of its two upright orientations first;
    only when no form title is found there is the half-turned page read too.
    """
    quarter, angle = estimate_orientation(gray)
    mat, shape = upright_matrix(gray.shape, quarter, angle)
    upright = cv2.warpAffine(gray, affine(mat), (shape[1], shape[0]), flags=cv2.INTER_LINEAR, borderValue=255)
    flip_first = looks_upside_down(upright)
    tries = []
    for flip in (flip_first, not flip_first):
        page = cv2.rotate(upright, cv2.ROTATE_180) if flip else upright
        full = half_turn_matrix(shape) @ mat if flip else mat
        point = None
        if seal_box:
            x, y, w, h = seal_box
            point = tuple((full @ np.array([x + w / 2, y + h / 2, 1.0]))[:2])
        read = _read_bands(Layout.of(page), point)
        tries.append(read)
        if read.fields.kind:
            return read
    return max(tries, key=lambda r: r.confidence)


# ---------------------------------------------------------------- text → fields


# ---------------------------------------------------------------- cache


class PageCache:
    """Page results on disk, keyed by the page's pixels, so re-sent scans are free."""

    def __init__(self, directory: Path | None):
        self.directory = Path(directory) if directory else None

    @staticmethod
    def key(pixels: np.ndarray) -> str:
        digest = hashlib.sha256(CACHE_VERSION.encode())
        digest.update(repr(pixels.shape).encode())
        digest.update(np.ascontiguousarray(pixels).data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if not self.directory:
            return None
        try:
            return json.loads(self._path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: dict) -> None:
        """Write atomically: parallel workers may finish the same page at once."""
        if not self.directory:
            return
        path = self._path(key)
        try:
            atomic_write(path, json.dumps(value, ensure_ascii=False).encode("utf-8"), durable=False)
        except OSError as exc:
            log.warning("could not cache page result: %s", exc)
