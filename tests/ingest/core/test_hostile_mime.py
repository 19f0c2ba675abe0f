"""Absurdly nested MIME (issue 20): raw mail through `Pipeline.process` gets an outcome, never a crash."""

from __future__ import annotations

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import MailSpec, build_mail

UNIT = "杭州市西湖区社区学院"
SUBJECT = f"{UNIT}+智慧助老材料+1个"


def _nested(levels: int, inner: str) -> str:
    body = inner
    for i in reversed(range(levels)):
        body = f'Content-Type: multipart/mixed; boundary="n{i}"\r\n\r\n--n{i}\r\n{body}\r\n--n{i}--\r\n'
    return body


def test_two_thousand_nested_multiparts_are_filed_with_an_outcome(settings):
    settings.coordinators = []
    head = build_mail(MailSpec(subject=SUBJECT)).split(b"Content-Type:", 1)[0]
    outcome = Pipeline(settings).process(head + _nested(2000, "Content-Type: text/plain\r\n\r\nhi\r\n").encode(),
                                         "inbox/deep.eml")
    assert outcome.status in ("defective", "ignored"), outcome.note
    stored = outcome.submission.message
    assert stored.sender == "xihu_sqxy@163.com"
    assert any("deeper than 30" in p for p in stored.problems)


def test_a_file_nested_too_deep_is_named_in_the_notice_and_the_rest_is_judged(settings):
    settings.coordinators = []
    case = build_case_form(name="“银龄触网”智能手机应用进社区", unit=UNIT)
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[(f"{UNIT}+案例.docx", case)]))
    deep = _nested(40, "Content-Type: text/plain\r\n\r\nhi\r\n").replace(  # the level cut off is named
        "multipart/mixed; boundary=", 'multipart/mixed; name="course.docx"; boundary=')
    closing = raw.rstrip().rsplit(b"\r\n", 1)[1]  # the last boundary line of the top multipart
    boundary = closing[:-2]
    raw = raw.replace(closing, boundary + b"\r\n" + deep.encode() + b"\r\n" + closing)
    outcome = Pipeline(settings).process(raw, "inbox/deep.eml")
    assert outcome.status == "defective"
    told = [d.message for d in outcome.defects if "course.docx" in d.message]
    assert told and "嵌套超过 30 层" in told[0]
    assert any(m.kind == "case" for m in outcome.submission.materials), "the rest of the mail is judged"
