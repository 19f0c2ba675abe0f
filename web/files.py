"""Files out of the console: the workbook, the raw mail, each attachment, and scan pages with the seal outlined.

Everything is looked up by id in the store, never by a path from the
request. Mail files are always downloads (`Content-Disposition: attachment`,
`application/octet-stream`, a cleaned name) so a hostile HTML or SVG file is
never opened by the browser; only page images we render ourselves are shown.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from PIL import ImageDraw
from starlette.requests import Request
from starlette.responses import Response

from ingest import coordinator
from parsers import limits
from parsers.facts import ReadingFailed, SealFinding, UnreadableFile
from parsers.scan import render_page
from rules import clock
from parsers.atomic import atomic_write

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_LONG_SIDE = 1400
PAGE_CACHE_VERSION = 2  # bump when the drawing changes
SEAL_COLOUR, UNSURE_COLOUR = (0, 190, 60), (255, 140, 0)


def safe_name(name: str, fallback: str) -> str:
    """A file name fit for a download: no folders, no control or quoting characters, not too long."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[\\/:*?"<>|;]', "_", base).strip(" .")
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:110] + dot + ext[:9]) if dot and len(ext) <= 9 else base[:120]
    return base or fallback


def download(data: bytes, name: str, fallback: str, media_type: str = "application/octet-stream") -> Response:
    """`Content-Disposition: attachment` with an ASCII fallback name and the real one (RFC 6266 / 5987)."""
    name = safe_name(name, fallback)
    ascii_name = name if name.isascii() else fallback
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def _missing(request: Request, console, exc: Exception) -> Response:
    return console.refuse(request, 404, str(exc))


def workbook(request: Request, console) -> Response:
    data, _ = coordinator.export(console.pipeline)
    day = clock.today(console.settings.campaign.zone).isoformat()
    return download(data, f"信息汇总表-{day}.xlsx", f"workbook-{day}.xlsx", XLSX)


def raw_mail(request: Request, console) -> Response:
    sid = request.path_params["sid"]
    try:
        data = coordinator.raw_mail(console.pipeline, sid)
    except (coordinator.NotFound, FileNotFoundError) as exc:
        return _missing(request, console, exc)
    return download(data, f"来信-{sid}.eml", f"mail-{sid}.eml")


def attachment(request: Request, console) -> Response:
    sid, mid = request.path_params["sid"], request.path_params["mid"]
    try:
        name, data = coordinator.attachment(console.pipeline, sid, mid)
    except (coordinator.NotFound, FileNotFoundError) as exc:
        return _missing(request, console, exc)
    suffix = PurePosixPath(safe_name(name, "x")).suffix.encode("ascii", "ignore").decode()
    return download(data, name, f"attachment-{sid}-{mid}{suffix}")


def page_image(request: Request, console) -> Response:
    """One scan page as JPEG, its seal (or what may be one) outlined; rendered once, then cached.

    Only the stored scan file is opened (never the raw mail), only the page
    asked for is rendered, under the configured [limits] as when it was read.
    """
    sid, mid, index = (request.path_params[k] for k in ("sid", "mid", "page"))
    stored = console.db.load(sid)
    material = next((m.material for m in stored.materials if m.id == mid), None) if stored else None
    page = next((p for p in material.scan.pages if p.index == index), None) if material and material.scan else None
    if page is None:
        return console.refuse(request, 404, "没有这一页扫描件。")
    box = "-".join(map(str, page.seal.box or ()))
    cached = console.settings.cache_dir / "pages" / f"{material.sha256}-{index}-{box}-v{PAGE_CACHE_VERSION}.jpg"
    stored_file = console.pipeline.files.path(material.sha256)
    if not cached.exists():
        if not stored_file.is_file():
            return console.refuse(request, 404, "这份扫描件的文件已不在存放目录中，请下载原始邮件查看。")
        try:
            with limits.reading(console.settings.limits):
                image = outlined_page(material.filename, str(stored_file), index, page.seal)
        except (UnreadableFile, ReadingFailed, OSError, IndexError) as exc:
            return console.refuse(request, 404, f"这一页扫描件无法显示：{exc}")
        atomic_write(cached, image, durable=False)
    return Response(cached.read_bytes(), media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


def outlined_page(filename: str, data: bytes | str, index: int, seal: SealFinding) -> bytes:
    """The page as the scan reader sees it, with a frame round the seal: green when found, orange when unsure."""
    image, factor = render_page(filename, data, index, PAGE_LONG_SIDE)
    if seal.box:
        x, y, w, h = (v * factor for v in seal.box)
        pad, width = max(6, w * 0.08), max(4, round(max(image.size) / 300))
        ImageDraw.Draw(image).rectangle((x - pad, y - pad, x + w + pad, y + h + pad), outline=SEAL_COLOUR
                                        if seal.found else UNSURE_COLOUR, width=width)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
