"""Stamped scans (盖章扫描件): every page of PDFs, OFDs and pictures, read for form and seal.

A scan arrives as a PDF (image-only from a scanner, with a text layer when
exported from Word or OCR'd by the scanner, e-sealed or digitally signed),
as an OFD from an e-document system, as JPG/PNG/BMP/HEIC photos — phone
photos of the sheet on a desk included — or as a multi-page TIFF. Each page
is reduced to a ``ScanPage`` (``parsers.scan_page``): which form it is, the
form's name and unit, whether a seal is on it, where, and how it was stamped.

Pages of several pages or files are read in worker processes (pdfium is not
thread-safe), one page at a time per worker, so memory stays bounded.

``form_kind`` of a page: "case"/"project"/"course"/"summary" from its title,
"other" for a page with neither a title nor a table (a letter, a photo), and
None for a page that continues a form — a table without a title, such as
page 2 of a long case form. Pairing attaches such pages to the form before.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import cv2
from PIL import Image

from parsers import limits
from parsers.facts import ReadingFailed, ScanPage, ScanReading, UnreadableFile
from parsers.limits import ReadingLimits
from parsers.ocr import PageCache
from parsers.scan_page import read_one
from parsers.ofd_render import render_page as render_ofd_page
from parsers.scan_source import SCAN_EXTENSIONS, Source, image_page, scan_extension

log = logging.getLogger(__name__)

__all__ = ["SCAN_EXTENSIONS", "read_scan", "read_scans", "render_page"]
OFD_VIEW_DPI = 150


def render_page(filename: str, data: bytes, index: int, long_side: int = 1400) -> tuple[Image.Image, float]:
    """Page ``index`` of a scan as the reader saw it (RGB), and the factor from seal-box units to its pixels.

    For showing a page with its seal outlined: boxes are in points for PDFs
    and OFDs and in the page's own pixels (a straightened photo's sheet at
    work size) for images, as the reader records them.
    """
    src = Source(filename, data)
    try:
        if src.is_pdf:
            page = src.pdf.pages[index]
            dpi = long_side / (max(page.width, page.height) / 72)
            return page.to_image(resolution=dpi).original.convert("RGB"), dpi / 72
        if src.is_ofd:
            return render_ofd_page(src.ofd.pages[index], OFD_VIEW_DPI).convert("RGB"), OFD_VIEW_DPI / 72
        rgb, scale = image_page(src, index)  # boxes are in the page's pixels: work pixels / scale
        image = Image.fromarray(rgb).convert("RGB")
        factor = long_side / max(image.size)
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        return image.resize(size, Image.LANCZOS), factor * scale
    finally:
        src.close()


# ---------------------------------------------------------------- workers

_open: dict[str, Source] = {}


def _worker_page(task: tuple[str, str, int, str | None, ReadingLimits]) -> ScanPage | str:
    """Read one page in a worker; keeps the current file open between its pages.

    A damaged page comes back as the submitter's reason (a string); our own
    failure comes back as ReadingFailed, raised in the parent by the pool.
    """
    filename, path, index, cache_dir, reading_limits = task
    limits.use(reading_limits)
    try:
        if path not in _open:
            for old in _open.values():
                old.close()
            _open.clear()
            _open[path] = Source(filename, path)
        return read_one(_open[path], index, PageCache(cache_dir))
    except UnreadableFile as exc:  # a bad page must not take the other pages down
        log.warning("page %d of %s unreadable: %s", index + 1, filename, exc)
        return str(exc)
    except ReadingFailed:
        raise
    except Exception as exc:  # opening the spooled copy failed: ours
        raise ReadingFailed(f"读取扫描件《{filename}》时程序出错（{type(exc).__name__}：{exc}）") from exc


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes from a fork server: forking a process that has pdfium loaded is unsafe."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["parsers.scan"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker)


def _init_worker() -> None:
    """One thread per worker: the workers already fill the cores."""
    cv2.setNumThreads(1)


def _collect(results: list[ScanPage | str], count: int = 0) -> ScanReading:
    """Pages read, the reasons (deduplicated) for pages that could not be, and the pages left unread."""
    pages = [r for r in results if isinstance(r, ScanPage)]
    errors = list(dict.fromkeys(r for r in results if isinstance(r, str)))
    count = max(count, len(results))
    return ScanReading(pages=pages, error="；".join(errors[:3]) if errors else None,
                       page_count=count, unread_pages=count - len(results))


def _charged(result: ScanPage | str) -> ScanPage | str:
    """Count a page's reading time against the message's OCR allowance."""
    if isinstance(result, ScanPage):
        limits.charge_ocr(result.ocr_seconds)
    return result


def _read_inline(filename: str, data: bytes, cache: PageCache) -> ScanReading:
    src = Source(filename, data)
    try:
        results = []
        for i in range(min(src.count, limits.current().max_pages)):
            try:
                results.append(_charged(read_one(src, i, cache)))
            except UnreadableFile as exc:  # reported to the submitter; the other pages are still read
                log.warning("page %d of %s unreadable: %s", i + 1, filename, exc)
                results.append(str(exc))
        return _collect(results, src.count)
    finally:
        src.close()


def read_scans(
    files: list[tuple[str, bytes]], cache_dir: Path | None = None, workers: int | None = None
) -> list[ScanReading]:
    """Read several scan files, their pages spread over worker processes.

    One message often carries a scan per page ("one JPG per page"); reading
    them together keeps every core busy. A file that cannot be read gets
    ``error`` set and the others are still read; only the first
    ``[limits] max_pages`` pages of a file are read. Our own failures
    (ReadingFailed, OverBudget) are raised, never turned into a reason for the unit.
    """
    workers = workers or os.cpu_count() or 1
    readings: list[ScanReading | None] = [None] * len(files)
    tasks, spooled, counts = [], [], {}
    max_pages = limits.current().max_pages
    cache_arg = str(cache_dir) if cache_dir else None
    try:
        for i, (name, data) in enumerate(files):
            ext = scan_extension(name, data)
            if ext not in SCAN_EXTENSIONS:
                readings[i] = ScanReading(error=f"《{name}》不是支持的扫描件格式（PDF、OFD、JPG、PNG、BMP、TIFF、HEIC），"
                                                "请转换后发送。")
                continue
            try:
                src = Source(name, data)
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
            counts[i] = count
            tasks += [(i, (name, path, p, cache_arg, limits.current())) for p in range(min(count, max_pages))]
        if tasks:
            _run_pool(files, tasks, readings, workers, counts)
    finally:
        for path in spooled:
            os.unlink(path)
    return [r or ScanReading(error="扫描件无法读取，请重新扫描后发送。") for r in readings]


def _run_pool(files, tasks, readings, workers, counts) -> None:
    by_file: dict[int, list] = {}
    pool = _pool(min(workers, len(tasks)))
    try:
        for (i, _), result in zip(tasks, pool.map(_worker_page, [t for _, t in tasks])):
            by_file.setdefault(i, []).append(_charged(result))
    except BrokenProcessPool as exc:  # a worker died (killed, out of memory, a crash in a library): ours to see
        names = "、".join(dict.fromkeys(f"《{files[i][0]}》" for i, _ in tasks))
        raise ReadingFailed(f"读取扫描件{names}的进程意外退出（{exc}）") from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # past the budget: the pages not begun are dropped
    for i, results in by_file.items():
        readings[i] = _collect(results, counts[i])


def read_scan(filename: str, data: bytes, cache_dir: Path | None = None, workers: int | None = None) -> ScanReading:
    """Read one scan file (its first ``max_pages`` pages); ``error`` says why a page could not be, in Chinese."""
    return read_scans([(filename, data)], cache_dir, workers)[0]
