"""Which incoming messages must never get an automatic reply."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from notifier.autoreply import automated_reason
from parsers.facts import Attachment, MailMessage

CST = timezone(timedelta(hours=8))


def human_mail(**changes) -> MailMessage:
    """A submission as a unit's staff member sends it from Foxmail."""
    headers = {
        "from": "王芳 <wangfang@163.com>",
        "to": "zhzl@example.org.cn",
        "subject": "杭州市西湖区社区学院+智慧助老材料+3",
        "message-id": "<202405201030125518764@163.com>",
        "date": "Mon, 20 May 2024 10:30:12 +0800",
        "return-path": "<wangfang@163.com>",
        "content-type": 'multipart/mixed; boundary="----=_NextPart_664AB5D4_1A2B"',
        "x-mailer": "Foxmail 7.2.25.228[cn]",
    }
    headers.update(changes.pop("headers", {}))
    fields = {
        "message_id": "<202405201030125518764@163.com>",
        "subject": "杭州市西湖区社区学院+智慧助老材料+3",
        "sender": "wangfang@163.com",
        "sender_name": "王芳",
        "date": datetime(2024, 5, 20, 10, 30, 12, tzinfo=CST),
        "text": "老师您好：\n附件是我单位报送的智慧助老典型案例等材料，请查收。\n西湖区社区学院 王芳",
        "headers": headers,
        "attachments": [Attachment("附件2 典型工作案例申报表.docx",
                                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                   b"PK\x03\x04")],
    }
    fields.update(changes)
    return MailMessage(**fields)


AUTOMATED = [
    ("auto_submitted_auto_replied", {"headers": {"auto-submitted": "auto-replied"}}),
    ("auto_submitted_with_parameters", {"headers": {"auto-submitted": "auto-generated; owner-email=\"it@163.com\""}}),
    ("x_autoreply", {"headers": {"x-autoreply": "yes"}}),
    ("x_autorespond", {"headers": {"x-autorespond": "Out of office"}}),
    ("precedence_bulk", {"headers": {"precedence": "bulk"}}),
    ("precedence_junk", {"headers": {"precedence": "junk"}}),
    ("precedence_list", {"headers": {"precedence": "list"}}),
    ("precedence_auto_reply", {"headers": {"precedence": "auto_reply"}}),
    ("list_id", {"headers": {"list-id": "全市社区教育工作群 <sqjy.lists.example.cn>"}}),
    ("list_unsubscribe", {"headers": {"list-unsubscribe": "<mailto:unsubscribe@lists.example.cn>"}}),
    ("list_post", {"headers": {"list-post": "<mailto:sqjy@lists.example.cn>"}}),
    ("delivery_report", {"headers": {"content-type": "multipart/report; report-type=delivery-status; boundary=\"b1\""}}),
    ("null_return_path", {"headers": {"return-path": "<>"}}),
    ("empty_return_path", {"headers": {"return-path": ""}}),
    ("failed_recipients", {"headers": {"x-failed-recipients": "zhzl@example.org.cn"}}),
    ("exchange_suppress_all", {"headers": {"x-auto-response-suppress": "All"}}),
    ("exchange_suppress_autoreply", {"headers": {"x-auto-response-suppress": "DR, RN, NRN, AutoReply"}}),
    ("mailer_daemon", {"sender": "MAILER-DAEMON@mx.qq.com"}),
    ("postmaster", {"sender": "postmaster@163.com"}),
    ("noreply", {"sender": "noreply@notice.example.cn"}),
    ("no_reply", {"sender": "no-reply@mail.exmail.qq.com"}),
    ("donotreply", {"sender": "donotreply@gov.example.cn"}),
    ("do_not_reply", {"sender": "do_not_reply@edu.example.cn"}),
    ("bounce", {"sender": "bounce@mailer.example.cn"}),
    ("bounce_with_tag", {"sender": "bounces+1874@lists.example.cn"}),
    ("subject_zidong_huifu", {"subject": "自动回复：杭州市西湖区社区学院+智慧助老材料+3"}),
    ("subject_zidong_dafu", {"subject": "自动答复: 关于报送智慧助老材料的通知"}),
    ("subject_bracketed_auto_reply", {"subject": "【自动回复】您好，我已休假，5月27日返岗"}),
    ("subject_auto_reply_english", {"subject": "Auto Reply: 智慧助老材料"}),
    ("subject_automatic_reply", {"subject": "Automatic reply: 杭州市西湖区社区学院+智慧助老材料+3"}),
    ("subject_out_of_office", {"subject": "Out of Office: 智慧助老材料"}),
    ("subject_tuixin", {"subject": "退信：杭州市西湖区社区学院+智慧助老材料+3"}),
    ("subject_xitong_tuixin", {"subject": "系统退信"}),
    ("subject_undeliverable", {"subject": "Undeliverable: 杭州市西湖区社区学院+智慧助老材料+3"}),
    ("subject_dsn", {"subject": "Delivery Status Notification (Failure)"}),
    ("subject_toudi_shibai", {"subject": "邮件投递失败通知"}),
]


@pytest.mark.parametrize("case, changes", AUTOMATED, ids=[c for c, _ in AUTOMATED])
def test_machine_written_mail_gets_a_reason(case, changes):
    reason = automated_reason(human_mail(**changes))
    assert reason, case


@pytest.mark.parametrize("changes", [
    {},
    {"headers": {"auto-submitted": "no"}},
    {"headers": {"x-auto-response-suppress": "OOF"}},
    {"headers": {"precedence": "normal"}},
    {"subject": "回复：杭州市西湖区社区学院+智慧助老材料+3"},
    {"subject": "Re: 关于自动回复中提到的盖章问题"},
    {"sender": "noreplyzhang@126.com"},
], ids=["plain", "auto_submitted_no", "suppress_oof_only", "precedence_normal",
        "reply_subject", "subject_mentions_auto_reply_later", "address_starting_with_noreply"])
def test_mail_written_by_a_person_may_be_answered(changes):
    assert automated_reason(human_mail(**changes)) is None


def test_reason_names_the_evidence():
    reason = automated_reason(human_mail(headers={"auto-submitted": "auto-replied"}))
    assert "Auto-Submitted: auto-replied" in reason


def test_our_own_reply_coming_back_is_never_answered():
    own = human_mail(sender="zhzl@example.org.cn", sender_name="智慧助老材料征集工作组")
    assert automated_reason(own, own_addresses=["ZHZL@example.org.cn"])
    assert automated_reason(human_mail(), own_addresses=["zhzl@example.org.cn"]) is None
