"""The course form's facts written the ways units write them, in every carrier a form travels in.

A *writing* is how a person fills one fact of 附件4 典型课程资源申报表: the
sharing question ticked with ☑ √ ■ ✔, typed as 同意, answered in a Word check
box control or with WPS's Wingdings tick glyphs; the phone as a landline with
its area code, a mobile, both, with a 转 extension or in full-width digits;
the 申报单位 as the subject writes it or with its （盖章） tag. Each writing is
the keyword arguments of `build_course_form`. A *broken* writing carries one
mistake and the defect code that must name it.

A *form carrier* is how the form file reaches us: the .docx itself, saved by
LibreOffice as Word 97 .doc or as WPS's .wps, zipped with GBK member names,
in a 7z, inside a county's mail a city forwards as an attachment
(message/rfc822), or re-sent by the city with 转发： and the quoted header
block in the body. A *scan carrier* is how the stamped scan comes: an
image-only PDF, a JPEG, a PNG, a multi-page TIFF, pasted into the HTML body,
inside a zip or a 7z. Every builder returns a `Carried` mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from tests.support.archives import seven_zip
from ingest.samples.forms import build_course_form
from ingest.samples.mails import MailSpec, build_mail, gbk_zip
from tests.support.office import office_save
from ingest.samples.paper import to_jpeg, to_pdf, to_png, to_tiff
from ingest.samples.scans import render_form_page, text_pdf

UNIT = "沈阳市和平区社区学院"
COURSE = "老年人智能手机应用入门"
OTHER_UNIT = "大连市中山区社区学院"
SUBJECT = f"{UNIT}+智慧助老材料+1个"
COUNTY = ("和平区社区学院 刘老师", "hpsqxy@163.com")
CITY = ("沈阳市社区教育指导中心 赵老师", "sysqjyzx@163.com")
LINK = "链接：https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv 提取码：ab12 \n--来自百度网盘超级会员V5的分享"
BODY = f"您好！\n附件是我单位报送的智慧助老课程资源材料，请查收。\n课程视频：\n{LINK}\n\n{UNIT}\n联系人：刘丽 13904001234"
FORM_NAME = f"{UNIT}+课程资源.docx"

Writing = dict  # keyword arguments of build_course_form

CONSENT: dict[str, Writing] = {
    "box-☑": {"tick_style": "☑"},
    "tick-√": {"tick_style": "√"},
    "square-■": {"tick_style": "■"},
    "check-✔": {"tick_style": "✔"},
    "cross-☒": {"tick_style": "☒"},
    "typed-同意": {"consent_style": "word"},
    "word-checkbox-control": {"tick_style": "content_control"},
    "wps-wingdings2-sym": {"tick_style": "wingdings"},
    "wps-wingdings-fe": {"tick_style": "wingdings_fe"},
    "wps-wingdings2-letter": {"tick_style": "wingdings_text"},
    "wps-wingdings2-private-use": {"tick_style": "wingdings_pua"},
    "symbol-font-√": {"tick_style": "symbol"},
    "☑同意-□不同意": {"consent_style": "agree"},
    "是（√）否（）": {"consent_style": "bracket"},
    "公开推广-question": {"share_label": "是否同意公开推广"},
    "instruction-under-question": {"share_label": "是否同意纳入全国老年教育公共服务平台共享\n（请在□内打√）"},
    "平台公开-question-同意": {"share_label": "是否同意在全国老年教育公共服务平台公开", "consent_style": "agree",
                           "tick_style": "√"},
    "ticked-否": {"share_consent": False},  # declining to share is an answer, not a defect
}
PHONE: dict[str, Writing] = {
    "landline-area-code": {"contact_phone": "024-23456789"},
    "landline-bracketed-area": {"contact_phone": "（024）23456789"},
    "mobile": {"contact_phone": "13904001234"},
    "mobile-spaced": {"contact_phone": "139 0400 1234"},
    "landline-and-mobile": {"contact_phone": "024-23456789 13904001234"},
    "座机-手机-labelled": {"contact_phone": "座机：024-23456789 手机：13904001234"},
    "landline-slash-mobile": {"contact_phone": "024-23456789/13904001234"},
    "extension-转": {"contact_phone": "024-23456789转8012"},
    "fullwidth-digits": {"contact_phone": "０２４－２３４５６７８９"},
    "fullwidth-mobile": {"contact_phone": "１３９０４００１２３４"},
    "landline-mobile-bracket-tags": {"contact_phone": "024-23456789（办）13904001234（手机）"},
    "landline-then-spaced-mobile": {"contact_phone": "024-23456789 139 0400 1234"},
    "leader-fullwidth-extension": {"leader_phone": "０２４－２３４５６７８９转８０１２"},
}
UNIT_WRITINGS: dict[str, Writing] = {
    "as-in-subject": {"unit": UNIT},
    "with-seal-tag": {"unit": f"{UNIT}（盖章）"},
    "spaced": {"unit": "沈阳市和平区 社区学院"},
    "with-公章-tag-ascii": {"unit": f"{UNIT}(公章)"},
    "without-city": {"unit": "和平区社区学院"},
}
WRITINGS: dict[str, Writing] = {
    **{f"consent-{k}": v for k, v in CONSENT.items()},
    **{f"phone-{k}": v for k, v in PHONE.items()},
    **{f"unit-{k}": v for k, v in UNIT_WRITINGS.items()},
}
# One mistake each, and the one code that must name it.
BROKEN: dict[str, tuple[Writing, str]] = {
    "consent-not-ticked": ({"share_consent": None}, "SHARE_CONSENT_MISSING"),
    "consent-not-ticked-wingdings": ({"share_consent": None, "tick_style": "wingdings"}, "SHARE_CONSENT_MISSING"),
    "consent-not-ticked-control": ({"share_consent": None, "tick_style": "content_control"},
                                   "SHARE_CONSENT_MISSING"),
    "consent-not-ticked-公开推广": ({"share_consent": None, "share_label": "是否同意公开推广"},
                                "SHARE_CONSENT_MISSING"),
    "consent-not-ticked-under-instruction": (
        {"share_consent": None, "share_label": "是否同意纳入全国老年教育公共服务平台共享\n（请在□内打√）"},
        "SHARE_CONSENT_MISSING"),
    "consent-brackets-empty": ({"share_consent": None, "consent_style": "bracket"}, "SHARE_CONSENT_MISSING"),
    "phone-mobile-10-digits": ({"contact_phone": "1390400123"}, "PHONE_INVALID"),
    "phone-landline-no-area-short": ({"contact_phone": "2345678"}, "PHONE_INVALID"),
    "phone-second-number-short": ({"contact_phone": "024-23456789 1390400123"}, "PHONE_INVALID"),
    "unit-of-another-city": ({"unit": OTHER_UNIT}, "UNIT_MISMATCH"),
}


def _writing(name: str) -> Writing:
    return WRITINGS[name] if name in WRITINGS else BROKEN[name][0]


@lru_cache(maxsize=None)
def form_docx(name: str) -> bytes:
    return build_course_form(**{"name": COURSE, "unit": UNIT, **_writing(name)})


# Format -> (LibreOffice target, straight from .docx). "doc-ending-in-table" is the .doc LibreOffice
# writes straight from a .docx: its last table lacks the closing paragraph, LibreOffice's own reader
# runs it together and our .doc reader (parsers/doc_text.py) rebuilds the table from the cell marks.
OFFICE = {"doc": ("doc", False), "wps": ("wps", False), "doc-ending-in-table": ("doc", True)}


@lru_cache(maxsize=None)
def _office_batch(fmt: str) -> dict[str, bytes]:
    """Every writing saved by LibreOffice as `fmt`, in one soffice run (a cold start costs seconds)."""
    target, direct = OFFICE[fmt]
    names = [*WRITINGS, *BROKEN]
    saved = office_save({f"{i:03d}.docx": form_docx(n) for i, n in enumerate(names)}, target, direct=direct)
    return {n: saved[f"{i:03d}.{target}"] for i, n in enumerate(names)}


def form_file(name: str, fmt: str) -> tuple[str, bytes]:
    """The form of writing `name` as a .docx file or in one of the OFFICE formats."""
    if fmt == "docx":
        return FORM_NAME, form_docx(name)
    return FORM_NAME.replace(".docx", f".{OFFICE[fmt][0]}"), _office_batch(fmt)[name]


@lru_cache(maxsize=None)
def sealed_pdf(unit: str = UNIT) -> bytes:
    """The form exported to PDF with an electronic seal: a text layer, so no OCR is spent on it."""
    return text_pdf("course", COURSE, unit, seal=True)


def sealed_scan(unit: str = UNIT) -> tuple[str, bytes]:
    return f"{UNIT}+课程资源（电子章）.pdf", sealed_pdf(unit)


# --------------------------------------------------------------------------- mails


@dataclass
class Carried:
    """One mail as its builder lays it out."""

    subject: str = SUBJECT
    sender: tuple[str, str] = COUNTY
    body: str = BODY
    html: str | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    inline: list[tuple[str | None, bytes]] = field(default_factory=list)
    forwarded: list[bytes] = field(default_factory=list)

    def raw(self, message_id: str) -> bytes:
        return build_mail(MailSpec(subject=self.subject, sender=self.sender, body=self.body, html=self.html,
                                   attachments=self.attachments, inline=self.inline, forwarded=self.forwarded,
                                   message_id=message_id))


Files = list[tuple[str, bytes]]

QUOTED = (
    "\n\n------------------ 原始邮件 ------------------\n"
    f"发件人: \"{COUNTY[0]}\"<{COUNTY[1]}>;\n"
    "发送时间: 2022年4月19日(星期二) 下午3:20\n"
    f"收件人: \"{CITY[0]}\"<{CITY[1]}>;\n"
    f"主题: {SUBJECT}\n\n"
)


def _county_mail(files: Files) -> bytes:
    return Carried(attachments=files).raw("<county-original-0419@163.com>")


FORM_CARRIERS: dict[str, Callable[[Files], Carried]] = {
    "attached": lambda files: Carried(attachments=files),
    "zip-gbk-names": lambda files: Carried(attachments=[(f"{UNIT}+智慧助老材料.zip", gbk_zip(files))]),
    "7z": lambda files: Carried(attachments=[(f"{UNIT}+智慧助老材料.7z", seven_zip(files))]),
    "forwarded-as-attachment": lambda files: Carried(
        subject=f"转发：{SUBJECT}", sender=CITY, body="您好！转发和平区社区学院报送材料，请查收。\n\n沈阳市社区教育指导中心",
        forwarded=[_county_mail(files)]),
    "forwarded-inline-转发": lambda files: Carried(
        subject=f"转发：{SUBJECT}", sender=CITY, body="请审核。" + QUOTED + BODY, attachments=files),
}
FORMATS = ("docx", *OFFICE)


@lru_cache(maxsize=1)
def scan_page():
    """The printed, stamped course form as the scanner made it (a little skewed)."""
    return render_form_page("course", COURSE, UNIT, skew=0.6)


HTML = "<p>老师您好：</p><p>申报表见附件，盖章扫描件如下：</p>"
SCAN_CARRIERS: dict[str, Callable[[tuple[str, bytes]], Carried]] = {
    "pdf": lambda form: Carried(attachments=[form, (f"{UNIT}+课程资源盖章扫描件.pdf", to_pdf([scan_page()]))]),
    "jpg": lambda form: Carried(attachments=[form, (f"{UNIT}+课程资源盖章件.jpg", to_jpeg(scan_page(), 80))]),
    "png": lambda form: Carried(attachments=[form, (f"{UNIT}+课程资源盖章件.png", to_png(scan_page()))]),
    "tiff": lambda form: Carried(attachments=[form, (f"{UNIT}+课程资源扫描件.tif", to_tiff([scan_page()]))]),
    "pasted-in-html": lambda form: Carried(html=HTML, attachments=[form], inline=[(None, to_jpeg(scan_page(), 80))]),
    "zip": lambda form: Carried(attachments=[(f"{UNIT}+材料.zip", gbk_zip(
        [form, (f"{UNIT}+课程资源盖章扫描件.pdf", to_pdf([scan_page()]))]))]),
    "7z": lambda form: Carried(attachments=[(f"{UNIT}+材料.7z", seven_zip(
        [form, (f"{UNIT}+课程资源盖章件.jpg", to_jpeg(scan_page(), 80))]))]),
}
