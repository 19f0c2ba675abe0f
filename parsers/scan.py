"""Stamped scans (盖章扫描件): pages out of PDFs and images, each read for form and seal.

A scan arrives as a PDF (image-only from a scanner, or with a text layer when
exported from Word or OCR'd by the scanner), as JPG/PNG/BMP photos, or as a
multi-page TIFF. Each page is reduced to a ``ScanPage``: which form it is,
the form's name and unit, whether the red seal is on it and where.

- Text-layer PDF pages are read from their text (no OCR) and only rendered
  at 100 dpi for the seal. Image-only pages are rendered at the resolution
  OCR needs (about 150 dpi for A4), never above the scan's own resolution.
- Images honour EXIF rotation; JPEGs are decoded at reduced size directly.
- Pages of several pages or files are read in worker processes (pdfium is
  not thread-safe), one page at a time per worker, so memory stays bounded.
- Results are cached by the page's pixels (``PageCache``).

``form_kind`` of a page: "case"/"project"/"course"/"summary" from its title,
"other" for a page with neither a title nor a table (a letter, a photo), and
None for a page that continues a form — a table without a title, such as
page 2 of a long case form. Pairing attaches such pages to the form before.

Seal boxes are in the page's own pixels for images and in PDF points (1/72
inch, origin top-left, as pdfplumber counts) for PDF pages.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
from PIL import Image, ImageOps, UnidentifiedImageError

from parsers.facts import ScanPage, ScanReading, SealFinding, UnreadableFile
from parsers.ocr import WORK_LONG_SIDE, PageCache, PageRead, parse_fields, read_page
from parsers.seal import find_seal

log = logging.getLogger(__name__)

SCAN_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"}
SEAL_DPI = 100  # enough for a 4-cm seal; used when the text comes from a text layer
MIN_TEXT_CHARS = 20  # fewer characters than this in a PDF page: treat it as a picture


# ---------------------------------------------------------------- sources


class _Source:
    """An open scan file that hands out pages one at a time."""

    def __init__(self, filename: str, data: bytes | str):
        self.filename = filename
        self.is_pdf = Path(filename).suffix.lower() == ".pdf"
        stream = data if isinstance(data, str) else io.BytesIO(data)
        self.pdf = self.image = None
        if self.is_pdf:
            self.pdf = _open_pdf(filename, stream)
            self.count = len(self.pdf.pages)
        else:
            self.image = _open_image(filename, stream)
            # Only TIFF pages are pages: a phone's MPO JPEG carries a preview frame too.
            self.count = getattr(self.image, "n_frames", 1) if self.image.format == "TIFF" else 1
        if self.count == 0:
            raise UnreadableFile(f"扫描件《{filename}》中没有任何页面，请重新扫描后发送。")

    def close(self) -> None:
        if self.pdf:
            self.pdf.close()
        if self.image:
            self.image.close()


def _open_pdf(filename: str, stream) -> pdfplumber.PDF:
    """Open a PDF, turning pdfminer's many failure types into one clear reason."""
    try:
        pdf = pdfplumber.open(stream)
        _ = pdf.pages
        return pdf
    except Exception as exc:  # pdfminer raises a zoo of types for bad files
        text = f"{exc!r} {exc.__cause__!r} {exc.__context__!r}".lower()
        if "password" in text or "encrypt" in text:
            raise UnreadableFile(
                f"扫描件《{filename}》设有密码保护，无法打开。请取消密码后重新导出PDF并发送。"
            ) from exc
        raise UnreadableFile(
            f"扫描件《{filename}》已损坏或不是有效的PDF文件，无法打开。请重新扫描或导出PDF后发送。"
        ) from exc


def _open_image(filename: str, stream) -> Image.Image:
    try:
        image = Image.open(stream)
        image.size  # noqa: B018 - header read
        return image
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnreadableFile(
            f"扫描件《{filename}》不是可识别的图片或已损坏，无法打开。请重新扫描后以PDF或JPG格式发送。"
        ) from exc


# ---------------------------------------------------------------- one page


def _work_image(image: Image.Image) -> tuple[np.ndarray, float]:
    """RGB pixels with the long side at WORK_LONG_SIDE, and the scale used."""
    scale = WORK_LONG_SIDE / max(image.size)
    if image.mode == "RGBA":
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image)
    rgb = np.asarray(image.convert("RGB"))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=interpolation)
    return np.ascontiguousarray(rgb), scale


def _image_page(src: _Source, index: int) -> tuple[np.ndarray, float]:
    """Frame ``index`` at work size; JPEGs are decoded straight at reduced size."""
    image = src.image
    image.seek(index)
    w, h = image.size
    scale = WORK_LONG_SIDE / max(w, h)
    if image.format in ("JPEG", "MPO") and scale < 1:
        image.draft("RGB", (int(w * scale) + 1, int(h * scale) + 1))
    rgb, _ = _work_image(ImageOps.exif_transpose(image))
    return rgb, scale


def _render_dpi(page) -> float:
    """Resolution for OCR: A4 at ~150 dpi, never above the embedded scan's own."""
    target = WORK_LONG_SIDE / (max(page.width, page.height) / 72)
    native = [
        img["srcsize"][0] / ((img["x1"] - img["x0"]) / 72)
        for img in page.images
        if img.get("srcsize") and img["x1"] - img["x0"] > page.width / 2
    ]
    if native:
        target = min(target, max(native))
    return max(50.0, min(300.0, target))


def _seal_where_text(page, seal: SealFinding, dpi: float) -> str | None:
    """In a text-layer page: is the seal inside the row labelled 申报单位意见?"""
    if not seal.box:
        return None
    x, y, w, h = (v * 72 / dpi for v in seal.box)
    cx, cy = x + w / 2, y + h / 2
    for rect in page.rects:
        if rect["top"] <= cy <= rect["bottom"] and rect["x0"] <= cx <= rect["x1"]:
            row = page.crop((0, rect["top"], page.width, rect["bottom"])).extract_text() or ""
            if "意见" in row:
                return "unit_opinion"
    return "elsewhere"


def _where(read: PageRead) -> str:
    """Where an OCR'd page's seal sits; the last table row is the opinion cell in all three forms."""
    if read.seal_label and ("意见" in read.seal_label or "盖章" in read.seal_label):
        return "unit_opinion"
    if not read.seal_label and read.seal_row_is_last:
        return "unit_opinion"
    return "elsewhere"


def _scaled_box(box, factor: float) -> tuple[int, int, int, int] | None:
    return tuple(round(v * factor) for v in box) if box else None


def _is_scanned(page) -> bool:
    """A page that is mostly one picture: a scan, perhaps with a scanner's OCR text on top."""
    area = page.width * page.height
    return any((i["x1"] - i["x0"]) * (i["bottom"] - i["top"]) > 0.6 * area for i in page.images)


def _pdf_page(src: _Source, index: int, cache: PageCache) -> tuple[ScanPage, bool]:
    """Text-layer pages are read from their text; pictures (or text that names no form) by OCR."""
    page = src.pdf.pages[index]
    text = page.extract_text() or ""
    if len("".join(text.split())) >= MIN_TEXT_CHARS:
        fields = parse_fields(text.splitlines()[:40])
        if fields.kind or not _is_scanned(page):
            rgb = np.asarray(page.to_image(resolution=SEAL_DPI).original.convert("RGB"))
            seal = find_seal(rgb)
            seal.where = _seal_where_text(page, seal, SEAL_DPI) if seal.found else None
            seal.box = _scaled_box(seal.box, 72 / SEAL_DPI)
            kind = fields.kind or ("other" if len(page.rects) + len(page.lines) < 3 else None)
            return ScanPage(index, kind, fields.name, fields.unit, seal, 0.0, text), False
    dpi = _render_dpi(page)
    rgb, scale = _work_image(page.to_image(resolution=dpi).original)
    return _analyse(rgb, index, cache, 72 / (dpi * scale))


def _analyse(rgb: np.ndarray, index: int, cache: PageCache, to_source: float) -> tuple[ScanPage, bool]:
    """Seal and OCR of a page at work scale; ``to_source`` maps work pixels back.

    Returns the page and whether it came from the cache.
    """
    key = PageCache.key(rgb)
    hit = cache.get(key)
    if hit:
        seal = hit.pop("seal")
        seal["box"] = tuple(seal["box"]) if seal["box"] else None
        return ScanPage(index=index, seal=SealFinding(**seal), **hit), True
    seal = find_seal(rgb)
    read = read_page(np.ascontiguousarray(rgb[..., 0]), seal.box if seal.confidence else None)
    kind = read.fields.kind or (None if read.has_table else "other")
    if seal.box:
        seal.where = _where(read)
        seal.box = _scaled_box(seal.box, to_source)
    result = ScanPage(index, kind, read.fields.name, read.fields.unit, seal, 0.0, read.text)
    stored = asdict(result)
    for volatile in ("index", "ocr_seconds"):
        stored.pop(volatile)
    cache.put(key, stored)
    return result, False


def _read_one(src: _Source, index: int, cache: PageCache) -> ScanPage:
    """One page; ``ocr_seconds`` is its wall time to read (render, seal, OCR), 0 from cache."""
    start = time.perf_counter()
    if src.is_pdf:
        page, cached = _pdf_page(src, index, cache)
    else:
        rgb, scale = _image_page(src, index)
        page, cached = _analyse(rgb, index, cache, 1 / scale)
    page.ocr_seconds = 0.0 if cached else round(time.perf_counter() - start, 3)
    return page


def render_page(filename: str, data: bytes, index: int, long_side: int = 1400) -> tuple[Image.Image, float]:
    """Page ``index`` of a scan as an upright-as-sent RGB image, and the factor from seal-box units to its pixels.

    For showing a page with its seal outlined: boxes are in PDF points for
    PDFs and in the (EXIF-turned) image's pixels otherwise, as read above.
    """
    src = _Source(filename, data)
    try:
        if src.is_pdf:
            page = src.pdf.pages[index]
            dpi = long_side / (max(page.width, page.height) / 72)
            return page.to_image(resolution=dpi).original.convert("RGB"), dpi / 72
        src.image.seek(index)
        image = ImageOps.exif_transpose(src.image).convert("RGB")
        factor = min(1.0, long_side / max(image.size))
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        return image.resize(size, Image.LANCZOS), factor
    finally:
        src.close()


# ---------------------------------------------------------------- workers

_open: dict[str, _Source] = {}


def _worker_page(task: tuple[str, str, int, str | None]) -> ScanPage | str:
    """Read one page in a worker; keeps the current file open between its pages."""
    filename, path, index, cache_dir = task
    try:
        if path not in _open:
            for old in _open.values():
                old.close()
            _open.clear()
            _open[path] = _Source(filename, path)
        return _read_one(_open[path], index, PageCache(cache_dir))
    except Exception as exc:  # a bad page must not take the other pages down
        log.warning("page %d of %s unreadable: %s", index + 1, filename, exc)
        return f"扫描件《{filename}》第{index + 1}页无法读取，请重新扫描该页后发送。"


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes from a fork server: forking a process that has pdfium loaded is unsafe."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["parsers.scan"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker)


def _init_worker() -> None:
    """One thread per worker: the workers already fill the cores."""
    cv2.setNumThreads(1)


def _collect(results: list[ScanPage | str]) -> ScanReading:
    """Pages read, and the reasons (deduplicated) for pages that could not be."""
    pages = [r for r in results if isinstance(r, ScanPage)]
    errors = list(dict.fromkeys(r for r in results if isinstance(r, str)))
    return ScanReading(pages=pages, error="；".join(errors[:3]) if errors else None)


def _read_inline(filename: str, data: bytes, cache: PageCache) -> ScanReading:
    src = _Source(filename, data)
    try:
        results = []
        for i in range(src.count):
            try:
                results.append(_read_one(src, i, cache))
            except Exception as exc:  # noqa: BLE001 - reported as a defect, never raised
                log.warning("page %d of %s unreadable: %s", i + 1, filename, exc)
                results.append(f"扫描件《{filename}》第{i + 1}页无法读取，请重新扫描该页后发送。")
        return _collect(results)
    finally:
        src.close()


def read_scans(
    files: list[tuple[str, bytes]], cache_dir: Path | None = None, workers: int | None = None
) -> list[ScanReading]:
    """Read several scan files, their pages spread over worker processes.

    One message often carries a scan per page ("one JPG per page"); reading
    them together keeps every core busy. Never raises: a file that cannot be
    read gets ``error`` set and the others are still read.
    """
    workers = workers or os.cpu_count() or 1
    readings: list[ScanReading | None] = [None] * len(files)
    tasks, spooled = [], []
    cache_arg = str(cache_dir) if cache_dir else None
    try:
        for i, (name, data) in enumerate(files):
            ext = Path(name).suffix.lower()
            if ext not in SCAN_EXTENSIONS:
                readings[i] = ScanReading(error=f"《{name}》不是支持的扫描件格式（PDF、JPG、PNG、BMP、TIFF），"
                                                "请转换后发送。")
                continue
            try:
                src = _Source(name, data)
                count = src.count
                src.close()
            except UnreadableFile as exc:
                readings[i] = ScanReading(error=str(exc))
                continue
            if workers == 1 or (count == 1 and len(files) == 1):
                readings[i] = _read_inline(name, data, PageCache(cache_dir))
                continue
            fd, path = tempfile.mkstemp(suffix=ext, prefix="scan-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            spooled.append(path)
            tasks += [(i, (name, path, p, cache_arg)) for p in range(count)]
        if tasks:
            _run_pool(files, tasks, readings, workers)
    finally:
        for path in spooled:
            os.unlink(path)
    return [r or ScanReading(error="扫描件无法读取，请重新扫描后发送。") for r in readings]


def _run_pool(files, tasks, readings, workers) -> None:
    by_file: dict[int, list] = {}
    try:
        with _pool(min(workers, len(tasks))) as pool:
            for (i, _), result in zip(tasks, pool.map(_worker_page, [t for _, t in tasks])):
                by_file.setdefault(i, []).append(result)
    except BrokenProcessPool:
        log.exception("scan worker died")
        for i, _ in tasks:
            by_file.setdefault(i, []).append(f"扫描件《{files[i][0]}》读取时出错，请重新扫描后发送。")
    for i, results in by_file.items():
        readings[i] = _collect(results)


def read_scan(filename: str, data: bytes, cache_dir: Path | None = None, workers: int | None = None) -> ScanReading:
    """Read every page of one scan file; never raises (``error`` says why, in Chinese)."""
    try:
        return read_scans([(filename, data)], cache_dir, workers)[0]
    except Exception:  # noqa: BLE001 - a scan must never stop the message
        log.exception("reading scan %s failed", filename)
        return ScanReading(error=f"扫描件《{filename}》读取时出错，请重新扫描后以PDF或JPG格式发送。")
