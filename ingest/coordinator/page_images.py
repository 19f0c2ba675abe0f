"""Scan pages as pictures for a person: rendered from the stored scan file, the seal outlined, cached.

The console's 报送详情 page shows these; any other face (a CLI export, a
report) asks here too, so a page is always rendered the same way, under the
configured [limits] as when it was read, from the stored scan file alone
(never the raw mail), one page at a time.
"""

from __future__ import annotations

import io

from PIL import ImageDraw

from ingest.coordinator.actions import NotFound
from ingest.core.pipeline import Pipeline
from parsers import limits
from parsers.atomic import atomic_write
from parsers.facts import ReadingFailed, SealFinding, UnreadableFile
from parsers.scan import render_page

PAGE_LONG_SIDE = 1400
PAGE_CACHE_VERSION = 2  # bump when the drawing changes
SEAL_COLOUR, UNSURE_COLOUR = (0, 190, 60), (255, 140, 0)


def page_image(pipeline: Pipeline, submission_id: int, material_id: int, index: int) -> bytes:
    """One page of a filed scan as JPEG; NotFound (Chinese) when there is no such page or it cannot be shown."""
    stored = pipeline.db.load(submission_id)
    material = next((m.material for m in stored.materials if m.id == material_id), None) if stored else None
    page = next((p for p in material.scan.pages if p.index == index), None) if material and material.scan else None
    if page is None:
        raise NotFound("没有这一页扫描件。")
    box = "-".join(map(str, page.seal.box or ()))
    cached = pipeline.settings.cache_dir / "pages" / f"{material.sha256}-{index}-{box}-v{PAGE_CACHE_VERSION}.jpg"
    if not cached.exists():
        stored_file = pipeline.files.path(material.sha256)
        if not stored_file.is_file():
            raise NotFound("这份扫描件的文件已不在存放目录中，请下载原始邮件查看。")
        try:
            with limits.reading(pipeline.settings.limits):
                image = outlined_page(material.filename, str(stored_file), index, page.seal)
        except (UnreadableFile, ReadingFailed, OSError, IndexError) as exc:
            raise NotFound(f"这一页扫描件无法显示：{exc}") from exc
        atomic_write(cached, image, durable=False)
    return cached.read_bytes()


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
