"""What the top of a form says, from lines of text (OCR or a PDF text layer): which form, its name, its unit.

Tolerant of an OCR slip or two, and strict about where a title stands: a
cover letter that names a form in a sentence or its list of 附件 is not the
form.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from parsers import word_labels
from parsers.facts import FORM_TITLES

TITLE_KINDS = [("summary", "信息汇总表")] + [(k, t) for k, t in FORM_TITLES.items()]
NAME_LABELS = tuple(word_labels.NAME_LABELS.values())  # the Word reader's labels: one list for both
UNIT_LABELS = ("申报单位", "填报单位")


@dataclass
class FormFields:
    """What the title band says: form kind (None if no title), name, unit."""

    kind: str | None = None
    name: str | None = None
    unit: str | None = None


def tidy(text: str) -> str:
    """Full-width punctuation between Chinese characters, as the forms are typed."""
    text = re.sub(r"(?<=[\u4e00-\u9fff]):|:(?=[\u4e00-\u9fff])", "：", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff]);", "；", text)
    return re.sub(r"(?<=[\u4e00-\u9fff]),", "，", text)


def _compact(line: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))


def _best_window(text: str, title: str) -> tuple[float, int]:
    """Best similarity of ``title`` to any same-length stretch of ``text``, and where that stretch starts."""
    n = len(title)
    if len(text) <= n:
        return difflib.SequenceMatcher(None, text, title).ratio(), 0
    best, start = 0.0, 0
    for i in range(len(text) - n + 1):
        ratio = difflib.SequenceMatcher(None, text[i : i + n], title).ratio()
        if ratio > best:
            best, start = ratio, i
    return best, start


# A line that names a form inside a sentence or a list — a cover letter's 现将《…》案例申报表报送给你们,
# its 附件：1.…申报表 — rather than heading the form itself.
# Punctuation counts between words only: a speck at a line's end may read as a comma.
_PROSE = re.compile(r"(?<=\w)[,，。;；!?！？](?=\w)|现将|报送|呈报|上报|请予|请查收|你们|贵单位|关于|的函")
_LIST_ITEM = re.compile(r"》|附件[:：]|(?<!件)(?<!\d)\d+[.、]$")
_LETTER = re.compile(r"^关于.{2,40}(?:函|报告|请示|通知|说明)$")  # 关于报送…的函: a letter's own title


def _heading(text: str, start: int, length: int) -> bool:
    """Whether the title found at ``text[start:start+length]`` heads the line, as a form's title does.

    A form's title line is the title, perhaps after 附件2, a year, a place or
    “智慧助老”, perhaps with a stray OCR mark after it; a line that quotes a
    form's name before the title, lists it after 附件： or 1., or goes on with
    a sentence names the form without being it.
    """
    before, after = text[:start], text[start + length :]
    after_letters = [ch for ch in after if unicodedata.category(ch)[0] in "LN"]
    if len(after_letters) > 1 and not re.fullmatch(r"[(（][^)）]{0,8}[)）]", after):
        return False
    return not (_PROSE.search(text) or _LIST_ITEM.search(before))


def classify_title(lines: list[str]) -> str | None:
    """Form kind from the first lines' title, tolerant of an OCR slip or two.

    Only a line the title heads counts: a cover letter that names the form
    in a sentence or its list of 附件 is not the form (issue 21), nor is
    anything under a letter's own title, even a form's title that a line
    break left alone on its line.
    """
    best, best_ratio = None, 0.0
    for line in lines[:8]:
        text = _compact(line)
        if _LETTER.match(text):
            break
        summary = text.find("汇总表")
        if summary >= 0 and _heading(text, summary, 3):
            return "summary"
        for kind, title in TITLE_KINDS:
            ratio, start = _best_window(text, title)
            if ratio > best_ratio and _heading(text, start, len(title)):
                best, best_ratio = kind, ratio
    return best if best_ratio >= 0.7 else None


def _label_value(text: str, labels: tuple[str, ...]) -> str | None:
    """The value after one of ``labels`` at the start of ``text`` (one wrong character allowed)."""
    for label in labels:
        head = text[: len(label)]
        if sum(a == b for a, b in zip(head, label)) >= len(label) - 1:
            rest = text[len(label) :]
            if rest.startswith("意见"):
                return None
            rest = re.sub(r"^[（(][^）)]{0,6}[）)]", "", rest)
            rest = rest.lstrip("：:|丨[]【】 ").rstrip("|丨[]【】 ")
            return rest or None
    return None


def parse_fields(lines: list[str]) -> FormFields:
    """Kind, name and unit from lines of a form's top (OCR or a PDF text layer)."""
    fields = FormFields(kind=classify_title(lines))
    for line in lines:
        text = tidy(re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", line.strip()))
        if fields.name is None:
            fields.name = _label_value(text, NAME_LABELS)
        if fields.unit is None:
            fields.unit = _label_value(text, UNIT_LABELS)
    return fields
