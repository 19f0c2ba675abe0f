"""Pictures pasted into a mail's HTML body: a stamped scan, or a logo or an emoji.

Units using Foxmail or QQ Mail often paste their stamped scans into the
body next to the Word attachments (multipart/related, disposition inline, a
`cid:` reference, usually no file name). Such a picture is a candidate scan
like any attachment; a signature logo, a banner or an emoji is not. They are
told apart by what the picture's header says (nothing is decoded): a scan of
a form is hundreds of pixels on its short side and tens of kilobytes; a
logo or emoji is small, a banner is thin, an animation is no scan.
"""

from __future__ import annotations

import io
import mimetypes

ORIGIN = "body"  # Attachment.origin of a picture kept from the body: a file, but alone it makes no submission
MIN_SCAN_BYTES = 20 * 1024
MIN_SCAN_SIDE = 300  # pixels on the short side; a logo is 64–200, a letterhead banner under 200 high
_EXTENSIONS = {"image/jpeg": ".jpg", "image/jpg": ".jpg", "image/pjpeg": ".jpg", "image/png": ".png"}


def may_be_scan(data: bytes) -> bool:
    """Whether a picture shown in the body could be a pasted scan (header only; a bomb is kept for the limits)."""
    from PIL import Image

    if len(data) < MIN_SCAN_BYTES:
        return False
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            animated = getattr(image, "is_animated", False)
    except Image.DecompressionBombError:
        return True  # far too many pixels: kept, so the unit hears of it from the pixel limit
    except Exception:  # noqa: BLE001 - not a picture Pillow can name: not a scan anyone sees in the body either
        return False
    return min(width, height) >= MIN_SCAN_SIDE and not animated


def body_picture_name(content_type: str, index: int) -> str:
    """`正文图片1.jpg`: the name a unit is told for the n-th picture kept from the body."""
    ext = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ".jpg"
    return f"正文图片{index}{ext}"
