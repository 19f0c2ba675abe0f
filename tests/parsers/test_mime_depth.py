"""MIME nesting is bounded before the parser recurses: deep parts become one unreadable part, never a crash."""

from __future__ import annotations

import email

import pytest

from ingest.samples.mails import MailSpec, build_mail
from parsers.email import parse_message
from parsers.mime_depth import MAX_DEPTH, TOO_DEEP, bound_depth

HEAD = "From: =?gbk?B?zfXAz8qm?= <xihu_sqxy@163.com>\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
TEXT = "Content-Type: text/plain; charset=utf-8\r\n\r\n附件请查收\r\n"
WORD = ('Content-Type: application/msword; name="deep.doc"\r\nContent-Disposition: attachment; filename="deep.doc"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n0M8R4KGxGuE=\r\n")


def multiparts(levels: int, inner: str = TEXT) -> bytes:
    body = inner
    for i in reversed(range(levels)):
        body = f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n{body}\r\n--b{i}--\r\n'
    return (HEAD + body).encode()


def messages(levels: int) -> bytes:
    body = TEXT
    for _ in range(levels):
        body = f"Content-Type: message/rfc822\r\n\r\nSubject: fwd\r\n{body}"
    return (HEAD + body).encode()


def digests(levels: int) -> bytes:
    """multipart/digest, whose parts are message/rfc822 without saying so."""
    body = TEXT
    for i in reversed(range(levels)):
        body = f'Content-Type: multipart/digest; boundary="d{i}"\r\n\r\n--d{i}\r\n\r\n{body}\r\n--d{i}--\r\n'
    return (HEAD + body).encode()


def _depth(part, level: int = 0) -> int:
    inner = part.get_payload() if part.is_multipart() else []
    return max([level, *(_depth(p, level + 1) for p in inner)])


@pytest.mark.parametrize("build", [multiparts, messages, digests])
def test_two_thousand_nested_levels_parse_into_a_note_for_the_coordinator(build):
    message = parse_message(build(2000))
    assert message.sender == "xihu_sqxy@163.com"
    assert message.attachments == [] and "附件请查收" not in message.text
    assert any(f"deeper than {MAX_DEPTH}" in p for p in message.problems)


@pytest.mark.parametrize("build", [multiparts, messages, digests])
def test_the_parser_never_sees_more_than_the_bound(build):
    assert _depth(email.message_from_bytes(bound_depth(build(2000)))) <= MAX_DEPTH + 1


def test_a_named_attachment_nested_too_deep_is_told_to_the_unit_by_name():
    named = multiparts(MAX_DEPTH + 5).replace(b'multipart/mixed; boundary="b30"',
                                              b'multipart/mixed; name="deep.zip"; boundary="b30"')
    [attachment] = parse_message(named).attachments
    assert attachment.filename == "deep.zip" and f"嵌套超过 {MAX_DEPTH} 层" in attachment.problem


def test_forwards_of_forwards_a_dozen_levels_deep_are_read_whole():
    """The old walk stopped silently after five levels: a forward of a forward lost its files."""
    message = parse_message(multiparts(12, WORD))
    assert [(a.filename, a.problem) for a in message.attachments] == [("deep.doc", None)]
    assert message.problems == []


def test_ordinary_mail_passes_through_byte_for_byte():
    raw = build_mail(MailSpec(subject="杭州市西湖区社区学院+智慧助老材料+1个", html="<p>请查收</p>",
                              attachments=[("案例.docx", b"PK\x03\x04")]))
    assert bound_depth(raw) is raw
    assert bound_depth(raw, max_depth=1) != raw and bound_depth(raw, max_depth=100) == raw
    assert TOO_DEEP.encode() in bound_depth(raw, max_depth=0)
