"""报送详情 from the filed facts: the raw mail is never parsed again for a page view, and a scan page is
rendered from the stored scan file alone, under the configured [limits]."""

from __future__ import annotations

import shutil
import tracemalloc
from dataclasses import replace

import pytest

from tests.web.client import login as _login
from web import detail
from web.app import create_app

BODY_02 = "老师您好，附件是我们的培训项目申报表，请查收。"


@pytest.fixture
def never_parsed(monkeypatch):
    """Any parse of a whole mail fails the test."""
    def refuse(*args, **kwargs):
        pytest.fail("the console parsed a whole raw mail")

    for where in ("parsers.email.parse_message", "ingest.coordinator.actions.parse_message"):
        monkeypatch.setattr(where, refuse)
    monkeypatch.setattr("web.detail.parse_message", refuse, raising=False)


@pytest.fixture(scope="module")
def app(collection):
    return create_app(collection.settings)


def _scan_page(app, sid: int) -> tuple[int, int]:
    stored = app.state.console.db.load(sid)
    scan = next(m for m in stored.materials if m.material.scan and m.material.scan.pages)
    return scan.id, scan.material.scan.pages[0].index


def test_a_detail_view_shows_the_mails_text_without_parsing_the_mail(app, collection, never_parsed):
    page = _login(app).get(f"/submissions/{collection.ids['02-鄞州区-缺扫描件.eml']}")
    assert page.status_code == 200
    assert BODY_02 in page.text and "培训项目" in page.text


def test_a_detail_view_shows_the_filed_facts_when_the_raw_mail_is_gone(app, collection, never_parsed):
    sid = collection.ids["03-鹿城区-链接无提取码.eml"]
    stored = app.state.console.db.load(sid)
    app.state.console.pipeline.files.path(stored.raw_sha256).unlink()
    page = _login(app).get(f"/submissions/{sid}")
    assert page.status_code == 200
    assert detail.RAW_GONE in page.text
    assert "pan.baidu.com" in page.text and stored.defects[0].message in page.text
    assert all(m.material.filename in page.text for m in stored.materials)
    mid, index = _scan_page(app, sid)  # the scan page is drawn from the stored scan file alone
    shutil.rmtree(collection.settings.cache_dir / "pages", ignore_errors=True)
    image = _login(app).get(f"/submissions/{sid}/files/{mid}/pages/{index}.jpg")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"


def test_a_scan_page_is_rendered_under_the_configured_limits(collection, never_parsed):
    settings = collection.settings
    small = create_app(replace(settings, limits=replace(settings.limits, max_image_megapixels=1)))
    sid = collection.ids["03-鹿城区-链接无提取码.eml"]
    mid, index = _scan_page(small, sid)
    shutil.rmtree(settings.cache_dir / "pages", ignore_errors=True)
    answer = _login(small).get(f"/submissions/{sid}/files/{mid}/pages/{index}.jpg")
    assert answer.status_code == 404 and "1 百万像素" in answer.text


def test_mail_text_reads_only_the_head_of_a_huge_mail(tmp_path):
    raw = tmp_path / "big.eml"
    head = ("Subject: test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + BODY_02 + "\r\n--b\r\n"
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode()
    with open(raw, "wb") as handle:
        handle.write(head)
        for _ in range(40):  # 40 MB of attachment after the text
            handle.write((b"QUFB" * 19 + b"\r\n") * 13000)
    tracemalloc.start()
    text, html = detail.mail_text(raw)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert text.strip() == BODY_02 and html == ""
    assert peak < 20 * 1024 * 1024, peak  # the mail is 40 MB; only its first 1 MB is read (about 10 MB parsed)
