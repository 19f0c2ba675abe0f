"""Stamped scans (盖章扫描件): every page of PDFs, OFDs and pictures, read for form and seal.

A scan arrives as a PDF (image-only from a scanner, with a text layer when
exported from Word or OCR'd by the scanner, e-sealed or digitally signed),
as an OFD from an e-document system, as JPG/PNG/BMP/HEIC photos — phone
photos of the sheet on a desk included — or as a multi-page TIFF. Each page
is reduced to a ``ScanPage`` (``parsers.scan_page``): which form it is, the
form's name and unit, whether a seal is on it, where, and how it was stamped.

Pages of several pages or files are read in worker processes (pdfium is not
thread-safe), one page at a time per worker, so memory stays bounded. PDFs
and OFDs are opened only in workers, each under a memory limit
(``parsers.workers``): a hostile file costs one worker and is reported to
the unit as past the limits, never the service.

``form_kind`` of a page: "case"/"project"/"course"/"summary" from its title,
"other" for a page with neither a title nor a table (a letter, a photo), and
None for a page that continues a form — a table without a title, such as
page 2 of a long case form. Pairing attaches such pages to the form before.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PIL import Image

from parsers import limits
from parsers.facts import ReadingFailed, ScanPage, ScanReading, UnreadableFile
from parsers.limits import ReadingLimits
from parsers.ocr import PageCache
from parsers.scan_page import read_one
from parsers.ofd_render import render_page as render_ofd_page
from parsers.scan_source import SCAN_EXTENSIONS, Source, image_page, scan_extension
from parsers.workers import DIED, alone, over_memory, run, spool

log = logging.getLogger(__name__)

__all__ = ["SCAN_EXTENSIONS", "read_scan", "read_scans", "render_page"]
OFD_VIEW_DPI = 150


def render_page(filename: str, data: bytes | str, index: int, long_side: int = 1400) -> tuple[Image.Image, float]:
    """Page ``index`` of a scan as the reader saw it (RGB), and the factor from seal-box units to its pixels.

    For showing a page with its seal outlined: boxes are in points for PDFs
    and OFDs and in the page's own pixels (a straightened photo's sheet at
    work size) for images, as the reader records them. PDFs and OFDs are
    drawn in a worker, as they are read; raises UnreadableFile.
    """
    ext = scan_extension(filename, data)
    if ext not in CONTAINERS:
        return _render(filename, data, index, long_side)
    path = data if isinstance(data, str) else spool(data, ext)
    try:
        drawn = alone(_render_in_worker, (filename, path, index, long_side, limits.current()))
    finally:
        if path is not data:
            os.unlink(path)
    if isinstance(drawn, tuple):
        return drawn
    raise UnreadableFile(_reason(filename, drawn))


def _render_in_worker(task: tuple[str, str, int, int, ReadingLimits]) -> tuple[Image.Image, float] | str:
    filename, path, index, long_side, reading_limits = task
    return _in_worker(filename, reading_limits, lambda: _render(filename, path, index, long_side))


def _render(filename: str, data: bytes | str, index: int, long_side: int) -> tuple[Image.Image, float]:
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
CONTAINERS = {".pdf", ".ofd"}  # opened only in workers (parsers.workers): their content can claim gigabytes


def _source(filename: str, path: str) -> Source:
    """The file open in this worker; kept open between its pages, the previous one closed."""
    if path not in _open:
        for old in _open.values():
            old.close()
        _open.clear()
        _open[path] = Source(filename, path)
    return _open[path]


def _in_worker(filename: str, reading_limits: ReadingLimits, read):
    """``read()`` in a worker: the file's damage or its bomb as the submitter's reason (a string).

    Out of memory under the worker's limit is the file's doing (nothing we
    read legitimately comes near it); any other failure is ours and comes
    back as ReadingFailed, raised in the parent by the pool.
    """
    limits.use(reading_limits)
    try:
        return read()
    except UnreadableFile as exc:  # a bad page must not take the other pages down
        log.warning("%s unreadable: %s", filename, exc)
        return str(exc)
    except (MemoryError, ReadingFailed) as exc:
        if _out_of_memory(exc):
            log.warning("%s: out of memory under the worker limit", filename)
            return str(over_memory(f"扫描件《{filename}》"))
        raise
    except Exception as exc:  # opening the spooled copy failed: ours
        raise ReadingFailed(f"读取扫描件《{filename}》时程序出错（{type(exc).__name__}：{exc}）") from exc


def _out_of_memory(exc: BaseException | None) -> bool:
    """Whether an exception is, or was caused by, running out of memory (read_one wraps it as ours)."""
    while exc is not None:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__
    return False


def _worker_count(task: tuple[str, str, ReadingLimits]) -> int | str:
    """Open a PDF or OFD in a worker: its page count, or why it cannot be read."""
    filename, path, reading_limits = task
    return _in_worker(filename, reading_limits, lambda: _source(filename, path).count)


def _worker_page(task: tuple[str, str, int, str | None, ReadingLimits]) -> ScanPage | str:
    """Read one page in a worker; a damaged page comes back as the submitter's reason (a string)."""
    filename, path, index, cache_dir, reading_limits = task
    return _in_worker(filename, reading_limits, lambda: read_one(_source(filename, path), index, PageCache(cache_dir)))


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
    them together keeps every core busy. PDFs and OFDs are opened in workers
    only (``parsers.workers``); a single picture, whose pixels are checked
    from its header, may be read here. A file that cannot be read gets
    ``error`` set and the others are still read; only the first
    ``[limits] max_pages`` pages of a file are read. Our own failures
    (ReadingFailed, OverBudget) are raised, never turned into a reason for the unit.
    """
    workers = workers or os.cpu_count() or 1
    readings: list[ScanReading | None] = [None] * len(files)
    spooled: dict[int, str] = {}
    try:
        counts = _open_files(files, readings, spooled, PageCache(cache_dir), workers)
        cache_arg = str(cache_dir) if cache_dir else None
        tasks = [(i, (files[i][0], spooled[i], p, cache_arg, limits.current()))
                 for i, count in counts.items() for p in range(min(count, limits.current().max_pages))]
        if tasks:
            _run_pool(files, tasks, readings, workers, counts)
    finally:
        for path in spooled.values():
            os.unlink(path)
    return [r or ScanReading(error="扫描件无法读取，请重新扫描后发送。") for r in readings]


def _open_files(files, readings, spooled, cache: PageCache, workers: int) -> dict[int, int]:
    """The page count of each file left for the workers (spooled to disk for them); the rest read or refused."""
    counts, containers = {}, []
    for i, (name, data) in enumerate(files):
        ext = scan_extension(name, data)
        if ext not in SCAN_EXTENSIONS:
            readings[i] = ScanReading(error=f"《{name}》不是支持的扫描件格式（PDF、OFD、JPG、PNG、BMP、TIFF、HEIC），"
                                            "请转换后发送。")
        elif ext in CONTAINERS:
            spooled[i] = spool(data, ext)
            containers.append(i)
        else:
            try:
                src = Source(name, data)
                counts[i] = src.count
                src.close()
            except UnreadableFile as exc:
                readings[i] = ScanReading(error=str(exc))
                continue
            if workers == 1 or (counts[i] == 1 and len(files) == 1):
                readings[i] = _read_inline(name, data, cache)
                del counts[i]
            else:
                spooled[i] = spool(data, ext)
    opened = run(_worker_count, [(files[i][0], spooled[i], limits.current()) for i in containers], workers) \
        if containers else []
    for i, count in zip(containers, opened):
        if isinstance(count, int):
            counts[i] = count
        else:
            readings[i] = ScanReading(error=_reason(files[i][0], count))
    return counts


def _reason(filename: str, result) -> str:
    """Why a file could not be read: the reason from its worker, or that its worker died twice (a bomb)."""
    return str(over_memory(f"扫描件《{filename}》")) if result is DIED else result


def _run_pool(files, tasks, readings, workers, counts) -> None:
    """Pages over the workers; a file whose page killed its worker twice is reported, its later pages unread."""
    results = run(_worker_page, [t for _, t in tasks], workers, on_result=_charged, group=lambda task: task[1])
    by_file: dict[int, list] = {i: [] for i, _ in tasks}
    for (i, _), result in zip(tasks, results):
        if result is not DIED:
            by_file[i].append(result)
        elif _reason(files[i][0], DIED) not in by_file[i]:
            by_file[i].append(_reason(files[i][0], DIED))
    for i, results_of_file in by_file.items():
        readings[i] = _collect(results_of_file, counts[i])


def read_scan(filename: str, data: bytes, cache_dir: Path | None = None, workers: int | None = None) -> ScanReading:
    """Read one scan file (its first ``max_pages`` pages); ``error`` says why a page could not be, in Chinese."""
    return read_scans([(filename, data)], cache_dir, workers)[0]
