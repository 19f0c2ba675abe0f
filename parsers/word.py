"""Read a Word application form (附件2/3/4) into an ApplicationForm.

The document is walked in reading order as "blocks" (parsers/word_blocks.py:
every paragraph outside tables, every table cell exactly once); each label's
value is found among them (parsers/word_values.py); here the blocks' title
and labels decide which form it is, and its fields are filled. Nothing here
judges the form: that is the rules' job.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from itertools import groupby

import docx

from parsers import word_labels as L
from parsers.doc_convert import ensure_docx
from parsers.facts import FORM_TITLES, ApplicationForm, UnreadableFile
from parsers.word_blocks import Block, body_blocks, header_texts, hyperlinks_of
from parsers.word_values import label_values, merge_values

TITLE_WORDS = {
    "case": ("工作案例申报表", "案例申报表"),
    "project": ("培训项目申报表", "项目申报表"),
    "course": ("课程资源申报表", "课程申报表"),
}
FALLBACK_LABELS = {
    "case": {"案例内容", *L.SECTIONS},
    "project": {"授课人", "培训期数", "培训人次", "培训内容", "培训效果"},
    "course": {"课程资源类型", L.SHARE_LABEL, "课程主要内容", "核心成员"},
}


@dataclass
class WordDocument:
    form: ApplicationForm | None  # set when it is one of the 3 official forms
    is_summary: bool  # 信息汇总表 / 汇总表 document
    heading: str  # first non-empty title-ish line
    text: str  # all text: paragraphs, table cells (merged cells once), headers
    hyperlinks: list[str] = field(default_factory=list)


def read_word(data: bytes, filename: str) -> WordDocument:
    """Parse a .docx (or convertible .doc/.wps); raise UnreadableFile with a Chinese reason."""
    document = _open(ensure_docx(data, filename), filename)
    blocks = list(body_blocks(document.element.body))
    headers = header_texts(document)
    text = "\n".join([*headers, *_lines(blocks)])
    hyperlinks = hyperlinks_of(document)
    pairs, title_lines = label_values(blocks)
    heading = _heading(title_lines or [b.text for b in blocks])
    is_summary = _is_summary(heading, title_lines, blocks)
    kind = None if is_summary else _kind(pairs, title_lines)
    form = _build_form(kind, pairs, text, hyperlinks) if kind else None
    return WordDocument(form=form, is_summary=is_summary, heading=heading, text=text, hyperlinks=hyperlinks)


def _lines(blocks: list[Block]) -> list[str]:
    """Paragraphs one per line; a table row's cells on one line, separated by tabs, as a sheet's are.

    Link finding pairs a link with the code in its own row, and reads a
    提取码 column by position: both need a row to stay one line.
    """
    lines: list[str] = []
    for _, group in groupby(blocks, key=lambda b: (b.table, b.row) if b.table is not None else id(b)):
        row = list(group)
        if row[0].table is None:
            lines += [row[0].text] if row[0].text.strip() else []
        elif any(b.text.strip() for b in row):
            lines.append("\t".join(b.text.strip() for b in row))
    return lines


def _open(data: bytes, filename: str):
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - zip, XML and content-type errors all mean "cannot open"
        raise UnreadableFile(
            f"附件《{filename}》无法作为 Word 文档打开（文件可能已损坏，或并非 .docx 格式）。"
            "请确认文件能在电脑上正常打开，另存为 .docx 格式后重新发送。"
        ) from exc


# ----------------------------------------------------------------------------
# What kind of document, and the form itself
# ----------------------------------------------------------------------------


def _heading(lines: list[str]) -> str:
    for raw in lines:
        for line in raw.split("\n"):
            line = line.strip()
            if line and not re.fullmatch(r"附\s*件\s*\d*\s*[:：]?", line) and len(line) <= 80:
                return line
    return ""


def _is_summary(heading: str, title_lines: list[str], blocks: list[Block]) -> bool:
    title = re.sub(r"\s+", "", heading + "".join(title_lines))
    if "汇总表" in title or "一览表" in title:
        return True
    return any(b.first_cell and re.sub(r"\s+", "", b.text) == "序号" for b in blocks)


def _kind(pairs: list[tuple[str, str]], title_lines: list[str]) -> str | None:
    """Name label first (most specific), then the title, then the kind's other labels."""
    labels = {label for label, _ in pairs}
    by_name = [kind for kind, name in L.NAME_LABELS.items() if name in labels]
    if len(by_name) == 1 and _has_form_labels(by_name[0], labels):
        return by_name[0]
    title = re.sub(r"\s+", "", "".join(title_lines))
    for kind, official in FORM_TITLES.items():
        if official in title:
            return kind
    for kind, words in TITLE_WORDS.items():
        if any(word in title for word in words):
            return kind
    common = labels & {"申报单位", "负责人", "联系人"}
    scores = {kind: len(labels & wanted) for kind, wanted in FALLBACK_LABELS.items()}
    best = max(scores, key=scores.get)
    return best if common and scores[best] >= 2 else None


def _has_form_labels(kind: str, labels: set[str]) -> bool:
    """A form has its name label among others of its own (申报单位, 负责人, 课程资源类型 …).

    A table listing courses (课程名称 | 网盘链接 | 提取码, one course a row)
    has the name label as a column header and hardly any other: it is a list
    of links, not an application form missing every field.
    """
    others = labels & (L.KIND_LABELS[kind] | L.COMMON_LABELS) - {L.NAME_LABELS[kind]}
    return len(others) >= 2


def _build_form(kind: str, pairs, text: str, hyperlinks: list[str]) -> ApplicationForm:
    merged = merge_values(pairs)
    allowed = L.KIND_LABELS[kind] | L.COMMON_LABELS
    # Another kind's labels are dropped; a label no official form has (职务, 邮箱) is kept as written.
    fields = {k: v for k, v in merged.items() if k in allowed or k.endswith("意见") or k not in L.ALIASES}
    form = ApplicationForm(
        kind=kind,
        title=fields.get(L.NAME_LABELS[kind]) or None,
        unit=fields.get("申报单位") or None,
        fields=fields,
        text=text,
        hyperlinks=list(hyperlinks),
    )
    if kind == "case":
        _case_sections(form)
    elif kind == "course":
        _course_choices(form)
    return form


def _case_sections(form: ApplicationForm) -> None:
    """Count each content section's characters (whitespace excluded) for the length limits."""
    fields = form.fields
    sections = {name: fields[name] for name in L.SECTIONS if fields.get(name)}
    if sections and not fields.get("案例内容"):
        fields["案例内容"] = "\n".join(f"{name}\n{body}" for name, body in sections.items())
    for name, body in sections.items():
        form.section_lengths[name] = count_chars(body)
    whole = sum(form.section_lengths.values()) if sections else count_chars(fields.get("案例内容", ""))
    form.section_lengths["全文"] = whole


def _course_choices(form: ApplicationForm) -> None:
    types_text = form.fields.get("课程资源类型", "")
    form.resource_types = L.parse_resource_types(types_text)
    form.video_minutes = L.parse_minutes(form.fields.get("视频时长", "")) or L.parse_minutes(types_text)
    form.share_consent = L.parse_consent(form.fields.get(L.SHARE_LABEL, ""))


def count_chars(text: str) -> int:
    """Characters as the notice counts them: everything but whitespace."""
    return len(re.sub(r"\s+", "", text))
