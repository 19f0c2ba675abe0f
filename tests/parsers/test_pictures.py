"""Pictures in the HTML body: a pasted scan is a file to judge; a logo, a banner or an emoji is not."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from ingest.samples.mails import MailSpec, build_mail
from parsers.email import parse_message

SUBJECT = "杭州市西湖区社区学院+智慧助老材料+1个"


def picture(width: int, height: int, fmt: str = "JPEG", frames: int = 1) -> bytes:
    """Noise, so that it does not compress below the size a real photo or scan has."""
    rng = random.Random(width * height)
    images = [Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
              for _ in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, fmt, save_all=frames > 1, append_images=images[1:])
    return buffer.getvalue()


def _files(inline) -> list[str]:
    raw = build_mail(MailSpec(subject=SUBJECT, html="<p>请查收</p>", inline=inline,
                              attachments=[("西湖区+案例.docx", b"PK\x03\x04")]))
    return [a.filename for a in parse_message(raw).attachments]


def test_pasted_scans_are_kept_under_numbered_names_and_their_own_names():
    inline = [(None, picture(620, 877)), ("扫描全能王 2022-04-20.jpg", picture(877, 620)), (None, picture(700, 990, "PNG"))]
    assert _files(inline) == ["正文图片1.jpg", "扫描全能王 2022-04-20.jpg", "正文图片3.png", "西湖区+案例.docx"]


@pytest.mark.parametrize("label,data", [
    ("64×64 logo", picture(64, 64, "PNG")),
    ("letterhead banner, 900×160, over 20 KB", picture(900, 160)),
    ("small but large-dimension picture under 20 KB", Image.new("RGB", (800, 800), "white")),
    ("animated emoji", picture(320, 320, "GIF", frames=3)),
    ("not a picture at all", b"\xff\xd8" + b"\x00" * 30_000),
])
def test_logos_banners_emoji_and_unreadable_body_pictures_are_not_files(label, data):
    if isinstance(data, Image.Image):
        buffer = io.BytesIO()
        data.save(buffer, "JPEG")
        data = buffer.getvalue()
    assert _files([(None, data)]) == ["西湖区+案例.docx"], label
