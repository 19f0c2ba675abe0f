"""The labels of the three official forms and how to recognise them in text.

Units retype the forms in many ways: `案 例 名 称`, full-width colons, hints in
brackets (`基本情况（500字以内）`), numbering (`一、基本情况`), synonyms
(`联系方式` for `联系电话`). Everything here answers one question: does this
piece of text start with a label, and if so which one and what follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Canonical label -> spellings seen in real forms (the canonical one first).
ALIASES: dict[str, tuple[str, ...]] = {
    "案例名称": ("案例名称",),
    "项目名称": ("项目名称", "培训项目名称"),
    "课程名称": ("课程名称", "课程资源名称"),
    "申报单位": ("申报单位", "申报单位名称"),
    "负责人联系电话": ("负责人联系电话", "负责人电话"),
    "联系人联系电话": ("联系人联系电话", "联系人电话"),
    "负责人": ("负责人", "项目负责人", "案例负责人", "课程负责人"),
    "联系人": ("联系人",),
    "联系电话": ("联系电话", "联系方式", "手机号码", "手机", "电话"),
    "授课人": ("授课人", "主讲人", "授课教师"),
    "单位及职务（职称）": ("单位及职务（职称）", "单位及职务", "单位及职称", "工作单位及职务"),
    "培训期数": ("培训期数",),
    "培训人次": ("培训人次",),
    "培训内容": ("培训内容",),
    "培训效果": ("培训效果",),
    "课程资源类型": ("课程资源类型", "资源类型"),
    "视频时长": ("视频时长",),
    "核心成员": ("核心成员", "主要成员", "团队成员"),
    "曾获奖项": ("曾获奖项", "获奖情况"),
    "课程主要内容": ("课程主要内容", "课程内容", "主要内容"),
    "案例内容": ("案例内容",),
    "基本情况": ("基本情况",),
    "主要做法": ("主要做法",),
    "经验效果": ("经验效果", "经验成效", "成效经验"),
}
SHARE_LABEL = "是否同意纳入共享"
NAME_LABELS = {"case": "案例名称", "project": "项目名称", "course": "课程名称"}
SECTIONS = ("基本情况", "主要做法", "经验效果")
PEOPLE = ("负责人", "联系人", "授课人")

KIND_LABELS: dict[str, frozenset[str]] = {
    "case": frozenset({"案例名称", "案例内容", *SECTIONS}),
    "project": frozenset(
        {"项目名称", "授课人", "单位及职务（职称）", "培训期数", "培训人次", "培训内容", "培训效果"}
    ),
    "course": frozenset({"课程名称", "课程资源类型", "视频时长", SHARE_LABEL, "核心成员", "曾获奖项", "课程主要内容"}),
}
COMMON_LABELS = frozenset(
    {"申报单位", "负责人", "联系人", "联系电话", "负责人联系电话", "联系人联系电话", "授课人联系电话"}
)
# Labels whose value runs over several paragraphs in paragraph-style forms.
LONG_LABELS = frozenset({"案例内容", *SECTIONS, "培训内容", "培训效果", "课程主要内容", "核心成员", "曾获奖项"})

_NUMBERING = r"(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}\s*[、.．])?\s*"
_HINT = r"(?:\s*[（(][^）)\n]{0,60}[）)])?"
_END = r"\s*(?P<sep>[:：]|\n|$)"
_OPINION = re.compile(_NUMBERING + r"(?P<label>(?:[^\s：:（(，。；;]\s*){2,20}?意\s*见)" + _HINT + _END, re.S)
# Who gives an opinion row: keeps a content line such as "征求学员意见" from being a label.
_OPINION_BODIES = ("单位", "中心", "部门", "机构", "教育局", "教育厅", "主管", "学校", "学院")
# The sharing question, however a province words it: …纳入平台共享, …公开推广, …在平台公开, …推广使用.
_SHARE_WORDS = r"(?:共\s*享|公\s*开|推\s*广|使\s*用)"
_SHARE = re.compile(_NUMBERING + rf"是\s*否\s*同\s*意[^：:\n☐□☑■√✔☒]{{0,40}}?{_SHARE_WORDS}(?:\s*{_SHARE_WORDS})*"
                    + _HINT + r"\s*[:：]?", re.S)


@dataclass
class LabelMatch:
    label: str  # canonical name
    rest: str  # text after the label (and its colon), may be empty
    inline: bool  # a colon or the same line carried a value


def _char_pattern(ch: str) -> str:
    if ch in "（(":
        return "[（(]"
    if ch in "）)":
        return "[）)]"
    return re.escape(ch)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern]]:
    """One anchored regex per spelling, longest spelling first."""
    spellings = [(canon, alias) for canon, aliases in ALIASES.items() for alias in aliases]
    spellings.sort(key=lambda pair: -len(pair[1]))
    out = []
    for canon, alias in spellings:
        body = r"\s*".join(_char_pattern(ch) for ch in alias)
        out.append((canon, re.compile(_NUMBERING + body + _HINT + _END, re.S)))
    return out


def match_label(text: str) -> LabelMatch | None:
    """Which label `text` starts with, if its next thing is a colon, a line break or the end."""
    stripped = text.lstrip()
    share = _SHARE.match(stripped)
    if share:
        rest = stripped[share.end():].strip()
        return LabelMatch(SHARE_LABEL, rest, bool(rest))
    for canon, pattern in _patterns():
        m = pattern.match(stripped)
        if m:
            return _found(canon, stripped, m)
    m = _OPINION.match(stripped)
    label = re.sub(r"\s+", "", m.group("label")) if m else ""
    if m and any(word in label for word in _OPINION_BODIES):
        return _found(label, stripped, m)
    return None


def _found(canon: str, text: str, m: re.Match) -> LabelMatch:
    rest = text[m.end():]
    return LabelMatch(canon, rest.strip(), m.group("sep") in ":：")


def split_inline(value: str) -> tuple[str, str | None]:
    """Split `王建华　　联系电话：138…` into the value and the next labelled part."""
    if "\n" in value:
        return value, None
    head = match_label(value)
    if head and head.inline:  # `联系人：　　联系电话：0571…`: the value was left empty
        return "", value
    for gap in re.finditer(r"\s+", value):
        tail = value[gap.end():]
        found = match_label(tail)
        if found and found.inline:
            return value[: gap.start()].strip(), tail
    return value, None


# ----------------------------------------------------------------------------
# Tick boxes: which options of a choice row are chosen
# ----------------------------------------------------------------------------

TICKED = frozenset("☑☒■√✔✓●◉▣✅")
UNTICKED = frozenset("☐□○")
RESOURCE_OPTIONS = {"教材（读本）": r"教\s*材", "视频资源": r"视\s*频", "其他": r"其\s*[他它]"}
CONSENT_OPTIONS = {"yes": r"(?<!不)同\s*意|是", "no": r"不\s*同\s*意|否"}


def ticked_options(text: str, options: dict[str, str]) -> list[str]:
    """Options whose box is ticked.

    A mark belongs to the option after it (`☑视频资源`) when the row starts
    with a mark, else to the option before it (`视频资源√`). Without any marks,
    options someone left while deleting the others count as chosen.
    """
    found = []
    for name, pattern in options.items():
        m = re.search(pattern, text)
        if m:
            found.append((m.start(), m.end(), name))
    found.sort()
    marks = [i for i, ch in enumerate(text) if ch in TICKED or ch in UNTICKED]
    if not found:
        return []
    if not marks:
        return [name for *_, name in found] if len(found) < len(options) else []
    leading = marks[0] < found[0][0]
    chosen = []
    for index, (start, end, name) in enumerate(found):
        if leading:
            segment = text[found[index - 1][1] if index else 0 : start]
            mark = next((ch for ch in reversed(segment) if ch in TICKED or ch in UNTICKED), None)
        else:
            segment = text[end : found[index + 1][0] if index + 1 < len(found) else len(text)]
            mark = next((ch for ch in segment if ch in TICKED or ch in UNTICKED), None)
        if mark in TICKED:
            chosen.append(name)
    return chosen


def parse_resource_types(text: str) -> list[str]:
    chosen = set(ticked_options(text, RESOURCE_OPTIONS))
    return [name for name in RESOURCE_OPTIONS if name in chosen]


def parse_consent(text: str) -> bool | None:
    """是/否 or 同意/不同意, ticked or written; None when unanswered or both chosen."""
    chosen = ticked_options(text.strip(), CONSENT_OPTIONS)
    if chosen == ["yes"]:
        return True
    if chosen == ["no"]:
        return False
    return None


def parse_minutes(text: str) -> float | None:
    """`45分钟`, `1小时30分`, `1.5小时`, `45 min` -> minutes."""
    hours = re.search(r"(\d+(?:\.\d+)?)\s*(?:个\s*)?(?:小时|h\b)", text)
    minutes = re.search(r"(\d+(?:\.\d+)?)\s*(?:分钟|分|min)", text)
    if not hours and not minutes:
        return None
    total = (float(hours.group(1)) * 60 if hours else 0.0) + (float(minutes.group(1)) if minutes else 0.0)
    return total
