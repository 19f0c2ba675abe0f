"""The handful of sample submissions `intake demo` runs through the pipeline.

Made in code, like a week of a real mailbox: a clean submission from a
district, one with no scan and a bad phone number, a course whose netdisk
link lost its share code, a forwarded zip from a city, an out-of-office
auto-reply, and the same message sent twice.
"""

from __future__ import annotations

from datetime import datetime

from ingest.samples.forms import build_case_form, build_course_form, build_project_form
from ingest.samples.mails import CST, MailSpec, build_mail, gbk_zip
from ingest.samples.paper import scanned, to_jpeg, to_pdf
from ingest.samples.scans import render_form_pages

LINK = "https://pan.baidu.com/s/1Xk9fRt2LmQpZ7vWcYb3NaH"


def _scan_pdf(kind: str, name: str, unit: str, seal: bool = True) -> bytes:
    pages = render_form_pages(kind, name, unit, seal=seal)
    return to_pdf([scanned(p, skew=0.8, jpeg_quality=80) for p in pages])


def clean_submission() -> bytes:
    unit = "杭州市西湖区社区学院"
    name = "“银龄触网”智能手机应用进社区"
    return build_mail(MailSpec(
        subject=f"{unit}+智慧助老材料+1个",
        attachments=[(f"{unit}+案例.docx", build_case_form(name=name, unit=unit)),
                     (f"{unit}+案例盖章扫描件.pdf", _scan_pdf("case", name, unit))],
        date=datetime(2022, 4, 20, 10, 30, tzinfo=CST), message_id="<demo-xihu-1@163.com>",
        filename_style="encoded-word"))


def missing_scan_bad_phone() -> bytes:
    unit = "宁波市鄞州区社区学院"
    return build_mail(MailSpec(
        subject=f"回复：{unit} 智慧助老材料 2个",
        sender=("鄞州社区学院", "yzsqxy@126.com"),
        body="老师您好，附件是我们的培训项目申报表，请查收。",
        attachments=[(f"{unit}+培训项目.docx",
                      build_project_form(name="“数字银龄”老年人智能技术培训", unit=unit, contact_phone="0574-8812"))],
        date=datetime(2022, 4, 28, 16, 5, tzinfo=CST), message_id="<demo-yinzhou-1@126.com>", charset="gb2312"))


def course_link_without_code() -> bytes:
    unit = "温州市鹿城区社区学院"
    name = "手把手教您用手机挂号就医"
    jpg = to_jpeg(scanned(render_form_pages("course", name, unit)[0], rotate=90), 80)
    return build_mail(MailSpec(
        subject=f"{unit}-智慧助老材料-1份",
        sender=("鹿城区社区学院", "lcsqxy@qq.com"),
        body=f"您好！课程视频已上传百度网盘：\n链接：{LINK}\n--来自百度网盘超级会员V3的分享",
        attachments=[(f"{unit}+课程资源.docx", build_course_form(name=name, unit=unit)),
                     (f"{unit}+课程资源盖章件.jpg", jpg)],
        date=datetime(2022, 5, 3, 9, 12, tzinfo=CST), message_id="<demo-lucheng-1@qq.com>",
        filename_style="rfc2231", transfer="quoted-printable"))


def city_forwards_district_zip() -> bytes:
    city, district = "嘉兴市社区教育指导中心", "嘉兴市平湖市社区学院"
    name = "平湖市智慧助老“百千万”专项行动"
    archive = gbk_zip([("平湖市+案例.docx", build_case_form(name=name, unit=district)),
                       ("平湖市+案例盖章件.pdf", _scan_pdf("case", name, district))])
    return build_mail(MailSpec(
        subject=f"{city}＋智慧助老材料＋一个",
        sender=("嘉兴市社区教育指导中心", "jxsqjy@163.com"),
        body="各位老师好，现报送平湖市的智慧助老案例材料（压缩包），请查收。",
        attachments=[("嘉兴市智慧助老材料.zip", archive)],
        date=datetime(2022, 5, 9, 14, 0, tzinfo=CST), message_id="<demo-jiaxing-1@163.com>"))


def out_of_office() -> bytes:
    return build_mail(MailSpec(
        subject="自动回复：关于征集智慧助老材料的通知",
        sender=("湖州市社区学院", "hzsqxy@163.com"),
        body="您好，我正在休假，5月10日后回复您的邮件。",
        extra_headers={"Auto-Submitted": "auto-replied"},
        date=datetime(2022, 4, 21, 8, 0, tzinfo=CST), message_id="<demo-huzhou-ooo@163.com>"))


def demo_messages() -> list[tuple[str, bytes]]:
    """(file name, raw bytes) of every demo message, in the order they 'arrive'."""
    clean = clean_submission()
    return [
        ("01-西湖区-完整.eml", clean),
        ("02-鄞州区-缺扫描件.eml", missing_scan_bad_phone()),
        ("03-鹿城区-链接无提取码.eml", course_link_without_code()),
        ("04-嘉兴市-压缩包.eml", city_forwards_district_zip()),
        ("05-湖州市-自动回复.eml", out_of_office()),
        ("06-西湖区-重复发送.eml", clean),
    ]
