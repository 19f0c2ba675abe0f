"""Routing among active profiles: the subject first, the attachments second, review when neither decides."""

from __future__ import annotations

from ingest.config.settings import load_settings
from ingest.core.materials import AttachmentReader
from ingest.core.steps import read_materials
from ingest.core.routing import route
from ingest.samples import profiles as samples
from ingest.samples.mails import MailSpec, build_mail
from ingest.samples.tables import taizhou_table
from parsers.email import parse_message


def _route(raw: bytes, *names: str):
    campaigns = load_settings(None, profiles=list(names)).profiles()
    message = parse_message(raw)
    return route(message.subject, read_materials(message), AttachmentReader(message.attachments), campaigns)


def _mail(subject: str, attachments) -> bytes:
    return build_mail(MailSpec(subject=subject, sender=("某单位", "unit@163.com"), attachments=attachments))


def test_the_longer_subject_word_decides_between_notices_sharing_a_keyword():
    subject = "沈阳市社区教育指导中心+智慧助老材料+2个"  # carries 智慧助老 (Shandong) and 智慧助老材料 (Liaoning)
    assert _route(_mail(subject, []), "shandong-2021", "liaoning-2022").campaign.name == "liaoning-2022"
    assert _route(_mail("济南市历下区社区学院+智慧助老", []), "shandong-2021", "liaoning-2022").campaign.name == "shandong-2021"


def test_a_silent_subject_is_routed_by_the_table_attached():
    raw = _mail("报送材料", [("表.xlsx", taizhou_table("温岭市教育局", "2022年第一季度"))])
    routed = _route(raw, "chongqing-2021", "taizhou-2021", "putuo-2024")
    assert routed.campaign.name == "taizhou-2021" and routed.why == "按附件内容"


def test_a_mail_both_notices_could_claim_is_held_with_both_named():
    raw = _mail("智慧助老工作总结", [("工作总结.docx", samples.report_docx("2021年智慧助老工作总结", 500))])
    routed = _route(raw, "chongqing-2021", "putuo-2024")  # both ask for a 总结
    assert routed.campaign is None
    assert "chongqing-2021" in routed.why and "putuo-2024" in routed.why and "intake assign" in routed.why


def test_with_one_active_profile_every_mail_is_its_own():
    assert _route(_mail("随便什么", []), "taizhou-2021").campaign.name == "taizhou-2021"


def test_a_subject_carrying_one_word_of_each_notice_is_decided_by_the_attachments():
    raw = _mail("黄岩区教育局报送2021年第二季度统计表", [("统计表.xlsx", taizhou_table())])  # 季度 (Taizhou), 统计表 (Putuo)
    routed = _route(raw, "putuo-2024", "taizhou-2021")
    assert routed.campaign.name == "taizhou-2021" and routed.why == "按附件内容"
