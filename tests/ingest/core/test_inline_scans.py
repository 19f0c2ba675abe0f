"""Stamped scans pasted into the body (issue 21): Foxmail and QQ Mail put them inline, with no file name.

The unit did everything right: the Word forms are attached and the stamped
scans are in the mail, only shown in the body instead of attached. That is
a complete submission; the signature logo next to them is no material.
"""

from __future__ import annotations

import io
import random
from datetime import datetime

import pytest
from PIL import Image

from ingest.core.classify import read_material
from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.paper import to_jpeg
from ingest.samples.scans import render_form_page
from parsers.facts import Attachment

UNIT = "杭州市西湖区社区学院"
NAMES = ["“银龄触网”智能手机应用进社区", "“银发数字课堂”进社区"]
HTML = "<p>老师您好：</p><p>我单位两份申报表见附件，盖章扫描件如下：</p>"


@pytest.fixture(scope="module")
def forms():
    return [(f"{UNIT}+案例{i + 1}.docx", build_case_form(name=name, unit=UNIT)) for i, name in enumerate(NAMES)]


@pytest.fixture(scope="module")
def scans():
    return [(None, to_jpeg(render_form_page("case", name, UNIT, skew=0.5), 80)) for name in NAMES]


def _logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _mail(forms, inline) -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+2个", html=HTML, attachments=forms, inline=inline,
                               date=datetime(2022, 4, 20, 10, 30, tzinfo=CST)))


def test_scans_pasted_into_the_body_next_to_the_word_forms_are_accepted(settings, forms, scans):
    outcome = Pipeline(settings).process(_mail(forms, scans), "inbox/inline.eml")
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    pasted = [m for m in outcome.submission.materials if m.filename.startswith("正文图片")]
    assert [(m.filename, m.kind) for m in pasted] == [("正文图片1.jpg", "scan"), ("正文图片2.jpg", "scan")]
    assert sorted(p for m in pasted for p in m.paired_with) == [f"{UNIT}+案例1.docx", f"{UNIT}+案例2.docx"]
    assert not outcome.defects, "a name we gave a pasted picture is no naming warning to the unit"


def test_a_signature_logo_beside_the_pasted_scans_is_not_a_material(settings, forms, scans):
    outcome = Pipeline(settings).process(_mail(forms, [(None, _logo()), *scans]), "inbox/inline-logo.eml")
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert sorted(m.filename for m in outcome.submission.materials) == [
        f"{UNIT}+案例1.docx", f"{UNIT}+案例2.docx", "正文图片1.jpg", "正文图片2.jpg"]


def test_spam_with_a_big_picture_in_the_body_and_no_keyword_is_ignored_unanswered(settings, scans):
    settings.coordinators = []
    raw = build_mail(MailSpec(subject="投资黄金，稳赚不赔", html="<p>立即咨询</p>", inline=[scans[0]],
                              sender=("财富顾问", "vip@invest.example")))
    outcome = Pipeline(settings).process(raw, "inbox/spam.eml")
    assert outcome.status == "ignored"
    assert list(settings.outbox_dir.glob("*.eml")) == []


def test_a_picture_in_the_body_that_is_no_scan_is_neither_a_photo_nor_a_complaint():
    """Under a notice that judges photos (size, count), a pasted preview must not draw PHOTO_TOO_SMALL."""
    rng = random.Random(7)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1200, 900), rng.randbytes(1200 * 900 * 3)).save(buffer, "JPEG", quality=60)
    photo = Attachment("正文图片1.jpg", "image/jpeg", buffer.getvalue(), origin="body")
    assert read_material(photo).kind == "other"
    broken = Attachment("正文图片2.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 30_000, origin="body")
    assert read_material(broken).unreadable is None
    attached = Attachment("活动照片1.jpg", "image/jpeg", buffer.getvalue())
    assert read_material(attached).kind == "photo", "an attached photo is still a photo"
