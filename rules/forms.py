"""Checks on the Word application forms (附件2/3/4) a submission carries.

Each rule reads `sub.forms()` — materials whose Word form was parsed — and
reports what a reviewer would otherwise send back by hand: blank fields,
phone numbers that cannot be dialled, case sections over the word limits,
the course form's unanswered sharing question, and forms filled in for a unit
other than the one named in the mail subject.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from parsers.facts import FORM_TITLES, Defect, Material, Submission
from rules.campaign import Campaign

PEOPLE_AND_PHONES = ("负责人", "负责人联系电话", "联系人", "联系人联系电话")
REQUIRED: dict[str, tuple[str, ...]] = {
    "case": ("案例名称", "申报单位", *PEOPLE_AND_PHONES, "基本情况", "主要做法", "经验效果"),
    "project": (
        "项目名称", "申报单位", *PEOPLE_AND_PHONES, "授课人", "培训期数", "培训人次", "培训内容", "培训效果",
    ),
    "course": ("课程名称", "申报单位", *PEOPLE_AND_PHONES, "课程主要内容"),
}
SECTIONS = ("基本情况", "主要做法", "经验效果")
BLANK = {"", "/", "／", "\\", "-", "—", "——", "无", "暂无", "空", "待定", "略"}
SAME_AS_ABOVE = {"同上", "同负责人", "同左", "同前"}


def check_form_fields(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """FIELD_MISSING: a required field of a form is blank."""
    for material in sub.forms():
        form = material.form
        for label in REQUIRED.get(form.kind, ()):
            if _is_filled(form.fields, label):
                continue
            yield Defect("FIELD_MISSING", "error", _missing_message(material, label), where=label)
        if form.kind == "course":
            yield from _course_choices_missing(material)


def check_form_phones(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """PHONE_INVALID: a phone field holds something that is not a dialable number."""
    for material in sub.forms():
        for label, value in material.form.fields.items():
            if not label.endswith("联系电话") or _blank(value) or value.strip() in SAME_AS_ABOVE:
                continue
            if not valid_phone(value):
                yield Defect(
                    "PHONE_INVALID",
                    "error",
                    f"附件《{material.filename}》中“{label}”填写为“{_short(value)}”，不是有效的手机号或固定电话"
                    "（手机号为11位，固定电话请带区号，如0571-87654321），请核对后重新填写。",
                    where=label,
                )


def check_case_lengths(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """TEXT_TOO_LONG: a case section (or the whole content) is over the notice's limit."""
    for material in sub.forms():
        form = material.form
        if form.kind != "case":
            continue
        for section, limit in campaign.text_limits.items():
            count = form.section_lengths.get(section)
            if count is None or count <= limit:
                continue
            part = "案例内容全文" if section == "全文" else f"“{section}”部分"
            yield Defect(
                "TEXT_TOO_LONG",
                "error",
                f"附件《{material.filename}》中{part}共{count}字（不含空格），超过{limit}字的要求，"
                "请精简后重新报送。",
                where=section,
            )


def check_share_consent(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """SHARE_CONSENT_MISSING: the course form does not say whether the course may be shared."""
    for material in sub.forms():
        form = material.form
        if form.kind == "course" and form.share_consent is None:
            yield Defect(
                "SHARE_CONSENT_MISSING",
                "error",
                f"附件《{material.filename}》（典型课程资源申报表）中“是否同意纳入平台共享”一栏未作选择，"
                "请勾选“是”或“否”（表中写作“同意”“不同意”的，勾选其一）后重新报送。",
                where="是否同意纳入共享",
            )


# ----------------------------------------------------------------------------
# Field helpers
# ----------------------------------------------------------------------------


def _blank(value: str | None) -> bool:
    return value is None or re.sub(r"\s+", "", value) in BLANK


def _is_filled(fields: dict[str, str], label: str) -> bool:
    if not _blank(fields.get(label)):
        return True
    if label.endswith("联系电话"):
        person = label.removesuffix("联系电话")
        if not _blank(fields.get("联系电话")):
            return True  # one unlabelled phone column serves both people
        return person == "联系人" and (fields.get("联系人") or "").strip() in SAME_AS_ABOVE
    return False


def _kind_title(material: Material) -> str:
    return FORM_TITLES.get(material.form.kind, "申报表")


def _missing_message(material: Material, label: str) -> str:
    where = f"附件《{material.filename}》（{_kind_title(material)}）"
    if label in SECTIONS and not _blank(material.form.fields.get("案例内容")):
        return (
            f"{where}的案例内容中没有找到“{label}”部分。请按“基本情况、主要做法、经验效果”三部分填写，"
            "并保留这三个小标题后重新报送。"
        )
    return f"{where}中“{label}”未填写，请补充完整后重新报送。"


def _course_choices_missing(material: Material) -> Iterable[Defect]:
    form = material.form
    where = f"附件《{material.filename}》（典型课程资源申报表）"
    if not form.resource_types:
        yield Defect(
            "FIELD_MISSING",
            "error",
            f"{where}中“课程资源类型”未勾选，请在“教材（读本）、视频资源、其他”中勾选后重新报送。",
            where="课程资源类型",
        )
    elif "视频资源" in form.resource_types and form.video_minutes is None:
        yield Defect(
            "FIELD_MISSING",
            "error",
            f"{where}勾选了“视频资源”，但未填写视频时长，请在“时长：  分钟”处填写后重新报送。",
            where="视频时长",
        )


def _short(value: str, limit: int = 40) -> str:
    flat = re.sub(r"\s+", " ", value).strip()
    return flat if len(flat) <= limit else flat[:limit] + "…"


# ----------------------------------------------------------------------------
# Phone numbers
# ----------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(
    r"(?:[（(]0\d{2,3}[）)]-?|0\d{2,3}-?)[2-9]\d{6,7}(?:(?:转|分机|ext\.?|x|#|-)\d{1,6})?", re.I
)
_COUNTRY = re.compile(r"^[（(]?(?:\+|00)?86[）)]?[\s-]*")
# Between numbers: a separator, a label such as 手机/座机/办公室 before the next number (转/分机 is an
# extension), or a bracketed word after one (`0574-87654321（办）13812345678（手机）`).
_NUMBER_SEPARATORS = re.compile(
    r"[/、,;]|或|[（(][\u4e00-\u9fff]{1,6}[）)]"
    r"|(?<![\u4e00-\u9fff])(?!(?:转|分机)\s*\d)[\u4e00-\u9fff]+[:：]?(?=\s*[\d+(（])")
_MAX_PIECES = 12  # space-separated pieces of one cell tried as numbers; a phone cell is never longer


def valid_phone(text: str) -> bool:
    """Every number in the cell is a mainland mobile or a landline with area code.

    Several numbers may share a cell, separated by / 、 ， ； or 或, by
    spaces between two complete numbers, or by the words naming each
    (`座机0574-87654321 手机13812345678`); 转/分机 after a number is its extension.
    """
    text = unicodedata.normalize("NFKC", text)  # full-width digits and dashes: ０５７１－８７６５４３２１
    parts = [p for p in _NUMBER_SEPARATORS.split(text) if re.search(r"\d", p)]
    return bool(parts) and all(_valid_part(p) for p in parts)


def _valid_part(part: str) -> bool:
    number = re.sub(r"^[^\d+（(]*", "", part.strip())  # "手机：", "办公室电话"
    number = re.sub(r"[^\d]*$", "", number)  # "（办）", trailing punctuation
    return _valid_number(number) or _numbers_between_spaces(number.split())


def _numbers_between_spaces(pieces: list[str]) -> bool:
    """Whether the space-separated pieces group, in order, into valid numbers.

    People space a number as they read it (`139 0400 1234`) and put two
    numbers side by side the same way (`0574-87654321 139 0400 1234`): the
    space inside a number and the one between numbers look alike.
    """
    if not 1 < len(pieces) <= _MAX_PIECES:
        return False

    @lru_cache(maxsize=None)
    def grouped(start: int) -> bool:
        return start == len(pieces) or any(
            _valid_number(" ".join(pieces[start:end])) and grouped(end) for end in range(start + 1, len(pieces) + 1))

    return grouped(0)


def _valid_number(number: str) -> bool:
    had_country = bool(_COUNTRY.match(number))
    number = _COUNTRY.sub("", number)
    compact = re.sub(r"[\s\-－—]", "", number)
    if _MOBILE.fullmatch(compact):
        return True
    landline = re.sub(r"\s+", "", number).replace("－", "-").replace("—", "-")
    if had_country and landline[:1].isdigit() and not landline.startswith("0"):
        landline = "0" + landline  # +86 571 8765 4321 drops the trunk 0
    return bool(_LANDLINE.fullmatch(landline))
