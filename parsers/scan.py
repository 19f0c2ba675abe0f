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

from parsers.facts import ScanPage, ScanReading, UnreadableFile
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


def _worker_page(task: tuple[str, str, int, str | None]) -> ScanPage | str:
    """Read one page in a worker; keeps the current file open between its pages."""
    filename, path, index, cache_dir = task
    try:
        if path not in _open:
            for old in _open.values():
                old.close()
            _open.clear()
            _open[path] = Source(filename, path)
        return read_one(_open[path], index, PageCache(cache_dir))
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
    src = Source(filename, data)
    try:
        results = []
        for i in range(src.count):
            try:
                results.append(read_one(src, i, cache))
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
