"""One raw message in, a judged and filed submission and one reply out."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.cli.main import main
from ingest.core.pipeline import Pipeline
from ingest.samples import demo
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail

UNIT = "杭州市西湖区社区学院"
JSON_KEYS = {"message_id", "source", "status", "unit", "declared_count", "batch", "materials", "links", "defects"}


@pytest.fixture(scope="module")
def clean_raw() -> bytes:
    return demo.clean_submission()


def _replies(settings):
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(settings.outbox_dir.glob("*.eml"))]


def test_clean_submission_is_accepted_filed_and_receipted(settings, clean_raw):
    pipeline = Pipeline(settings)
    outcome = pipeline.process(clean_raw, "inbox/1.eml")
    assert outcome.status == "accepted", [d.message for d in outcome.defects]
    assert (outcome.submission.subject.unit, outcome.submission.batch) == (UNIT, "第一批")
    kinds = sorted(m.kind for m in outcome.submission.materials)
    assert kinds == ["case", "scan"]
    record = pipeline.db.submission(outcome.submission_id)
    assert record.status == "accepted" and record.unit == UNIT
    [reply] = _replies(settings)
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["In-Reply-To"] == "<demo-xihu-1@163.com>"
    assert reply["Subject"].startswith("Re:") and UNIT in reply["Subject"]
    assert "“银龄触网”智能手机应用进社区" in reply.get_body(("plain",)).get_content()


def test_raw_message_is_stored_before_parsing_even_when_it_is_garbage(settings):
    pipeline = Pipeline(settings)
    raw = b"\x00\xff\xfe not a mail at all \x81\x82"
    outcome = pipeline.process(raw, "inbox/garbage.eml")
    assert outcome.status in ("ignored", "defective", "error")
    stored = pipeline.files.path(hashlib.sha256(raw).hexdigest())  # found by its hash, not stored again here
    assert stored.read_bytes() == raw
    [record] = pipeline.db.load_all()
    assert record.raw_sha256 == hashlib.sha256(raw).hexdigest()


def test_reingesting_the_same_message_is_a_duplicate_and_sends_no_second_reply(settings, clean_raw):
    pipeline = Pipeline(settings)
    first = pipeline.process(clean_raw, "a.eml")
    again = pipeline.process(clean_raw, "a-again.eml")
    assert (first.status, again.status) == ("accepted", "duplicate")
    assert len(_replies(settings)) == 1
    assert len(pipeline.db.load_all()) == 1


def test_corrected_resubmission_supersedes_the_earlier_one(settings):
    pipeline = Pipeline(settings)
    first = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", message_id="<v1@163.com>",
                                attachments=[(f"{UNIT}+案例.docx", build_case_form(contact_phone="12345"))]))
    second = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", message_id="<v2@163.com>",
                                 date=datetime(2022, 4, 22, 9, 0, tzinfo=CST),
                                 attachments=[(f"{UNIT}+案例.docx", build_case_form())]))
    a = pipeline.process(first, "1.eml")
    b = pipeline.process(second, "2.eml")
    assert "PHONE_INVALID" in [d.code for d in a.defects]
    assert pipeline.db.submission(a.submission_id).superseded_by == b.submission_id
    assert len(_replies(settings)) == 2


def test_auto_reply_is_ignored_and_never_answered(settings):
    outcome = Pipeline(settings).process(demo.out_of_office(), "ooo.eml")
    assert outcome.status == "ignored"
    assert _replies(settings) == []


def test_bounce_is_ignored(settings):
    raw = build_mail(MailSpec(subject="系统退信", sender=("", "MAILER-DAEMON@163.com"),
                              body="很抱歉，您的邮件无法送达。",
                              extra_headers={"X-Failed-Recipients": "nobody@example.cn"}))
    assert Pipeline(settings).process(raw, "bounce.eml").status == "ignored"
    assert _replies(settings) == []


def test_mail_without_keyword_or_attachments_is_not_a_submission(settings):
    raw = build_mail(MailSpec(subject="请问征集通知的截止时间是哪天？", body="老师好，想确认一下截止时间。"))
    assert Pipeline(settings).process(raw, "question.eml").status == "ignored"


def test_defect_notice_lists_every_problem(settings):
    outcome = Pipeline(settings).process(demo.missing_scan_bad_phone(), "yz.eml")
    codes = {d.code for d in outcome.defects}
    assert outcome.status == "defective"
    assert {"SCAN_MISSING", "PHONE_INVALID", "COUNT_MISMATCH"} <= codes
    [reply] = _replies(settings)
    body = reply.get_body(("plain",)).get_content()
    assert all(d.message in body for d in outcome.defects if d.severity == "error")


def test_cli_ingest_json_prints_one_object_per_message_and_nothing_else(settings, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "1.eml").write_bytes(demo.missing_scan_bad_phone())
    (inbox / "2.eml").write_bytes(demo.out_of_office())
    (inbox / "3.eml").write_bytes(demo.missing_scan_bad_phone())
    (inbox / "notes.txt").write_text("not a mail")
    result = CliRunner().invoke(main, ["ingest", str(inbox), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}",
                                       "--outbox", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["defective", "ignored", "duplicate"]
    assert all(JSON_KEYS <= set(r) for r in rows)
    first = rows[0]
    assert first["unit"] == "宁波市鄞州区社区学院" and first["declared_count"] == 2
    [form] = first["materials"]
    assert form["kind"] == "project" and form["title"] == "“数字银龄”老年人智能技术培训"
    assert all({"code", "severity", "message", "where"} == set(d) for d in first["defects"])


def test_code_in_the_body_completes_a_link_hidden_behind_words_in_the_form():
    from ingest.core.steps import collect_links
    from parsers.facts import MailMessage, Material
    message = MailMessage(message_id="<x@163.com>", text="课程视频见申报表中的链接，提取码：x7k2")
    form = Material(kind="course", filename="鹿城区+课程资源.docx", sha256="", size=0, text="视频链接：点击查看",
                    hyperlinks=["https://pan.baidu.com/s/1Xk9fRt2LmQpZ7vWcYb3NaH"])
    [link] = collect_links(message, [form])
    assert (link.code, link.found_in) == ("x7k2", "鹿城区+课程资源.docx")


def test_a_thank_you_answer_to_our_receipt_is_not_judged_again(settings, clean_raw):
    pipeline = Pipeline(settings)
    pipeline.process(clean_raw, "1.eml")
    [receipt] = _replies(settings)
    answer = build_mail(MailSpec(subject=f"回复：{receipt['Subject']}", body="收到，谢谢老师！",
                                 extra_headers={"In-Reply-To": receipt["Message-ID"],
                                                "References": f"<demo-xihu-1@163.com> {receipt['Message-ID']}"}))
    outcome = pipeline.process(answer, "2.eml")
    assert outcome.status == "ignored" and "回信" in outcome.note
    assert len(_replies(settings)) == 1


def test_a_form_sent_without_file_extension_is_still_read_as_a_form():
    from ingest.core.classify import read_material
    from parsers.facts import Attachment
    material = read_material(Attachment("西湖区社区学院案例申报表", "application/octet-stream", build_case_form()))
    assert material.kind == "case" and material.title == "“银龄触网”智能手机应用进社区"


def test_an_internal_failure_is_filed_for_the_coordinator_in_words_and_nothing_goes_to_the_unit(settings, clean_raw):
    settings.templates_dir = settings.data_dir / "没有这个模板文件夹"
    outcome = Pipeline(settings).process(clean_raw, "inbox/1.eml")
    assert outcome.status == "error" and "找不到回复模板文件夹" in outcome.note
    [note] = _replies(settings)
    assert note["To"] == "coordinator@example.org.cn" and "需人工处理" in note["Subject"]
    body = note.get_body(("plain",)).get_content()
    assert f"intake show {outcome.submission_id}" in body and "这不是报送单位的问题" in body
    assert "FileNotFoundError" not in body.split("技术细节")[0]


def test_a_line_feed_smuggled_into_the_subject_is_answered_on_one_line(settings):
    subject = f"{UNIT}+智慧助老材料+1个"
    raw = build_mail(MailSpec(subject=subject, attachments=[(f"{UNIT}+案例.docx", build_case_form(unit=UNIT))]))
    raw = raw.replace(b"Subject: ", b"Subject: =?utf-8?b?5rWL6K+VCg0K?= ", 1)  # "测试\n\r\n" in an encoded word
    outcome = Pipeline(settings).process(raw, "inbox/lf.eml")
    assert outcome.status == "defective"
    [reply] = _replies(settings)
    assert reply["Subject"] == f"Re: 测试 {subject}"


def test_process_never_raises_even_when_telling_the_coordinators_fails_too(settings, clean_raw, monkeypatch):
    import ingest.core.pipeline

    def broken(*_args, **_kwargs):
        raise RuntimeError("模拟的内部错误")

    monkeypatch.setattr(ingest.core.pipeline, "classify", broken)
    monkeypatch.setattr(ingest.core.pipeline, "compose_coordinator_note", broken)
    outcome = Pipeline(settings).process(clean_raw, "inbox/1.eml")
    assert outcome.status == "error" and "模拟的内部错误" in outcome.note
    assert _replies(settings) == []  # nothing to the unit
    assert [s.status for s in Pipeline(settings).db.load_all()] == ["error"]


@pytest.mark.parametrize("name", ["../../../../tmp/intake-escape.docx", "/etc/cron.d/intake.docx",
                                  "C:\\Windows\\System32\\案例.docx", "案例\x00.docx", "CON.docx", "..\\..\\案例.docx"])
def test_a_hostile_attachment_name_never_writes_outside_the_store_and_is_kept_as_data(settings, tmp_path, name):
    raw = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", filename_style="utf8-raw",
                              attachments=[(name, build_case_form(unit=UNIT))]))
    before = {p for p in Path("/tmp").iterdir()} | {p for p in Path("/etc/cron.d").glob("*")}
    outcome = Pipeline(settings).process(raw, "inbox/hostile.eml")
    assert outcome.status in ("accepted", "defective")
    after = {p for p in Path("/tmp").iterdir()} | {p for p in Path("/etc/cron.d").glob("*")}
    assert not any("intake-escape" in p.name or p.name == "intake.docx" for p in after - before)
    [material] = outcome.submission.materials
    assert material.kind == "case"  # read by its content, whatever it is called
    stored = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    assert all(len(p.name) == 64 or p.suffix in (".json", ".sqlite") for p in stored if "files" in p.parts)
