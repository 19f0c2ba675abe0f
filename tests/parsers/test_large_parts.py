"""Big attachments are decoded straight from the raw bytes, with the same result as the MIME parser's."""

from __future__ import annotations

import email
import os

from ingest.samples.forms import build_case_form
from ingest.samples.mails import MailSpec, build_mail
from parsers import large_parts
from parsers.email import parse_message

UNIT = "辽阳市社区学院"
VIDEO = os.urandom(6 * 1024 * 1024)  # above the set-aside size, in a message above the big-message size
FORM = build_case_form(unit=UNIT)


def _stdlib_attachments(raw: bytes) -> dict[str, bytes]:
    """What the standard library alone decodes, for comparison."""
    root = email.message_from_bytes(raw)
    return {part.get_filename(): part.get_payload(decode=True) for part in root.walk() if part.get_filename()}


def test_a_big_attachment_is_set_aside_and_decoded_to_the_same_bytes():
    raw = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个",
                              attachments=[(f"{UNIT}+案例.docx", FORM), ("课程视频.mp4", VIDEO)]))
    stripped, spans = large_parts.set_aside(raw)
    assert len(spans) == 1 and len(stripped) < len(raw) // 4
    message = parse_message(raw)
    got = {a.filename: a.data for a in message.attachments}
    assert got == _stdlib_attachments(raw) == {f"{UNIT}+案例.docx": FORM, "课程视频.mp4": VIDEO}
    assert "请查收" in message.text


def test_a_forwarded_message_with_a_big_attachment_is_decoded_too():
    inner = build_mail(MailSpec(subject="转发：课程视频", attachments=[("课程视频.mp4", VIDEO)]))
    raw = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", forwarded=[inner],
                              attachments=[(f"{UNIT}+案例.docx", FORM)]))
    assert large_parts.set_aside(raw)[1]
    got = {a.filename: a.data for a in parse_message(raw).attachments}
    assert got["课程视频.mp4"] == VIDEO and got[f"{UNIT}+案例.docx"] == FORM


def test_a_big_base64_text_body_reads_as_text():
    text = "各位老师：附件是我单位报送的智慧助老材料。" * 60000  # about 2.5 MB of UTF-8
    raw = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", body=text, charset="utf-8",
                              attachments=[("课程视频.mp4", VIDEO)]))
    assert len(large_parts.set_aside(raw)[1]) == 2
    assert parse_message(raw).text.strip() == text.strip()


def test_ordinary_messages_are_parsed_exactly_as_they_are():
    raw = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", attachments=[(f"{UNIT}+案例.docx", FORM)]))
    stripped, spans = large_parts.set_aside(raw)
    assert stripped is raw and spans == []
