"""One page of a scan file read into a ``ScanPage``: form kind, name, unit, seal and how it was stamped.

- Text-layer PDF and OFD pages are read from their text (no OCR); the seal
  is the file's digital signature / OFD electronic seal when there is one,
  else a seal picture on the rendered page or among the embedded pictures
  (``e-seal-image``). Such pages are rendered at 100 dpi for the seal only.
- Image-only pages (scans, photos, OFDs wrapping a scan) are rendered at the
  resolution OCR needs (about 150 dpi for A4), never above the scan's own,
  and the seal found on them is ink on paper (``paper-scan``) — unless the
  file carries a signature, which a scanned page can have too.
- Results of OCR'd pages are cached by the page's pixels (``PageCache``).

Seal boxes are in the page's own pixels for images and in PDF points (1/72
inch, origin top-left, as pdfplumber counts) for PDF and OFD pages.
"""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import asdict

import cv2
import numpy as np
import pypdfium2
from PIL import Image
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from parsers.facts import ReadingFailed, ScanPage, SealFinding, UnreadableFile
from parsers.limits import check_pixels
from parsers.ocr import WORK_LONG_SIDE, PageCache, PageRead, read_page
from parsers.ocr_titles import parse_fields
from parsers.ofd import OfdPage
from parsers.ofd_render import render_page
from parsers.pdf_seal import embedded_seal
from parsers.scan_source import Source, image_page, work_image
from parsers.seal import find_seal, red_mask

SEAL_DPI = 100  # enough for a 4-cm seal; used when the text comes from a text layer
MIN_TEXT_CHARS = 20  # fewer characters than this in a page: treat it as a picture
PENDING = 0.45  # an unsigned signature field: between UNCERTAIN and FOUND, a person looks
MM_TO_PT = 72 / 25.4
# What pdfium, pdfminer and Pillow raise for a damaged page (PIL: OSError "truncated", SyntaxError).
_DAMAGE = (pypdfium2.PdfiumError, PSException, PdfminerException, Image.DecompressionBombError, OSError,
           EOFError, SyntaxError, struct.error, zlib.error)


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


def _where_in_text(row_text: str) -> str:
    return "unit_opinion" if "意见" in row_text or "盖章" in row_text else "elsewhere"


def _pdf_where(page, box: tuple[float, float, float, float]) -> str:
    """In a text-layer page: is the seal (box in points) inside the row labelled 申报单位意见?"""
    x, y, w, h = box
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


def _picture_seal(rgb: np.ndarray, dpi: float) -> SealFinding:
    """A seal picture on a rendered electronic page, box in points."""
    seal = find_seal(rgb)
    seal.box = _scaled_box(seal.box, 72 / dpi)
    if seal.box:
        seal.method = "e-seal-image"
    return seal


# ---------------------------------------------------------------- PDF


def _signature_seal(src: Source, index: int, page) -> SealFinding | None:
    """The file's digital signature as this page's seal (it covers every page), or an unsigned field."""
    signatures = src.signatures()
    if signatures.signed:
        boxes = signatures.boxes.get(index)
        box = _scaled_box(boxes[0], 1) if boxes else None
        return SealFinding(found=True, confidence=1.0, box=box, where=_pdf_where(page, box) if box else None,
                           method="digital-signature")
    if signatures.pending:
        return SealFinding(found=False, confidence=PENDING, method="digital-signature")
    return None


def _text_page_seal(src: Source, index: int, page) -> SealFinding:
    """Signature first; then a seal picture on the rendered page, or among the placed pictures."""
    signed = _signature_seal(src, index, page)
    if signed and signed.found:
        return signed
    seal = _picture_seal(np.asarray(_draw(src, index, page, SEAL_DPI).convert("RGB")), SEAL_DPI)
    if not seal.found and page.images:
        embedded = embedded_seal(src.pdfium(), index)
        if embedded and embedded[0].confidence > seal.confidence:
            seal = embedded[0]
            seal.box, seal.method = _scaled_box(embedded[1], 1), "e-seal-image"
    if seal.found and seal.box:
        seal.where = _pdf_where(page, seal.box)
    if signed and signed.confidence > seal.confidence:
        return signed
    return seal


def _draw(src: Source, index: int, page, dpi: float):
    """The page as a picture at `dpi`, once its size in pixels is known to be within the limit."""
    check_pixels(page.width * dpi / 72, page.height * dpi / 72, f"扫描件《{src.filename}》第{index + 1}页")
    return page.to_image(resolution=dpi).original


def pdf_page(src: Source, index: int, cache: PageCache) -> tuple[ScanPage, bool]:
    """Text-layer pages are read from their text; pictures (or turned text that names no form) by OCR."""
    page = src.pdf.pages[index]
    text = page.extract_text() or ""
    if len("".join(text.split())) >= MIN_TEXT_CHARS:
        fields = parse_fields(text.splitlines()[:40])
        if fields.kind or (not _is_scanned(page) and not page.rotation):
            seal = _text_page_seal(src, index, page)
            kind = fields.kind or ("other" if len(page.rects) + len(page.lines) < 3 else None)
            return ScanPage(index, kind, fields.name, fields.unit, seal, 0.0, text,
                            exported=not _is_scanned(page)), False
    dpi = _render_dpi(page)
    rgb, scale = work_image(_draw(src, index, page, dpi))
    result, cached = analyse(rgb, index, cache, 72 / (dpi * scale))
    signed = _signature_seal(src, index, page)
    if signed and signed.confidence > result.seal.confidence:
        result.seal = signed
    return result, cached


# ---------------------------------------------------------------- OFD


def _ofd_seal(src: Source, page: OfdPage) -> SealFinding | None:
    """The OFD's electronic seal: signed, it covers every page; its stamp box is on its own page."""
    if not src.ofd.signed:
        return None
    if not page.stamps or page.stamps[0] is None:
        return SealFinding(found=True, confidence=1.0, method="ofd-seal")
    box = page.stamps[0]
    where = _where_in_text(page.labels_near(box)) if page.texts else None
    return SealFinding(found=True, confidence=1.0, box=_scaled_box(box, MM_TO_PT), where=where, method="ofd-seal")


def _draw_ofd(src: Source, index: int, page: OfdPage, dpi: float):
    """An OFD page (sized in millimetres) as a picture at `dpi`, within the pixel limit."""
    check_pixels(page.width * dpi / 25.4, page.height * dpi / 25.4, f"扫描件《{src.filename}》第{index + 1}页")
    return render_page(page, dpi)


def ofd_page(src: Source, index: int, cache: PageCache) -> tuple[ScanPage, bool]:
    """An OFD page from its text; a page of pictures only is rendered and read by OCR."""
    page = src.ofd.pages[index]
    text = page.text()
    signed = _ofd_seal(src, page)
    if len("".join(text.split())) >= MIN_TEXT_CHARS:
        fields = parse_fields(page.lines()[:40])
        seal = signed or _picture_seal(np.asarray(_draw_ofd(src, index, page, SEAL_DPI)), SEAL_DPI)
        if seal.found and seal.box and seal.where is None:
            x, y, w, h = (v / MM_TO_PT for v in seal.box)
            seal.where = _where_in_text(page.labels_near((x, y, w, h)))
        kind = fields.kind or ("other" if page.paths < 3 else None)
        return ScanPage(index, kind, fields.name, fields.unit, seal, 0.0, text, exported=True), False
    dpi = WORK_LONG_SIDE / (max(page.width, page.height) / 25.4)
    rgb, scale = work_image(_draw_ofd(src, index, page, dpi))
    result, cached = analyse(rgb, index, cache, 72 / (dpi * scale))
    if signed:
        result.seal = signed
    return result, cached


# ---------------------------------------------------------------- pictures


def ocr_grey(rgb: np.ndarray) -> np.ndarray:
    """The page in grey for OCR, red ink (the seal, red letterheads) turned to paper.

    Luminance, not the red channel: JPEG and HEIC keep colour at half
    resolution, so the red channel of a phone photo blurs the strokes of
    dense characters (曙 read as 归). Where red ink crosses black text the
    mix is dark and unsaturated, so the text under a seal survives.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    grey[red_mask(rgb, 60) > 0] = 255
    return grey


def analyse(rgb: np.ndarray, index: int, cache: PageCache, to_source: float) -> tuple[ScanPage, bool]:
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
    read = read_page(ocr_grey(rgb), seal.box if seal.confidence else None)
    kind = read.fields.kind or (None if read.has_table else "other")
    if seal.box:
        seal.where = _where(read)
        seal.box = _scaled_box(seal.box, to_source)
        seal.method = "paper-scan"
    result = ScanPage(index, kind, read.fields.name, read.fields.unit, seal, 0.0, read.text)
    stored = asdict(result)
    for volatile in ("index", "ocr_seconds"):
        stored.pop(volatile)
    cache.put(key, stored)
    return result, False


def read_one(src: Source, index: int, cache: PageCache) -> ScanPage:
    """One page; ``ocr_seconds`` is its wall time to read (render, seal, OCR), 0 from cache.

    Damage the libraries report while drawing the page is the file's
    (UnreadableFile, told to the submitter); anything else that goes wrong
    is ours (ReadingFailed, for the coordinator) — a bug of ours must never
    come back to a unit as "please rescan".
    """
    start = time.perf_counter()
    try:
        page, cached = _read(src, index, cache)
    except (UnreadableFile, ReadingFailed):
        raise
    except _DAMAGE as exc:
        if isinstance(exc, (FileNotFoundError, PermissionError)):  # our disk, not their file
            raise ReadingFailed(f"读取扫描件《{src.filename}》第{index + 1}页时出错：{exc}") from exc
        raise UnreadableFile(f"扫描件《{src.filename}》第{index + 1}页已损坏，无法读取，请重新扫描该页后发送。") from exc
    except Exception as exc:
        raise ReadingFailed(f"读取扫描件《{src.filename}》第{index + 1}页时程序出错（{type(exc).__name__}：{exc}）") from exc
    page.ocr_seconds = 0.0 if cached else round(time.perf_counter() - start, 3)
    return page


def _read(src: Source, index: int, cache: PageCache) -> tuple[ScanPage, bool]:
    if src.is_pdf:
        return pdf_page(src, index, cache)
    if src.is_ofd:
        return ofd_page(src, index, cache)
    rgb, scale = image_page(src, index)
    return analyse(rgb, index, cache, 1 / scale)
