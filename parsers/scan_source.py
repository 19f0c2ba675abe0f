"""Open scan files and hand out their pages as pixels: PDF, OFD, JPG/PNG/BMP/TIFF, HEIC/HEIF.

Images honour their EXIF orientation (a phone held sideways stores its
pixels sideways); iPhone HEIC/HEIF photos are decoded by pillow-heif; a phone
photo of the paper form is found on the desk and straightened
(``parsers.photo``) before anything reads it. JPEGs are decoded at reduced
size directly.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
from PIL import Image, ImageOps, UnidentifiedImageError

from parsers import limits
from parsers.facts import UnreadableFile
from parsers.limits import ReadingLimits, check_pixels, too_many_pixels
from parsers.ocr import WORK_LONG_SIDE
from parsers.ofd import OfdDocument, read_ofd
from parsers.pdf_seal import Signatures, find_signatures
from parsers.photo import straighten
from parsers.sniff import content_extension

try:  # iPhone photos; without pillow-heif a HEIC file is reported unreadable, never a crash
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pillow_heif = None

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".heic", ".heif"}
SCAN_EXTENSIONS = {".pdf", ".ofd"} | IMAGE_EXTENSIONS


def scan_extension(filename: str, data: bytes | str) -> str:
    """What the scan is by its content (bytes or a spooled path); the name is only a hint."""
    if isinstance(data, str):
        with open(data, "rb") as fh:
            data = fh.read(4096)
    return content_extension(data, filename)


class Source:
    """An open scan file that hands out pages one at a time."""

    def __init__(self, filename: str, data: bytes | str):
        self.filename, self.data = filename, data
        self._signatures: Signatures | None = None
        self._pdfium = None
        suffix = scan_extension(filename, data)  # by content: a PDF sent as `申报表` is still a PDF
        self.is_pdf, self.is_ofd = suffix == ".pdf", suffix == ".ofd"
        stream = data if isinstance(data, str) else io.BytesIO(data)
        self.pdf: pdfplumber.PDF | None = None
        self.image: Image.Image | None = None
        self.ofd: OfdDocument | None = None
        if self.is_pdf:
            self.pdf = _open_pdf(filename, stream)
            self.count = len(self.pdf.pages)
        elif self.is_ofd:
            self.ofd = read_ofd(filename, Path(data).read_bytes() if isinstance(data, str) else data)
            self.count = len(self.ofd.pages)
        else:
            self.image = _open_image(filename, stream)
            # Only TIFF pages are pages: a phone's MPO JPEG carries a preview frame too.
            self.count = getattr(self.image, "n_frames", 1) if self.image.format == "TIFF" else 1
        if self.count == 0:
            raise UnreadableFile(f"扫描件《{filename}》中没有任何页面，请重新扫描后发送。")

    def signatures(self) -> Signatures:
        """The PDF's signature fields, read once per file."""
        if self._signatures is None:
            self._signatures = find_signatures(self.pdf)
        return self._signatures

    def pdfium(self):
        """The PDF opened in pdfium too, for its placed pictures; once per file."""
        if self._pdfium is None:
            import pypdfium2

            self._pdfium = pypdfium2.PdfDocument(self.data)
        return self._pdfium

    def close(self) -> None:
        if self._pdfium is not None:
            self._pdfium.close()
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
    except Image.DecompressionBombError as exc:  # Pillow's own guard, past twice its default of 89 megapixels
        raise too_many_pixels(f"扫描件《{filename}》") from exc
    except (UnidentifiedImageError, OSError, ValueError, RuntimeError, SyntaxError) as exc:
        # pillow-heif raises ValueError/RuntimeError for a damaged HEIC
        raise UnreadableFile(
            f"扫描件《{filename}》不是可识别的图片或已损坏，无法打开。请重新扫描后以PDF或JPG格式发送。"
        ) from exc
    check_pixels(*image.size, f"扫描件《{filename}》")  # from the header, before any pixel is decoded
    return image


def work_image(image: Image.Image) -> tuple[np.ndarray, float]:
    """RGB pixels with the long side at WORK_LONG_SIDE, and the scale used."""
    scale = WORK_LONG_SIDE / max(image.size)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image)
    rgb = np.asarray(image.convert("RGB"))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=interpolation)
    return np.ascontiguousarray(rgb), scale


def image_page(src: Source, index: int) -> tuple[np.ndarray, float]:
    """Frame ``index`` at work size and the scale from the file's pixels to it.

    A phone photo is straightened from its decoded pixels (not from the
    work-size copy: the sheet fills only part of the photo and would lose
    resolution twice). A straightened sheet has its own pixels, not the
    photo's: its scale is 1, and seal boxes are in the sheet at work size.
    """
    image = src.image
    image.seek(index)
    w, h = image.size
    scale = WORK_LONG_SIDE / max(w, h)
    if image.format in ("JPEG", "MPO") and scale < 0.5:
        image.draft("RGB", (int(w * 2 * scale) + 1, int(h * 2 * scale) + 1))  # enough for the sheet in it
    elif scale < 0.5:
        image = _reduced(image, int(0.5 / scale))
    upright = ImageOps.exif_transpose(image)
    decoded = np.asarray(upright.convert("RGB")) if upright.mode in ("RGB", "L", "1", "CMYK", "YCbCr") else None
    sheet = straighten(decoded, WORK_LONG_SIDE) if decoded is not None else None
    if sheet is not None:
        return sheet, 1.0
    rgb, _ = work_image(upright)
    return rgb, scale


def _reduced(image: Image.Image, factor: int) -> Image.Image:
    """A large picture kept at about twice the work size once decoded, its EXIF orientation kept.

    Pictures up to ``max_image_megapixels`` are allowed; turned to RGB and
    straightened at full size, 100 megapixels took over 1.5 GB. Reduced
    first, the copies after it are small.
    """
    exif = image.getexif()
    if image.mode in ("1", "I;16", "I;16B", "I;16L"):
        image = image.convert("L")
    elif image.mode not in ("L", "LA", "RGB", "RGBA", "CMYK", "I", "F"):
        image = image.convert("RGBA")  # palette pictures, with or without transparency
    reduced = image.reduce(factor)
    if exif:
        reduced.info["exif"] = exif.tobytes()
    return reduced


def electronic_signature(filename: str, data: bytes) -> bool:
    """Whether a PDF or OFD carries a signed electronic seal, judged as the scan reader judges it.

    A signed `/Sig` field for a PDF (`pdf_seal.find_signatures`), a signature
    with its signed value for an OFD (`ofd.read_ofd`). The file is opened in
    a worker (`parsers.workers`), as for reading its pages; a file that
    cannot be opened, or whose opening kills the worker, carries none.
    """
    from parsers.workers import alone, spool

    path = spool(data, scan_extension(filename, data))
    try:
        return alone(_signed_in_worker, (filename, path, limits.current())) is True
    finally:
        os.unlink(path)


def _signed_in_worker(task: tuple[str, str, ReadingLimits]) -> bool:
    filename, path, reading_limits = task
    limits.use(reading_limits)
    try:
        src = Source(filename, path)
    except (UnreadableFile, MemoryError):
        return False
    try:
        if src.is_pdf:
            return src.signatures().signed
        return bool(src.is_ofd and src.ofd.signed)
    except MemoryError:
        return False
    finally:
        src.close()
