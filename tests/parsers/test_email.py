"""Chinese mail clients' encodings come out as the sender typed them."""

from __future__ import annotations

import email.utils

import pytest

from ingest.samples.mails import MailSpec, build_mail, gbk_zip
from parsers.email import header_date, parse_message

SUBJECT = "杭州市西湖区社区学院+智慧助老材料+3个"
NAMES = ["西湖区社区学院+案例.docx", "西湖区社区学院+案例盖章扫描件.pdf", "银龄触网课程资源（定稿）.docx"]


@pytest.mark.parametrize("charset", ["gb2312", "GBK", "gb18030", "utf-8"])
@pytest.mark.parametrize("subject_style", ["encoded", "split", "raw"])
def test_subject_decodes_in_every_chinese_charset_and_style(charset, subject_style):
    raw = build_mail(MailSpec(subject=SUBJECT, charset=charset, subject_style=subject_style))
    assert parse_message(raw).subject == SUBJECT


def test_gb2312_label_over_gbk_only_characters_is_read_as_gb18030():
    # 镕 and 昇 are GBK characters outside GB2312; clients still label them GB2312.
    subject = "朱镕基纪念馆社区学院（昇平街道）+智慧助老材料+1个"
    body = "联系人：罗昇，电话 13912345678"
    raw = build_mail(MailSpec(subject=subject, body=body, charset="gb2312"))
    message = parse_message(raw)
    assert message.subject == subject
    assert message.text.strip() == body


@pytest.mark.parametrize("transfer", ["base64", "quoted-printable", "8bit"])
def test_gbk_body_in_any_transfer_encoding(transfer):
    body = "您好！附件为我单位智慧助老材料，共3个，请查收。\n百度网盘链接：https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv 提取码：a1b2"
    raw = build_mail(MailSpec(subject=SUBJECT, body=body, charset="gbk", transfer=transfer))
    assert parse_message(raw).text.strip() == body


@pytest.mark.parametrize("style", ["rfc2231", "encoded-word", "raw", "utf8-raw"])
def test_attachment_names_decode_in_every_client_style(style):
    files = [(name, b"%PDF-1.4 test") for name in NAMES]
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=files, filename_style=style))
    message = parse_message(raw)
    assert [a.filename for a in message.attachments] == NAMES
    assert all(a.data == b"%PDF-1.4 test" for a in message.attachments)


def test_sender_reply_to_date_and_message_id_are_read():
    raw = build_mail(MailSpec(subject=SUBJECT, message_id="<20220420103000.123@163.com>",
                              reply_to="李敏 <limin@xihu.edu.cn>"))
    message = parse_message(raw)
    assert message.sender == "xihu_sqxy@163.com"
    assert message.sender_name == "西湖区社区学院 王老师"
    assert message.reply_to == "limin@xihu.edu.cn"
    assert message.message_id == "<20220420103000.123@163.com>"
    assert message.date.isoformat() == "2022-04-20T10:30:00+08:00"


def test_zip_members_with_gbk_names_are_unpacked():
    archive = gbk_zip([("西湖区社区学院+案例.docx", b"docx-bytes"), ("扫描件/西湖区社区学院+案例盖章件.jpg", b"jpg")])
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[("智慧助老材料.zip", archive)]))
    message = parse_message(raw)
    assert [(a.filename, a.data, a.origin) for a in message.attachments] == [
        ("西湖区社区学院+案例.docx", b"docx-bytes", "zip:智慧助老材料.zip"),
        ("西湖区社区学院+案例盖章件.jpg", b"jpg", "zip:智慧助老材料.zip"),
    ]


def test_broken_zip_is_kept_with_a_problem_instead_of_raising():
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[("材料.zip", b"PK\x03\x04 truncated")]))
    [attachment] = parse_message(raw).attachments
    assert attachment.filename == "材料.zip" and "损坏" in attachment.problem


def test_forwarded_message_attachments_are_found():
    inner = build_mail(MailSpec(subject="西湖区+智慧助老材料+1个", attachments=[(NAMES[0], b"inner-docx")]))
    raw = build_mail(MailSpec(subject="转发：" + SUBJECT, forwarded=[inner]))
    message = parse_message(raw)
    assert [(a.filename, a.data, a.origin) for a in message.attachments] == [(NAMES[0], b"inner-docx", "forwarded")]


def test_html_only_body_is_kept_and_inline_logo_is_not_an_attachment():
    html = '<p>附件请查收</p><img src="cid:logo001">'
    raw = build_mail(MailSpec(subject=SUBJECT, html=html, attachments=[("西湖区+案例.docx", b"x")]))
    raw = raw.replace(b"Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      b"Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document", 1)
    message = parse_message(raw)
    assert "附件请查收" in message.html
    assert [a.filename for a in message.attachments] == ["西湖区+案例.docx"]


def test_message_without_message_id_gets_a_stable_synthetic_one():
    raw = build_mail(MailSpec(subject=SUBJECT)).replace(b"Message-ID:", b"X-Old-Message-ID:")
    assert parse_message(raw).message_id == parse_message(raw).message_id
    assert parse_message(raw).message_id.endswith("@intake.invalid>")


def test_every_real_world_malformed_message_parses_without_raising(real_eml):
    files = sorted(real_eml.glob("*.eml"))
    assert len(files) > 150
    for path in files:
        message = parse_message(path.read_bytes())
        assert message.message_id


@pytest.mark.parametrize("name,subject_part,text_part", [
    ("demisto-parse-emails__chinese_email_test.eml", "示例邮件", "这是一个示例邮件"),
    ("demisto-parse-emails__chinese_gb2312_encoding.eml", "Greeting", "你好，我是程序员"),
    ("demisto-parse-emails__chinese_gbk_encoding.eml", "Hello", "你好，中国"),
    ("letters__test_chinese_multipart_mixed_gbk_over_quoted-printable.eml", "施氏食狮史", "石室诗士施氏"),
    ("letters__test_chinese_multipart_related_gb18030_over_base64.eml", "施氏食狮史", "石室诗士施氏"),
])
def test_real_chinese_messages_decode(real_eml, name, subject_part, text_part):
    message = parse_message((real_eml / name).read_bytes())
    assert subject_part in message.subject
    assert text_part in message.text


def test_real_raw_8bit_gbk_attachment_name_decodes(real_eml):
    message = parse_message((real_eml / "enmime__mail-mime-bad-8bit-filename.eml").read_bytes())
    assert [a.filename for a in message.attachments] == ["管理.doc"]


def test_missing_date_leaves_the_topmost_received_stamp_as_the_only_time():
    raw = build_mail(MailSpec(subject=SUBJECT)).replace(b"Date:", b"X-Original-Date:")
    raw = (b"Received: from mx.163.com by mail.example.org.cn; Thu, 21 Apr 2022 09:15:00 +0800\r\n"
           b"Received: from [192.0.2.7] by mx.163.com; Thu, 21 Apr 2022 09:14:58 +0800\r\n" + raw)
    message = parse_message(raw)
    assert message.date is None
    assert message.received.isoformat() == "2022-04-21T09:15:00+08:00"


@pytest.mark.parametrize("header,expected", [
    ("Thu, 5 May 2022 23:59:00 +0800", "2022-05-05T23:59:00+08:00"),
    ("Thu, 5 May 2022 15:59:00 GMT", "2022-05-05T15:59:00+00:00"),
    ("Thu, 5 May 2022 15:59:00 -0000", "2022-05-05T15:59:00+00:00"),  # RFC 5322: UTC, sender's zone unknown
    ("Thu, 5 May 2022 23:59:00 +0800 (CST)", "2022-05-05T23:59:00+08:00"),
    ("Thu, 5 May 2022 23:59:00 CST", "2022-05-05T23:59:00"),  # China Standard Time, not US Central: left naive
    ("Thu, 5 May 2022 23:59:00", "2022-05-05T23:59:00"),  # no zone at all: left for the campaign's zone
    ("2022-05-05 23:59:00", "2022-05-05T23:59:00"),  # ISO, as some broken clients write it
])
def test_date_header_keeps_its_zone_and_leaves_a_missing_one_naive(header, expected):
    assert header_date(header).isoformat() == expected


@pytest.mark.parametrize("header", ["", "yesterday", "Thu, 45 Foo 2022 99:99:99 +0800"])
def test_unreadable_date_header_gives_no_time(header):
    assert header_date(header) is None


def test_line_breaks_and_control_characters_hidden_in_encoded_words_do_not_survive_decoding():
    raw = build_mail(MailSpec(subject=SUBJECT)).replace(
        b"Subject: ", b"Subject: =?utf-8?b?5rWL6K+VCg0K?= =?utf-8?b?AOaUtuWIsA==?= ", 1)  # "测试\n\r\n", "\x00收到"
    subject = parse_message(raw).subject
    assert "\n" not in subject and "\r" not in subject and "\x00" not in subject
    assert subject.startswith("测试 收到")


FORGED = "xihu_sqxy@163.com"


@pytest.mark.parametrize("from_header", [
    "=?utf-8?q?xihu=5Fsqxy=40163=2Ecom?= <attacker@evil.com>",  # the address spelled in Q-encoding
    "=?utf-8?b?eGlodV9zcXh5QDE2My5jb20=?= <attacker@evil.com>",  # …in base64
    "=?utf-8?q?xihu_sqxy@163.com?= <attacker@evil.com>",  # a literal @ inside the encoded word
    '"=?gbk?B?zvfF/Mf4?= <xihu_sqxy@163.com>" <attacker@evil.com>',  # a quoted name holding an address
    "xihu_sqxy@163.com <attacker@evil.com>",  # an unquoted name that is an address: the angle address is it
    '"xihu_sqxy@163.com" <attacker@evil.com>',
    '"a\\"<xihu_sqxy@163.com>" <attacker@evil.com>',  # an escaped quote inside the quoted name
    "attacker@evil.com (xihu_sqxy@163.com)",  # the name as a comment
])
def test_an_encoded_word_is_only_ever_the_display_name_never_the_sender_address(from_header):
    message = parse_message(build_mail(MailSpec(subject=SUBJECT, from_header=from_header)))
    assert message.sender == "attacker@evil.com"
    assert message.sender != FORGED


@pytest.mark.parametrize("from_header", [
    "=?utf-8?q?xihu=5Fsqxy=40163=2Ecom?=",  # nothing but an encoded word
    "=?utf-8?q?=22x=22_=3Cxihu=5Fsqxy=40163=2Ecom=3E?=",  # a whole `"x" <address>` encoded
    "xihu_sqxy@163.com, attacker@evil.com",  # two authors and no Sender: nobody known to have written
    "=?utf-8?q?=E8=A5=BF=E6=B9=96?= <attacker@evil.com>, <xihu_sqxy@163.com>",
])
def test_a_from_header_whose_only_address_is_inside_an_encoded_word_has_no_sender(from_header):
    message = parse_message(build_mail(MailSpec(subject=SUBJECT, from_header=from_header)))
    assert message.sender == ""


def test_of_several_authors_the_one_sender_names_is_who_wrote():
    raw = build_mail(MailSpec(subject=SUBJECT, from_header="wang@xihu.edu.cn, xihu_sqxy@163.com",
                              extra_headers={"Sender": "xihu_sqxy@163.com"}))
    assert parse_message(raw).sender == FORGED


@pytest.mark.parametrize("header", ["Sender", "Reply-To", "Return-Path", "Disposition-Notification-To"])
def test_every_address_header_keeps_the_address_written_and_decodes_only_the_name(header):
    raw = build_mail(MailSpec(subject=SUBJECT, extra_headers={
        header: "=?utf-8?q?xihu=5Fsqxy=40163=2Ecom?= <attacker@evil.com>"}))
    message = parse_message(raw)
    assert email.utils.getaddresses([message.headers[header.lower()]]) == [(FORGED, "attacker@evil.com")]
    if header == "Reply-To":
        assert message.reply_to == "attacker@evil.com"


@pytest.mark.parametrize("charset", ["gb2312", "gbk", "utf-8"])
def test_chinese_display_names_in_encoded_words_still_decode(charset):
    raw = build_mail(MailSpec(subject=SUBJECT, charset=charset, reply_to="李敏 <limin@xihu.edu.cn>"))
    message = parse_message(raw)
    assert (message.sender_name, message.sender) == ("西湖区社区学院 王老师", FORGED)
    assert email.utils.getaddresses([message.headers["reply-to"]]) == [("李敏", "limin@xihu.edu.cn")]


def test_an_address_header_of_thousands_of_groups_parses_without_raising():
    raw = build_mail(MailSpec(subject=SUBJECT, extra_headers={"To": "a:" * 5000 + "b@c.cn;" * 5000}))
    assert parse_message(raw).sender == FORGED
