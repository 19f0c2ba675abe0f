"""`[limits]`: what is past a limit of the file is told to the unit; what is past a limit of ours is not.

Files too large, too many, too many pixels or pages: the unit is told which
file and why, and the rest of the mail is still judged. Tesseract missing,
hung or slow past the message's allowance, or a bug of ours while reading a
scan: the mail is filed as `error` for the coordinator and the unit gets
nothing — never a "please rescan" for our own failure.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytesseract
import pytest
from PIL import Image, ImageDraw

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from tests.support.photos import png_bomb
from ingest.samples.paper import font, scanned, to_jpeg, to_pdf
from ingest.samples.scans import render_form_pages
from parsers.limits import ReadingLimits

UNIT = "沈阳市和平区社区教育学院"
NAME = "“银发数字课堂”进社区"
COORDINATOR = "coordinator@example.org.cn"


def _mail(*attachments: tuple[str, bytes], subject: str = f"{UNIT}+智慧助老材料+1个") -> bytes:
    return build_mail(MailSpec(subject=subject, sender=("和平区社区教育学院", "hpsqjy@163.com"),
                               attachments=list(attachments), date=datetime(2022, 4, 20, 10, 30, tzinfo=CST),
                               message_id="<limits-1@163.com>"))


def _form() -> tuple[str, bytes]:
    return f"{UNIT}+案例.docx", build_case_form(name=NAME, unit=UNIT)


def _scan_jpg() -> tuple[str, bytes]:
    return f"{UNIT}+案例盖章扫描件.jpg", to_jpeg(scanned(render_form_pages("case", NAME, UNIT)[0], skew=0.5), 85)


def _sent(settings) -> dict[str, list[email.message.EmailMessage]]:
    """Mails written to the outbox, by recipient."""
    found: dict[str, list] = {}
    for path in sorted(settings.outbox_dir.glob("*.eml")):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found.setdefault(email.utils.parseaddr(str(mail["To"]))[1], []).append(mail)
    return found


def _body(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def _limited(settings, **values) -> Pipeline:
    settings.limits = ReadingLimits(**values)
    return Pipeline(settings)


@pytest.fixture
def slow_tesseract(tmp_path, monkeypatch):
    """A Tesseract that first sleeps: a hung or overloaded OCR program, really run as a subprocess."""
    def make(seconds: float) -> None:
        script = tmp_path / "tesseract-slow"
        script.write_text(f"#!/bin/sh\nsleep {seconds}\nexec {shutil.which('tesseract')} \"$@\"\n")
        script.chmod(0o755)
        monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(script))
    return make


def _assert_ours(settings, outcome, words: str) -> None:
    """Filed as an error for the coordinator, who is told why; the unit gets no mail at all."""
    assert outcome.status == "error", [d.code for d in outcome.defects]
    assert words in outcome.note
    sent = _sent(settings)
    assert "hpsqjy@163.com" not in " ".join(sent), "the unit must not hear of our failure"
    [note] = sent[COORDINATOR]
    assert words in _body(note) and "这不是报送单位的问题" in _body(note)


def test_missing_tesseract_is_our_error_not_a_rescan_notice(settings, monkeypatch):
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/bin/tesseract")
    outcome = Pipeline(settings).process(_mail(_form(), _scan_jpg()), "inbox/1.eml")
    _assert_ours(settings, outcome, "Tesseract")


@pytest.mark.parametrize("sleep,limit,words", [(5, {"ocr_page_seconds": 1}, "超过 1 秒"),
                                               (1.5, {"message_seconds": 1}, "message_seconds")],
                         ids=["one-page-past-ocr_page_seconds", "message-past-message_seconds"])
def test_a_hung_or_slow_tesseract_past_a_time_limit_is_our_error(settings, slow_tesseract, sleep, limit, words):
    slow_tesseract(sleep)
    outcome = _limited(settings, **limit).process(_mail(_form(), _scan_jpg()), "inbox/1.eml")
    _assert_ours(settings, outcome, words)


def test_scans_past_the_messages_ocr_allowance_are_our_error(settings, slow_tesseract):
    slow_tesseract(0.8)
    second = (f"{UNIT}+案例盖章扫描件2.jpg", to_jpeg(scanned(render_form_pages("case", NAME, UNIT)[0], skew=-0.6), 80))
    outcome = _limited(settings, ocr_message_seconds=1).process(_mail(_form(), _scan_jpg(), second), "inbox/1.eml")
    _assert_ours(settings, outcome, "ocr_message_seconds")


def test_a_bug_while_reading_a_scan_is_our_error(settings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("unsupported operand type(s) for +: 'NoneType' and 'int'")
    monkeypatch.setattr("parsers.scan_page.find_seal", broken)
    outcome = Pipeline(settings).process(_mail(_form(), _scan_jpg()), "inbox/1.eml")
    _assert_ours(settings, outcome, "TypeError")


def test_a_retried_error_is_judged_once_fixed(settings, monkeypatch):
    """The raw mail of an OCR failure is kept: once Tesseract works, reprocessing judges and answers it."""
    from ingest.coordinator import actions as coordinator

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/bin/tesseract")
    pipeline = Pipeline(settings)
    outcome = pipeline.process(_mail(_form(), _scan_jpg()), "inbox/1.eml")
    assert outcome.status == "error"
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "tesseract")
    again = coordinator.reprocess(pipeline, outcome.submission_id)
    assert again.stored.status == "accepted", [d.message for d in again.stored.defects]
    coordinator.reprocess(pipeline, outcome.submission_id)  # a second re-run answers nobody again
    [receipt] = _sent(settings)["hpsqjy@163.com"]
    assert NAME in _body(receipt)


def test_reprocessing_that_fails_again_keeps_the_verdict_and_says_why(settings, monkeypatch):
    from ingest.coordinator import actions as coordinator

    pipeline = Pipeline(settings)
    outcome = pipeline.process(_mail(_form(), _scan_jpg()), "inbox/1.eml")
    assert outcome.status == "accepted"
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/bin/tesseract")
    shutil.rmtree(settings.cache_dir, ignore_errors=True)  # the scan is read afresh, not from the page cache
    done = coordinator.reprocess(pipeline, outcome.submission_id)
    assert "Tesseract" in done.error and done.stored.status == "accepted"


def test_an_attachment_past_the_size_limit_is_named_and_the_rest_judged(settings):
    video = (f"{UNIT}+课程视频.mp4", os.urandom(3 * 1024 * 1024))
    outcome = _limited(settings, max_attachment_mb=2).process(_mail(_form(), _scan_jpg(), video), "inbox/1.eml")
    [defect] = [d for d in outcome.defects if d.code == "ATTACHMENT_UNREADABLE"]
    assert defect.where == video[0] and "超过系统可审阅的 2 MB" in defect.message
    kinds = sorted(m.kind for m in outcome.submission.materials if not m.unreadable)
    assert kinds == ["case", "scan"], "the form and its scan are still judged"
    [reply] = _sent(settings)["hpsqjy@163.com"]
    assert "超过系统可审阅的 2 MB" in _body(reply) and "百度网盘" in _body(reply)


def test_a_message_past_the_size_limit_has_every_file_named_unread(settings):
    raw = _mail(_form(), _scan_jpg(), (f"{UNIT}+课程视频.mp4", os.urandom(2 * 1024 * 1024)))
    outcome = _limited(settings, max_message_mb=1).process(raw, "inbox/1.eml")
    unread = [d for d in outcome.defects if d.code == "ATTACHMENT_UNREADABLE"]
    assert len(unread) == 3 and all("整封邮件约" in d.message and "超过系统可审阅的 1 MB" in d.message for d in unread)
    assert outcome.status == "defective"
    [reply] = _sent(settings)["hpsqjy@163.com"]
    assert "分几封邮件发送" in _body(reply)


def test_files_past_the_count_limit_are_named(settings):
    photos = [(f"{UNIT}+活动照片{i}.jpg", to_jpeg(Image.new("RGB", (640, 480), (200, 180 + i, 160)), 80))
              for i in range(3)]
    outcome = _limited(settings, max_attachments=3).process(_mail(_form(), _scan_jpg(), *photos), "inbox/1.eml")
    unread = [d for d in outcome.defects if d.code == "ATTACHMENT_UNREADABLE"]
    assert [d.where for d in unread] == [photos[1][0], photos[2][0]]
    assert all("超过 3 个" in d.message for d in unread)


@pytest.mark.parametrize("width,height", [(30000, 30000), (12000, 13000)], ids=["past-pillows-guard", "past-ours"])
def test_a_picture_past_the_pixel_limit_is_named_without_decoding_it(settings, width, height):
    bomb = (f"{UNIT}+案例盖章扫描件.png", png_bomb(width, height))
    outcome = Pipeline(settings).process(_mail(_form(), bomb), "inbox/1.eml")
    [defect] = [d for d in outcome.defects if d.code == "ATTACHMENT_UNREADABLE"]
    assert defect.where == bomb[0] and "超过系统可审阅的 150 百万像素" in defect.message
    assert width * height > 2 * Image.MAX_IMAGE_PIXELS or f"{width}×{height}" in defect.message
    assert outcome.status == "defective"
    assert any(m.form is not None for m in outcome.submission.materials), "the Word form is still judged"


def _appendix_page(title: str) -> Image.Image:
    page = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(page).text((150, 200), title, fill="black", font=font(48))
    return scanned(page, skew=0.3)


def test_pages_past_the_page_limit_are_left_unread_with_a_warning(settings):
    pages = [scanned(render_form_pages("case", NAME, UNIT)[0], skew=0.5)]
    pages += [_appendix_page(f"附件：活动照片（{i}）") for i in range(1, 4)]
    scan = (f"{UNIT}+案例盖章扫描件.pdf", to_pdf(pages))
    outcome = _limited(settings, max_pages=2).process(_mail(_form(), scan), "inbox/1.eml")
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    [material] = [m for m in outcome.submission.materials if m.kind == "scan"]
    assert (len(material.scan.pages), material.scan.unread_pages) == (2, 2)
    [warning] = [d for d in outcome.defects if d.code == "ATTACHMENT_UNREADABLE"]
    assert warning.severity == "warning" and "共 4 页" in warning.message and "前 2 页" in warning.message


def test_limits_are_read_from_the_configuration(tmp_path):
    from ingest.config.settings import ConfigError, load_settings

    path = tmp_path / "intake.toml"
    path.write_text("[limits]\nmax_pages = 8\nocr_page_seconds = 20\n", "utf-8")
    limits = load_settings(path).limits
    assert (limits.max_pages, limits.ocr_page_seconds, limits.max_attachment_mb) == (8, 20, 100)
    path.write_text("[limits]\nmax_page = 8\n", "utf-8")
    with pytest.raises(ConfigError, match="max_page"):
        load_settings(path)
    path.write_text("[limits]\nmax_pages = 0\n", "utf-8")
    with pytest.raises(ConfigError, match="正整数"):
        load_settings(path)
    path.write_text("[limits]\nworker_memory_mb = 512\n", "utf-8")  # a worker needs ~550 MB just to start
    with pytest.raises(ConfigError, match="worker_memory_mb 不能低于 1024"):
        load_settings(path)


def test_the_default_limits_are_the_documented_ones():
    """default.toml and ReadingLimits agree, so the file a coordinator copies says what the program does."""
    import tomllib
    from importlib import resources

    documented = tomllib.loads(resources.files("ingest.config").joinpath("default.toml").read_text("utf-8"))["limits"]
    assert documented == {key: getattr(ReadingLimits(), key) for key in ReadingLimits.keys()}
    assert Path(resources.files("ingest.config").joinpath("default.toml")).exists()
