"""Receipts and defect notices, read back the way a mail client reads them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.utils import parseaddr, parsedate_to_datetime

import pytest

from notifier.outbox import write_outbox
from notifier.notices import compose_coordinator_note
from notifier.recipients import ignored_reply_to, reply_address
from notifier.reply import ReplyIdentity, compose_reply, reply_subject
from parsers.facts import (
    ApplicationForm,
    Defect,
    MailMessage,
    Material,
    ScanPage,
    ScanReading,
    SealFinding,
    ShareLink,
    SubjectInfo,
    Submission,
)
from rules.campaign import Batch, Campaign
from rules.units import roster_from_config

CST = timezone(timedelta(hours=8))
NOW = datetime(2024, 5, 20, 11, 0, tzinfo=CST)
UNIT = "杭州市西湖区社区学院"
CASE_TITLE = "“银龄触网”智能手机应用进社区"
COURSE_TITLE = "老年人智能手机入门十二讲"
CAMPAIGN = Campaign(batches=[
    Batch("第一批", datetime(2024, 5, 31, 17, 0, tzinfo=CST)),
    Batch("第二批", datetime(2024, 6, 28, 17, 0, tzinfo=CST)),
])


def original_mail(reply_to: str = "", subject: str = f"{UNIT}+智慧助老材料+2") -> MailMessage:
    return MailMessage(
        message_id="<tencent_5F1C0B2A8E@qq.com>",
        subject=subject,
        sender="1783529044@qq.com",
        sender_name="王芳",
        reply_to=reply_to,
        date=datetime(2024, 5, 20, 10, 30, tzinfo=CST),
        text="老师您好：附件是我单位的智慧助老材料，请查收。",
        headers={
            "message-id": "<tencent_5F1C0B2A8E@qq.com>",
            "references": "<notice-2024-05@example.org.cn> <tencent_47AA01@qq.com>",
            "in-reply-to": "<tencent_47AA01@qq.com>",
        },
    )


def submission(message: MailMessage | None = None, batch: str | None = "第一批") -> Submission:
    case = ApplicationForm(kind="case", title=CASE_TITLE, unit=UNIT,
                           fields={"案例名称": CASE_TITLE, "申报单位": UNIT, "负责人": "陈建国"})
    course = ApplicationForm(kind="course", title=COURSE_TITLE, unit=UNIT,
                             fields={"课程名称": COURSE_TITLE, "申报单位": UNIT})
    scan = ScanReading(pages=[ScanPage(index=0, form_kind="case", name=CASE_TITLE, unit=UNIT,
                                       seal=SealFinding(found=True, confidence=0.93, where="unit_opinion"))])
    message = message or original_mail()
    return Submission(
        message=message,
        subject=SubjectInfo(raw=message.subject, unit=UNIT, keyword_found=True, declared_count=2),
        materials=[
            Material(kind="case", filename="附件2：典型工作案例申报表.docx", sha256="a1", size=48_213, form=case),
            Material(kind="course", filename="附件4：典型课程资源申报表.docx", sha256="b2", size=39_877, form=course),
            Material(kind="scan", filename="案例申报表盖章扫描件.pdf", sha256="c3", size=812_004, scan=scan),
        ],
        links=[ShareLink(provider="baidu", url="https://pan.baidu.com/s/1kVbR3x9QmZ2Lw7pTq",
                         code="m4k8", share_id="kVbR3x9QmZ2Lw7pTq", needs_code=True)],
        batch=batch,
    )


WARNING = Defect("ATTACHMENT_NAME", "warning",
                 "附件“案例申报表盖章扫描件.pdf”的名称没有写明单位和材料名称，建议改为“杭州市西湖区社区学院-案例名称-盖章扫描件.pdf”。",
                 "案例申报表盖章扫描件.pdf")
ERRORS = [
    Defect("SCAN_MISSING", "error",
           "《典型课程资源申报表》（老年人智能手机入门十二讲）缺少盖章扫描件，请在“申报单位意见”栏加盖公章后扫描为PDF，与Word版一并发送。",
           "附件4：典型课程资源申报表.docx"),
    Defect("FIELD_MISSING", "error",
           "《典型课程资源申报表》中“联系电话”一栏为空，请填写负责人的手机号码或带区号的座机号码。",
           "联系电话"),
]


def read_back(msg, tmp_path):
    """Write through the outbox and parse the .eml as a mail client would."""
    path = write_outbox(msg, tmp_path)
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def bodies(parsed) -> tuple[str, str]:
    return parsed.get_body(("plain",)).get_content(), parsed.get_body(("html",)).get_content()


def test_receipt_threads_under_the_original_and_marks_itself_automatic(tmp_path):
    msg = compose_reply(submission(), "accepted", [], ReplyIdentity(), now=NOW)
    parsed = read_back(msg, tmp_path)
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["X-Auto-Response-Suppress"] == "All"
    assert parsed["In-Reply-To"] == "<tencent_5F1C0B2A8E@qq.com>"
    assert parsed["References"].split() == [
        "<notice-2024-05@example.org.cn>", "<tencent_47AA01@qq.com>", "<tencent_5F1C0B2A8E@qq.com>"]
    assert parsed["Message-ID"].endswith("@example.org.cn>")
    assert parsedate_to_datetime(parsed["Date"]) == NOW
    assert parsed.get_content_type() == "multipart/alternative"


def test_reply_shows_the_working_group_as_sender(tmp_path):
    parsed = read_back(compose_reply(submission(), "accepted", [], ReplyIdentity(), now=NOW), tmp_path)
    assert parsed["From"].addresses[0].display_name == "智慧助老材料征集工作组"
    assert parsed["From"].addresses[0].addr_spec == "zhzl@example.org.cn"


def _recipients(sub: Submission, tmp_path, campaign: Campaign | None = None) -> list[str]:
    parsed = read_back(compose_reply(sub, "accepted", [], ReplyIdentity(), now=NOW, campaign=campaign), tmp_path)
    return [a.addr_spec for a in parsed["To"].addresses]


def _from_unit(sender: str, reply_to: str) -> Submission:
    message = original_mail(reply_to=reply_to)
    message.sender = sender
    sub = submission(message)
    sub.unit = UNIT
    return sub


@pytest.mark.parametrize("reply_to", ["victim@third.example", "xhsqxy_office@126.com", "someone.else@qq.com"])
def test_a_reply_to_outside_the_senders_domain_and_the_roster_is_not_followed(tmp_path, reply_to):
    sub = _from_unit("1783529044@qq.com", f"某某 <{reply_to}>")
    assert _recipients(sub, tmp_path, CAMPAIGN) == ["1783529044@qq.com"]
    note = ignored_reply_to(sub, CAMPAIGN)
    assert note == f"未按回复地址 {reply_to} 回复：该地址不属于发件人所在域或名册"


@pytest.mark.parametrize("reply_to", ["office@xihu.edu.cn", "li.min@jw.xihu.edu.cn", "WANG@XIHU.EDU.CN"])
def test_a_reply_to_in_the_senders_own_domain_is_followed(tmp_path, reply_to):
    sub = _from_unit("wangfang@xihu.edu.cn", reply_to)
    assert _recipients(sub, tmp_path, CAMPAIGN) == [reply_to]
    assert ignored_reply_to(sub, CAMPAIGN) is None


@pytest.mark.parametrize("entry", [{"addresses": ["xhsqxy_office@126.com"]}, {"allowlist": ["xhsqxy_office@126.com"]},
                                   {"addresses": ["@xihu.edu.cn"]}])
def test_a_reply_to_among_the_units_roster_addresses_is_followed(tmp_path, entry):
    campaign = Campaign(batches=CAMPAIGN.batches, roster=roster_from_config([{"name": UNIT, **entry}]))
    reply_to = entry.get("addresses", entry.get("allowlist"))[0].replace("@xihu", "office@xihu")
    sub = _from_unit("1783529044@qq.com", reply_to)
    assert _recipients(sub, tmp_path, campaign) == [reply_to]
    assert ignored_reply_to(sub, campaign) is None
    other = Campaign(batches=CAMPAIGN.batches, roster=roster_from_config([{"name": "余杭区社区学院", **entry}]))
    assert _recipients(sub, tmp_path, other) == ["1783529044@qq.com"], "another unit's address is not this unit's"


def test_reply_goes_to_sender_by_name_without_reply_to(tmp_path):
    parsed = read_back(compose_reply(submission(), "accepted", [], ReplyIdentity(), now=NOW), tmp_path)
    assert parseaddr(str(parsed["To"])) == ("王芳", "1783529044@qq.com")


def test_reply_address_skips_unusable_reply_to():
    assert reply_address(original_mail(reply_to="undisclosed-recipients:;")) == "1783529044@qq.com"
    nobody = MailMessage(message_id="<x@y>", sender="", reply_to="")
    assert reply_address(nobody) is None


def test_message_without_reply_address_cannot_be_answered():
    sub = submission(MailMessage(message_id="<x@qq.com>", subject=f"{UNIT}+智慧助老材料+2"))
    with pytest.raises(ValueError):
        compose_reply(sub, "accepted", [], ReplyIdentity(), now=NOW)


@pytest.mark.parametrize("original, expected", [
    (f"{UNIT}+智慧助老材料+2", f"Re: {UNIT}+智慧助老材料+2"),
    (f"Re: {UNIT}+智慧助老材料+2", f"Re: {UNIT}+智慧助老材料+2"),
    (f"回复: Re: {UNIT}+智慧助老材料+2", f"Re: {UNIT}+智慧助老材料+2"),
    (f"RE：答复：{UNIT}+智慧助老材料+2", f"Re: {UNIT}+智慧助老材料+2"),
    (f"Re[2]: 回复：{UNIT}+智慧助老材料+2", f"Re: {UNIT}+智慧助老材料+2"),
    ("", "Re: 您的来信"),
])
def test_subject_decodes_to_chinese_with_a_single_re(tmp_path, original, expected):
    sub = submission(original_mail(subject=original))
    parsed = read_back(compose_reply(sub, "accepted", [], ReplyIdentity(), now=NOW), tmp_path)
    assert parsed["Subject"] == expected
    assert reply_subject(original) == expected


def test_receipt_lists_every_material_with_its_kind_and_name(tmp_path):
    parsed = read_back(compose_reply(submission(), "accepted", [WARNING], ReplyIdentity(), now=NOW,
                                     campaign=CAMPAIGN), tmp_path)
    text, html = bodies(parsed)
    for body in (text, html):
        assert "典型工作案例" in body and "课程资源" in body and "盖章扫描件" in body
        assert CASE_TITLE in body and COURSE_TITLE in body
        assert "附件4：典型课程资源申报表.docx" in body
        assert "https://pan.baidu.com/s/1kVbR3x9QmZ2Lw7pTq" in body and "m4k8" in body
        assert UNIT in body and "第一批" in body and "2 份" in body
        assert "请留意" in body and WARNING.message in body
    assert "已登记为有效报送" in text


def test_receipt_without_warnings_has_no_attention_section(tmp_path):
    text, html = bodies(read_back(compose_reply(submission(), "accepted", [], ReplyIdentity(), now=NOW), tmp_path))
    assert "请留意" not in text and "请留意" not in html


def test_defect_notice_lists_errors_then_warnings_and_how_to_resend(tmp_path):
    msg = compose_reply(submission(), "defective", ERRORS + [WARNING], ReplyIdentity(), now=NOW, campaign=CAMPAIGN)
    text, html = bodies(read_back(msg, tmp_path))
    for body in (text, html):
        positions = [body.index(d.message) for d in ERRORS + [WARNING]]
        assert positions == sorted(positions)
        assert "单位名称+智慧助老材料+数量" in body
        assert "全部材料" in body
        assert "2024年5月31日 17:00" in body
        assert "联系电话" in body
    assert "暂时无法登记为有效报送" in text
    assert f"{UNIT}+智慧助老材料+2" in text


def test_defect_notice_without_known_batch_has_no_deadline(tmp_path):
    msg = compose_reply(submission(batch=None), "defective", ERRORS, ReplyIdentity(), now=NOW, campaign=CAMPAIGN)
    text, html = bodies(read_back(msg, tmp_path))
    assert "截止时间" not in text and "截止时间" not in html


def test_defect_notice_after_the_batch_deadline_does_not_invite_a_past_date(tmp_path):
    later = datetime(2024, 6, 2, 9, 0, tzinfo=CST)
    msg = compose_reply(submission(), "defective", ERRORS, ReplyIdentity(), now=later, campaign=CAMPAIGN)
    text, _ = bodies(read_back(msg, tmp_path))
    assert "2024年5月31日" not in text


def test_html_part_escapes_what_submitters_typed(tmp_path):
    sub = submission()
    sub.materials[0].form.title = "<b>银龄</b> & 数字生活"
    text, html = bodies(read_back(compose_reply(sub, "accepted", [], ReplyIdentity(), now=NOW), tmp_path))
    assert "&lt;b&gt;银龄&lt;/b&gt; &amp; 数字生活" in html
    assert "<b>银龄</b> & 数字生活" in text


def test_edited_template_copy_overrides_only_what_it_contains(tmp_path):
    override = tmp_path / "templates"
    override.mkdir()
    (override / "receipt.txt.j2").write_text(
        "{{ unit }}：材料已收到，共 {{ materials | length }} 个文件。\n——{{ identity.name }}\n", encoding="utf-8")
    msg = compose_reply(submission(), "accepted", [], ReplyIdentity(), templates_dir=override, now=NOW)
    text, html = bodies(read_back(msg, tmp_path / "outbox"))
    assert text == f"{UNIT}：材料已收到，共 3 个文件。\n——智慧助老材料征集工作组\n"
    assert CASE_TITLE in html


def test_custom_signature_replaces_the_default(tmp_path):
    identity = ReplyIdentity(signature="西湖区社区教育指导中心\n联系人：赵老师 0571-87654321")
    text, html = bodies(read_back(compose_reply(submission(), "accepted", [], identity, now=NOW), tmp_path))
    assert "联系人：赵老师 0571-87654321" in text and "联系人：赵老师 0571-87654321" in html


def test_unknown_status_gets_no_reply():
    with pytest.raises(ValueError):
        compose_reply(submission(), "ignored", [], ReplyIdentity(), now=NOW)


def test_coordinator_note_lists_the_problems(tmp_path):
    problems = ["附件“西湖区材料.zip”已加密，无法解压。", "邮件正文编码无法识别（gb18030 解码失败）。"]
    msg = compose_coordinator_note(original_mail(), problems, ReplyIdentity(),
                                   to=["zhaolaoshi@example.org.cn", "qianlaoshi@example.org.cn"], now=NOW)
    parsed = read_back(msg, tmp_path)
    assert parsed["Subject"] == f"[智慧助老] 需人工处理：{UNIT}+智慧助老材料+2"
    assert [a.addr_spec for a in parsed["To"].addresses] == ["zhaolaoshi@example.org.cn", "qianlaoshi@example.org.cn"]
    assert parsed["Auto-Submitted"] == "auto-generated"
    body = parsed.get_content()
    assert all(p in body for p in problems)
    assert "1783529044@qq.com" in body and "<tencent_5F1C0B2A8E@qq.com>" in body


def test_missing_template_folder_fails_instead_of_using_built_in_wording(tmp_path):
    with pytest.raises(FileNotFoundError):
        compose_reply(submission(), "accepted", [], ReplyIdentity(), templates_dir=tmp_path / "没有这个目录", now=NOW)


def test_a_paired_scan_is_listed_under_its_word_title_and_a_lone_scan_says_its_title_was_read_by_ocr():
    sub = submission()
    word, _, scan = sub.materials[:3]
    scan.scan.pages[0].name = "“银龄触网”智能手机应用进社"  # OCR dropped the last character
    scan.paired_with = [word.filename]
    lone = Material(kind="scan", filename="培训项目盖章件.jpg", sha256="d4", size=1,
                    scan=ScanReading(pages=[ScanPage(index=0, form_kind="project", name="智能技术塔训")]))
    sub.materials.append(lone)
    body = compose_reply(sub, "accepted", [], ReplyIdentity(), now=NOW).get_body(("plain",)).get_content()
    assert f"【盖章扫描件】{CASE_TITLE}（文件：案例申报表盖章扫描件.pdf）" in body
    assert "【盖章扫描件】智能技术塔训（据扫描件识别）（文件：培训项目盖章件.jpg）" in body
