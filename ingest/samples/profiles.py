"""A realistic mail for each built-in profile, as the units of each notice send them.

Tests build their submissions from these, and `intake demo --profile NAME`
runs them: Shandong's forms under `单位+材料类别` names, Taizhou's quarterly
tables, Chongqing's annual summary, Putuo's table, report, case, photos and
video, the ministry's provincial forms, Liaoning's set with its 信息汇总表.
"""

from __future__ import annotations

import io
from datetime import datetime

import docx

from ingest.samples.forms import build_case_form, build_course_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.media import activity_photo, mp4_video
from ingest.samples.paper import press_seal, scanned, to_pdf, to_png
from ingest.samples.scans import render_form_pages
from ingest.samples.tables import putuo_table, summary_listing, taizhou_table

LINK = "https://pan.baidu.com/s/1Xk9fRt2LmQpZ7vWcYb3NaH"
_SENTENCES = (
    "本年度，我街镇把帮助老年人跨越“数字鸿沟”作为民生实事来抓，依托社区学校和居村委睦邻点，开设智能手机应用课堂。",
    "课程围绕扫码出行、网上挂号、移动支付、防范电信诈骗等老年人最常遇到的难题，采用“一对一”“小班化”的方式教学。",
    "我们组建了由社区教师、青年志愿者和学生组成的助老服务队，累计开展线下培训一百二十余场，服务老年人四千余人次。",
    "同时，编印《智能手机使用手册》读本，录制微课视频，方便老年人反复观看学习，线上学习人次稳步增长。",
    "下一步，我们将继续完善课程体系，推动智慧助老服务向居村委延伸，让更多老年人共享数字生活的便利。",
)


def report_docx(title: str, chars: int, unit: str = "") -> bytes:
    """A report of about `chars` characters (whitespace not counted): a title, then paragraphs."""
    document = docx.Document()
    document.add_heading(title, level=1)
    written = len(title)
    index = 0
    while written < chars:
        sentence = _SENTENCES[index % len(_SENTENCES)]
        sentence = sentence[: chars - written] if written + len(sentence) > chars else sentence
        document.add_paragraph(sentence)
        written += len(sentence)
        index += 1
    if unit:
        document.add_paragraph(unit)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def seal_png(unit: str) -> bytes:
    """A unit's electronic seal as the picture placed on a workbook."""
    from PIL import Image

    canvas = Image.new("RGB", (600, 600), "white")
    return to_png(press_seal(canvas, unit, (300, 300), diameter=520).crop((20, 20, 580, 580)))


def _scan(kind: str, name: str, unit: str) -> bytes:
    return to_pdf([scanned(p, skew=0.6, jpeg_quality=85) for p in render_form_pages(kind, name, unit)])


def shandong_mail(unit: str = "济南市社区教育指导服务中心", expiring: bool = False) -> bytes:
    case, course = "“银龄e课堂”进社区", "老年人智能手机安全使用"
    body = (f"您好！\n现报送我单位智慧助老材料。视频资源百度网盘链接：{LINK} 提取码：a8k2"
            + ("（有效期7天）" if expiring else "") + f"\n\n{unit}\n联系人：孙丽 13905310000")
    return build_mail(MailSpec(
        subject=f"{unit}+智慧助老", sender=(unit, "jnsqjy@163.com"), body=body,
        attachments=[(f"{unit}+典型案例.docx", build_case_form(name=case, unit=unit, version="province")),
                     (f"{unit}+典型案例盖章扫描件.pdf", _scan("case", case, unit)),
                     (f"{unit}+课程资源.docx", build_course_form(name=course, unit=unit, version="province")),
                     (f"{unit}+课程资源盖章扫描件.pdf", _scan("course", course, unit))],
        date=datetime(2021, 11, 8, 9, 30, tzinfo=CST), message_id=f"<sd-{abs(hash(unit)) % 10**8}@163.com>"))


def taizhou_mail(bureau: str = "黄岩区教育局", quarter: str = "2021年第二季度", *, address: str = "hyjyj@126.com",
                 date: datetime = datetime(2021, 6, 25, 16, 0, tzinfo=CST), **table) -> bytes:
    """A bureau's quarterly 进展情况统计表; `table` goes to taizhou_table (rows, total, fmt)."""
    return build_mail(MailSpec(
        subject=f"{bureau}{quarter}智慧助老行动进展情况统计表", sender=(bureau, address),
        body=f"您好！\n附件是{bureau}{quarter}进展情况统计表，请查收。\n\n{bureau}职成教科 陈丽",
        attachments=[(f"{bureau}{quarter}进展情况统计表.xlsx", taizhou_table(bureau, quarter, **table))],
        date=date, message_id=f"<tz-{abs(hash((bureau, quarter))) % 10**8}@126.com>"))


def chongqing_mail(district: str = "渝中区社区教育学院", chars: int = 1800,
                   date: datetime = datetime(2021, 12, 20, 11, 0, tzinfo=CST)) -> bytes:
    title = f"{district}2021年解决老年人运用智能技术困难年度工作总结"
    return build_mail(MailSpec(
        subject=title, sender=(district, "yzsqjy@163.com"),
        body="您好！\n按通知要求，现报送我区年度工作总结，请审阅。",
        attachments=[(f"{title}.docx", report_docx(title, chars, district))],
        date=date, message_id=f"<cq-{abs(hash(district)) % 10**8}@163.com>"))


def putuo_mail(street: str = "长征镇", *, photos: list[bytes] | None = None, video: bytes | None = None,
               report_chars: int = 1800, sealed: bool = True, figures: list | None = None) -> bytes:
    photos = photos if photos is not None else [activity_photo(seed) for seed in range(1, 6)]
    table = putuo_table(street, figures, seal_png=seal_png(f"{street}人民政府") if sealed else None)
    attachments = [(f"{street}智慧助老统计表.xlsx", table),
                   (f"{street}智慧助老总结报告.docx", report_docx(f"{street}2024年智慧助老行动总结报告", report_chars)),
                   (f"{street}优秀案例.docx", report_docx(f"{street}优秀案例：手机课堂进睦邻点", 1500))]
    attachments += [(f"活动照片{i}.jpg", p) for i, p in enumerate(photos, start=1)]
    if video is not None:
        attachments.append(("智能手机入门课程.mp4", video))
    return build_mail(MailSpec(
        subject=f"{street}智慧助老行动统计表、总结报告及优秀案例", sender=(f"{street}社区学校", "czsqxx@163.com"),
        body=f"您好！\n附件为{street}统计表（已加盖电子章）、总结报告、优秀案例及照片。\n\n{street}社区学校",
        attachments=attachments, date=datetime(2024, 6, 20, 15, 0, tzinfo=CST),
        message_id=f"<pt-{abs(hash(street)) % 10**8}@163.com>"))


def moe_mail(centre: str = "浙江省社区教育指导中心") -> bytes:
    case = "“浙里康养”数字助老行动"
    return build_mail(MailSpec(
        subject=f"{centre}报送智慧助老优质工作案例推介材料", sender=(centre, "zjsqjy@zj.gov.cn"),
        body="司里各位老师好：现报送我省推荐的智慧助老材料，请审阅。",
        attachments=[("附件2 典型工作案例申报表.docx", build_case_form(name=case, unit=centre)),
                     ("附件2 典型工作案例申报表（盖章）.pdf", _scan("case", case, centre))],
        date=datetime(2021, 10, 28, 10, 0, tzinfo=CST), message_id="<moe-zj@zj.gov.cn>"))


def liaoning_mail(unit: str = "沈阳市社区教育指导中心", listed_extra: str | None = None) -> bytes:
    case = "“数字助老”沈阳行动"
    listing = [(case, "典型工作案例")] + ([(listed_extra, "课程资源")] if listed_extra else [])
    return build_mail(MailSpec(
        subject=f"{unit}+智慧助老材料+1个", sender=(unit, "sysqjy@163.com"),
        attachments=[(f"{unit}+案例.docx", build_case_form(name=case, unit=unit, version="province")),
                     (f"{unit}+案例盖章扫描件.pdf", _scan("case", case, unit)),
                     (f"{unit}+信息汇总表.xlsx", summary_listing(unit, listing))],
        date=datetime(2022, 4, 28, 9, 0, tzinfo=CST), message_id=f"<ln-{abs(hash(unit)) % 10**8}@163.com>"))


def profile_messages(name: str) -> list[tuple[str, bytes]]:
    """The demo mails of one built-in profile: (file name, raw bytes)."""
    if name == "putuo-2024":
        return [("01-长征镇.eml", putuo_mail(video=mp4_video(1280, 720))),
                ("02-真如镇-覆盖数大于总数.eml", putuo_mail("真如镇", figures=[20, 24, 3, 9, 30, 12, 60, 800, 2100, 5400, 6]))]
    builders = {
        "liaoning-2022": lambda: [("01-沈阳市.eml", liaoning_mail(listed_extra="老年人防诈骗微课"))],
        "moe-2021": lambda: [("01-浙江省.eml", moe_mail())],
        "shandong-2021": lambda: [("01-济南市.eml", shandong_mail()),
                                  ("02-青岛市-链接7天有效.eml", shandong_mail("青岛市社区教育指导服务中心", True))],
        "taizhou-2021": lambda: [("01-黄岩区.eml", taizhou_mail()),
                                 ("02-路桥区-合计有误.eml", taizhou_mail("路桥区教育局", total=[27, 970, 18, 550, 6, 3, 2]))],
        "chongqing-2021": lambda: [("01-渝中区.eml", chongqing_mail()),
                                   ("02-江北区-逾期.eml", chongqing_mail(
                                       "江北区社区教育学院", date=datetime(2022, 1, 4, 9, 0, tzinfo=CST)))],
    }
    return builders[name]()
