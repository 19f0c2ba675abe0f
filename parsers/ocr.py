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

import difflib
import hashlib
import json
import logging
import os
import re
import unicodedata
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

log = logging.getLogger(__name__)

# chi_sim alone: adding eng made the band 30% slower and garbled table rows in
# our measurements, while chi_sim reads the digits and Latin letters in forms.
LANG = os.environ.get("INTAKE_OCR_LANG", "chi_sim")
WORK_LONG_SIDE = 1754  # an A4 page at 150 dpi: enough for 小四 text, 4× fewer pixels than 300 dpi
CACHE_VERSION = "scan-v3"  # v2: seals of any colour, how the page was stamped; v3: a letter naming a form is not it

TITLE_KINDS = [("summary", "信息汇总表")] + [(k, t) for k, t in FORM_TITLES.items()]
NAME_LABELS = ("案例名称", "项目名称", "课程名称")
UNIT_LABELS = ("申报单位", "填报单位")


@dataclass
class FormFields:
    """What the title band says: form kind (None if no title), name, unit."""

    kind: str | None = None
    name: str | None = None
    unit: str | None = None


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


# ---------------------------------------------------------------- geometry


def _affine(mat3: np.ndarray) -> np.ndarray:
    return mat3[:2].astype(np.float64)


def _mat3(mat2: np.ndarray) -> np.ndarray:
    return np.vstack([mat2, [0.0, 0.0, 1.0]])


def _quarter_matrix(shape: tuple[int, int]) -> np.ndarray:
    """Clockwise quarter turn as a 3×3 matrix: (x, y) → (h-1-y, x)."""
    h, _ = shape
    return np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def _half_turn_matrix(shape: tuple[int, int]) -> np.ndarray:
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


def _upright_matrix(shape: tuple[int, int], quarter: bool, angle: float) -> tuple[np.ndarray, tuple[int, int]]:
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


def tidy(text: str) -> str:
    """Full-width punctuation between Chinese characters, as the forms are typed."""
    text = re.sub(r"(?<=[\u4e00-\u9fff]):|:(?=[\u4e00-\u9fff])", "：", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff]);", "；", text)
    return re.sub(r"(?<=[\u4e00-\u9fff]),", "，", text)


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
    mat, shape = _upright_matrix(gray.shape, quarter, angle)
    upright = cv2.warpAffine(gray, _affine(mat), (shape[1], shape[0]), flags=cv2.INTER_LINEAR, borderValue=255)
    flip_first = looks_upside_down(upright)
    tries = []
    for flip in (flip_first, not flip_first):
        page = cv2.rotate(upright, cv2.ROTATE_180) if flip else upright
        full = _half_turn_matrix(shape) @ mat if flip else mat
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


def _compact(line: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))


def _best_window(text: str, title: str) -> tuple[float, int]:
    """Best similarity of ``title`` to any same-length stretch of ``text``, and where that stretch starts."""
    n = len(title)
    if len(text) <= n:
        return difflib.SequenceMatcher(None, text, title).ratio(), 0
    best, start = 0.0, 0
    for i in range(len(text) - n + 1):
        ratio = difflib.SequenceMatcher(None, text[i : i + n], title).ratio()
        if ratio > best:
            best, start = ratio, i
    return best, start


# A line that names a form inside a sentence or a list — a cover letter's 现将《…》案例申报表报送给你们,
# its 附件：1.…申报表 — rather than heading the form itself.
# Punctuation counts between words only: a speck at a line's end may read as a comma.
_PROSE = re.compile(r"(?<=\w)[,，。;；!?！？](?=\w)|现将|报送|呈报|上报|请予|请查收|你们|贵单位|关于|的函")
_LIST_ITEM = re.compile(r"》|附件[:：]|(?<!件)(?<!\d)\d+[.、]$")
_LETTER = re.compile(r"^关于.{2,40}(?:函|报告|请示|通知|说明)$")  # 关于报送…的函: a letter's own title


def _heading(text: str, start: int, length: int) -> bool:
    """Whether the title found at ``text[start:start+length]`` heads the line, as a form's title does.

    A form's title line is the title, perhaps after 附件2, a year, a place or
    “智慧助老”, perhaps with a stray OCR mark after it; a line that quotes a
    form's name before the title, lists it after 附件： or 1., or goes on with
    a sentence names the form without being it.
    """
    before, after = text[:start], text[start + length :]
    after_letters = [ch for ch in after if unicodedata.category(ch)[0] in "LN"]
    if len(after_letters) > 1 and not re.fullmatch(r"[(（][^)）]{0,8}[)）]", after):
        return False
    return not (_PROSE.search(text) or _LIST_ITEM.search(before))


def classify_title(lines: list[str]) -> str | None:
    """Form kind from the first lines' title, tolerant of an OCR slip or two.

    Only a line the title heads counts: a cover letter that names the form
    in a sentence or its list of 附件 is not the form (issue 21), nor is
    anything under a letter's own title, even a form's title that a line
    break left alone on its line.
    """
    best, best_ratio = None, 0.0
    for line in lines[:8]:
        text = _compact(line)
        if _LETTER.match(text):
            break
        summary = text.find("汇总表")
        if summary >= 0 and _heading(text, summary, 3):
            return "summary"
        for kind, title in TITLE_KINDS:
            ratio, start = _best_window(text, title)
            if ratio > best_ratio and _heading(text, start, len(title)):
                best, best_ratio = kind, ratio
    return best if best_ratio >= 0.7 else None


def _label_value(text: str, labels: tuple[str, ...]) -> str | None:
    """The value after one of ``labels`` at the start of ``text`` (one wrong character allowed)."""
    for label in labels:
        head = text[: len(label)]
        if sum(a == b for a, b in zip(head, label)) >= len(label) - 1:
            rest = text[len(label) :]
            if rest.startswith("意见"):
                return None
            rest = re.sub(r"^[（(][^）)]{0,6}[）)]", "", rest)
            rest = rest.lstrip("：:|丨[]【】 ").rstrip("|丨[]【】 ")
            return rest or None
    return None


def parse_fields(lines: list[str]) -> FormFields:
    """Kind, name and unit from lines of a form's top (OCR or a PDF text layer)."""
    fields = FormFields(kind=classify_title(lines))
    for line in lines:
        text = tidy(re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", line.strip()))
        if fields.name is None:
            fields.name = _label_value(text, NAME_LABELS)
        if fields.unit is None:
            fields.unit = _label_value(text, UNIT_LABELS)
    return fields


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
