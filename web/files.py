"""Files out of the console: the workbook, the raw mail, each attachment, and scan pages with the seal outlined.

Everything is looked up by id in the store, never by a path from the
request. Mail files are always downloads (`Content-Disposition: attachment`,
`application/octet-stream`, a cleaned name) so a hostile HTML or SVG file is
never opened by the browser; only page images we render ourselves are shown.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ingest.coordinator import actions as coordinator
from ingest.coordinator import page_images
from rules import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    """One scan page as JPEG, its seal (or what may be one) outlined (ingest.coordinator.page_images)."""
    sid, mid, index = (request.path_params[k] for k in ("sid", "mid", "page"))
    try:
        image = page_images.page_image(console.pipeline, sid, mid, index)
    except coordinator.NotFound as exc:
        return console.refuse(request, 404, str(exc))
    return Response(image, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})
