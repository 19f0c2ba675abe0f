"""Outlook's winmail.dat and attached .msg/.eml files are searched like forwarded mail."""

from __future__ import annotations

from pathlib import Path

from tests.support.archives import seven_zip
from ingest.samples.mails import MailSpec, build_mail, gbk_zip
from tests.support.outlook import build_tnef
from parsers.archive_base import ArchiveLimits
from parsers.email import parse_message

DATA = Path(__file__).resolve().parents[1] / "data" / "outlook"
SUBJECT = "杭州市西湖区社区学院+智慧助老材料+1个"
FORM = ("西湖区社区学院+案例.docx", b"PK\x03\x04 docx bytes")


def _with_tnef(tnef: bytes, name: str = "winmail.dat") -> bytes:
    raw = build_mail(MailSpec(subject=SUBJECT, body="", attachments=[(name, tnef)]))
    return raw.replace(b"application/octet-stream", b"application/ms-tnef", 1)


def test_winmail_dat_is_unpacked_into_its_real_attachments_with_gbk_names():
    tnef = build_tnef([FORM, ("西湖区社区学院+案例盖章扫描件.pdf", b"%PDF-1.4")], body="附件请查收，谢谢！")
    message = parse_message(_with_tnef(tnef))
    assert [(a.filename, a.data, a.origin) for a in message.attachments] == [
        (FORM[0], FORM[1], "winmail.dat"), ("西湖区社区学院+案例盖章扫描件.pdf", b"%PDF-1.4", "winmail.dat")]
    assert "附件请查收" in message.text


def test_winmail_dat_recognised_by_content_under_any_name_and_type():
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[("ATT00001.dat", build_tnef([FORM]))]))
    assert [a.filename for a in parse_message(raw).attachments] == [FORM[0]]


def test_archive_inside_winmail_dat_opens_with_the_password_in_the_tnef_body():
    archive = seven_zip([FORM], "7z", password="tnef2022")
    message = parse_message(_with_tnef(build_tnef([("材料.7z", archive)], body="解压密码：tnef2022")))
    assert [(a.filename, a.problem) for a in message.attachments] == [(FORM[0], None)]


def test_broken_winmail_dat_is_one_unreadable_file():
    [att] = parse_message(_with_tnef(b"\x78\x9f\x3e\x22\x00\x01\x01\x06")).attachments
    assert att.filename == "winmail.dat" and "winmail.dat" in att.problem


def test_attached_msg_yields_its_body_and_attachments():
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[("转发：材料.msg", (DATA / "tif_attachments.msg").read_bytes())]))
    message = parse_message(raw)
    assert [(a.filename, a.data[:4], a.origin) for a in message.attachments] == [
        ("import OleFileIO.tif", b"II*\x00", "forwarded"), ("raised value error.tif", b"II*\x00", "forwarded")]
    assert "MS Outlook MSG Extractor" in message.text


def test_damaged_msg_is_one_unreadable_file():
    data = (DATA / "tif_attachments.msg").read_bytes()[:4096]
    [att] = parse_message(build_mail(MailSpec(subject=SUBJECT, attachments=[("材料.msg", data)]))).attachments
    assert att.filename == "材料.msg" and ".msg" in att.problem


def test_attached_eml_counts_like_a_forwarded_mail_and_its_password_opens_its_archive():
    inner = build_mail(MailSpec(subject="西湖区材料", body="压缩包密码：eml123\n链接见附件",
                                attachments=[("材料.zip", seven_zip([FORM], "zip", password="eml123"))]))
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[("原邮件.eml", inner)]))
    message = parse_message(raw)
    assert [(a.filename, a.data, a.problem) for a in message.attachments] == [(FORM[0], FORM[1], None)]
    assert "压缩包密码" in message.text


def test_mails_inside_mails_stop_at_the_configured_depth():
    inner = build_mail(MailSpec(subject="内层", attachments=[("材料.zip", gbk_zip([FORM]))]))
    middle = build_mail(MailSpec(subject="中层", attachments=[("内层.eml", inner)]))
    raw = build_mail(MailSpec(subject=SUBJECT, attachments=[("中层.eml", middle)]))
    assert [a.filename for a in parse_message(raw, ArchiveLimits(max_depth=3)).attachments] == [FORM[0]]
    [att] = parse_message(raw, ArchiveLimits(max_depth=2)).attachments
    assert att.filename == "材料.zip" and "嵌套超过 2 层" in att.problem
