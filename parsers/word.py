"""Read a Word application form (附件2/3/4) into an ApplicationForm.

The document is walked in reading order as "blocks": every paragraph outside
tables, and every table cell exactly once (python-docx's row.cells repeats a
merged cell across the grid, so cells are taken from the XML: a horizontally
merged cell is one w:tc, the continuation tcs of a vertical merge are skipped).
Each block is split into labelled segments; a label's value is what follows it
in the same cell, the next cells of the row, or the next paragraphs.
Nothing here judges the form: that is the rules' job.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from itertools import groupby

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from parsers import word_labels as L
from parsers.doc_convert import ensure_docx
from parsers.facts import FORM_TITLES, ApplicationForm, UnreadableFile
from parsers.word_text import (ALTERNATE, CHOICE, FALLBACK, alternative, is_placeholder_text, paragraph_text,
                               showing_placeholder, textboxes)

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
# An instruction under a label, in brackets: （500字以内）, （请勾选）, （请在□内打√）, （可多选）.
_HINT_LINE = re.compile(r"^[（(][^）)]*(?:字|包括|填写|限|不超过|勾选|打\s*[√✓✔]|[单多]选|选择|选填)[^）)]*[）)]\s*")


@dataclass
class WordDocument:
    form: ApplicationForm | None  # set when it is one of the 3 official forms
    is_summary: bool  # 信息汇总表 / 汇总表 document
    heading: str  # first non-empty title-ish line
    text: str  # all text: paragraphs, table cells (merged cells once), headers
    hyperlinks: list[str] = field(default_factory=list)


@dataclass
class _Block:
    text: str
    table: int | None  # which table (None: body paragraph)
    row: int | None  # which row of that table
    first_cell: bool = False
    continues: bool = False  # the row's first cells continue a label merged down from the row above


def read_word(data: bytes, filename: str) -> WordDocument:
    """Parse a .docx (or convertible .doc/.wps); raise UnreadableFile with a Chinese reason."""
    document = _open(ensure_docx(data, filename), filename)
    blocks = list(_body_blocks(document.element.body))
    headers = _header_texts(document)
    text = "\n".join([*headers, *_lines(blocks)])
    hyperlinks = _hyperlinks(document)
    pairs, title_lines = _label_values(blocks)
    heading = _heading(title_lines or [b.text for b in blocks])
    is_summary = _is_summary(heading, title_lines, blocks)
    kind = None if is_summary else _kind(pairs, title_lines)
    form = _build_form(kind, pairs, text, hyperlinks) if kind else None
    return WordDocument(form=form, is_summary=is_summary, heading=heading, text=text, hyperlinks=hyperlinks)


def _lines(blocks: list[_Block]) -> list[str]:
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
# Walking the body
# ----------------------------------------------------------------------------


def _body_blocks(container, counter=None):
    """Paragraphs (then their text boxes) and table cells in reading order; content controls looked through."""
    counter = counter if counter is not None else {"table": 0, "row": 0}
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield _Block(paragraph_text(child), None, None)
            for box in textboxes(child):
                yield from _body_blocks(box, counter)
        elif child.tag == qn("w:tbl"):
            counter["table"] += 1
            yield from _table_blocks(child, counter["table"], counter)
        elif child.tag == qn("w:sdt") and showing_placeholder(child):
            continue
        elif child.tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent"))
            yield from _body_blocks(content if content is not None else child, counter)
        elif child.tag == ALTERNATE and alternative(child) is not None:
            yield from _body_blocks(alternative(child), counter)


def _table_blocks(tbl, table_id: int, counter):
    for tr in _children(tbl, "w:tr"):
        if tr.find(f"{qn('w:trPr')}/{qn('w:del')}") is not None:
            continue  # a row deleted with tracked changes on
        counter["row"] += 1
        first, merged_above = True, False
        for tc in _children(tr, "w:tc"):
            if _is_merge_continuation(tc):
                merged_above = merged_above or first
                continue
            text = "\n".join(paragraph_text(p) for p in _cell_paragraphs(tc))
            yield _Block(text, table_id, counter["row"], first, continues=merged_above and first)
            first = False


def _cell_paragraphs(tc):
    """Every paragraph of a cell once: nested tables and text boxes included, Fallback copies not."""
    for p in tc.iter(qn("w:p")):
        parent = p.getparent()
        while parent is not None and parent is not tc:
            if parent.tag == FALLBACK and parent.getparent().find(CHOICE) is not None:
                break
            if parent.tag == qn("w:tr") and parent.find(f"{qn('w:trPr')}/{qn('w:del')}") is not None:
                break
            parent = parent.getparent()
        else:
            yield p


def _children(element, tag: str):
    """Direct children named `tag`, also when wrapped in content controls."""
    for child in element.iterchildren():
        if child.tag == qn(tag):
            yield child
        elif child.tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent"))
            yield from _children(content if content is not None else child, tag)


def _is_merge_continuation(tc) -> bool:
    """The lower cells of a vertical merge (and legacy hMerge) hold no text of their own."""
    pr = tc.find(qn("w:tcPr"))
    if pr is None:
        return False
    for tag in ("w:vMerge", "w:hMerge"):
        merge = pr.find(qn(tag))
        if merge is not None and merge.get(qn("w:val"), "continue") == "continue":
            return True
    return False


def _header_texts(document) -> list[str]:
    texts = []
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            for p in rel.target_part.element.iter(qn("w:p")):
                line = paragraph_text(p).strip()
                if line:
                    texts.append(line)
    return texts


def _hyperlinks(document) -> list[str]:
    """External hyperlink targets in reading order, plus HYPERLINK field codes."""
    found: list[str] = []
    parts = [document.part] + [
        rel.target_part
        for rel in document.part.rels.values()
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external
    ]
    for part in parts:
        rels = part.rels
        for link in part.element.iter(qn("w:hyperlink")):
            rid = link.get(qn("r:id"))
            if rid in rels and rels[rid].is_external:
                found.append(rels[rid].target_ref)
        for rel in rels.values():
            if rel.reltype == RT.HYPERLINK and rel.is_external:
                found.append(rel.target_ref)
        for instr in part.element.iter(qn("w:instrText")):
            m = re.search(r'HYPERLINK\s+"([^"]+)"', instr.text or "")
            if m:
                found.append(m.group(1))
    return list(dict.fromkeys(found))


# ----------------------------------------------------------------------------
# Labels and values
# ----------------------------------------------------------------------------


@dataclass
class _Open:
    label: str
    parts: list[str]
    long: bool


def _segments(text: str) -> list[tuple[str | None, str]]:
    """Split a block into (label, value) pieces; label None for unlabelled lines."""
    out: list[tuple[str | None, str]] = []
    for line in text.split("\n"):
        found = L.match_label(line) if line.strip() else None
        if not found:
            if out and out[-1][0] is not None:
                label, value = out[-1]
                if not value and _HINT_LINE.fullmatch(line.strip()):
                    continue  # an instruction under the label (（请勾选）) is no value: it is in the next cell
                out[-1] = (label, f"{value}\n{line}" if value else line)
            elif line.strip():
                out.append((None, line))
            continue
        label, rest = found.label, found.rest
        while True:
            value, tail = L.split_inline(rest)
            out.append((label, value))
            nxt = L.match_label(tail) if tail else None
            if not nxt:
                break
            label, rest = nxt.label, nxt.rest
    return out


def _label_values(blocks: list[_Block]) -> tuple[list[tuple[str, str]], list[str]]:
    """All (label, value) pairs in order, and the unlabelled lines before the first label."""
    pairs: list[tuple[str, str]] = []
    title_lines: list[str] = []
    pending: _Open | None = None
    last_person: str | None = None
    where = (None, None)

    def close() -> None:
        nonlocal pending
        if pending:
            pairs.append((pending.label, "\n".join(pending.parts)))
        pending = None

    for block in blocks:
        next_cell = False
        if block.table is None and not block.text.strip():
            continue  # an empty line or page break between two parts of a form
        if (block.table, block.row) != where:
            if _ends_value(block, where, pending):
                close()  # a value never runs from one row, table or paragraph into the next
            where = (block.table, block.row)
        elif block.table is not None and pending and pending.parts and not pending.long:
            close()  # a short value fills one cell: the next cell of the row starts something else
            next_cell = True
        for label, value in _segments(block.text):
            if label is None:
                unknown = _unknown_label(value) if next_cell and not pending else None
                if unknown:
                    pending = _Open(unknown[0], [unknown[1]] if unknown[1] else [], False)  # a column: 职务, 邮箱
                elif pending:
                    pending.parts.append(value)
                elif not pairs:
                    title_lines.append(value)
                continue
            close()
            if label in L.PEOPLE:
                last_person = label
            elif label == "联系电话" and last_person:
                label = f"{last_person}联系电话"
            long = label in L.LONG_LABELS or label.endswith("意见")
            pending = _Open(label, [value] if value.strip() else [], long)
        if block.table is None and pending and pending.parts and not pending.long:
            close()
    close()
    return pairs, title_lines


def _ends_value(block: _Block, where: tuple, pending: _Open | None) -> bool:
    """Whether moving to `block`'s row ends the open value.

    It does, except where the label cell is merged down over this row, and
    where a long value runs on from one table into the next (a form continued
    on the next page).
    """
    if pending is None:
        return False
    if block.table != where[0]:
        return not (pending.long and block.table is not None and where[0] is not None)
    return bool(pending.parts) and not block.continues


_UNKNOWN_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff（）()/、]{2,10})(?:[:：](?P<value>.*))?$")


def _unknown_label(text: str) -> tuple[str, str] | None:
    """(label, value) of a cell after a filled value that names a column the form does not have.

    `职务`, `邮箱：a@b.cn`: a short run of Chinese words alone or before a colon.
    """
    found = _UNKNOWN_LABEL.fullmatch(re.sub(r"\s+", "", text))
    return (found.group("label"), (found.group("value") or "").strip()) if found else None


def _clean(value: str) -> str:
    lines = [line.strip() for line in value.split("\n")]
    text = "\n".join(line for line in lines if line and not is_placeholder_text(line))
    return _HINT_LINE.sub("", text).strip()


def _merge(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """First non-empty value wins; a label seen only empty is kept as ""."""
    out: dict[str, str] = {}
    for label, value in pairs:
        value = _clean(value)
        if value or label not in out:
            if not out.get(label):
                out[label] = value
    return out


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


def _is_summary(heading: str, title_lines: list[str], blocks: list[_Block]) -> bool:
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
    merged = _merge(pairs)
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
