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

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from parsers import word_labels as L
from parsers.doc_convert import ensure_docx
from parsers.facts import FORM_TITLES, ApplicationForm, UnreadableFile

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
_HINT_LINE = re.compile(r"^[（(][^）)]*(?:字|包括|填写|限|不超过)[^）)]*[）)]\s*")


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


def read_word(data: bytes, filename: str) -> WordDocument:
    """Parse a .docx (or convertible .doc/.wps); raise UnreadableFile with a Chinese reason."""
    document = _open(ensure_docx(data, filename), filename)
    blocks = list(_body_blocks(document.element.body))
    headers = _header_texts(document)
    text = "\n".join([*headers, *(b.text for b in blocks if b.text.strip())])
    hyperlinks = _hyperlinks(document)
    pairs, title_lines = _label_values(blocks)
    heading = _heading(title_lines or [b.text for b in blocks])
    is_summary = _is_summary(heading, title_lines, blocks)
    kind = None if is_summary else _kind(pairs, title_lines)
    form = _build_form(kind, pairs, text, hyperlinks) if kind else None
    return WordDocument(form=form, is_summary=is_summary, heading=heading, text=text, hyperlinks=hyperlinks)


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
    """Paragraphs and table cells in reading order; content controls are looked through."""
    counter = counter if counter is not None else {"table": 0, "row": 0}
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield _Block(paragraph_text(child), None, None)
        elif child.tag == qn("w:tbl"):
            counter["table"] += 1
            yield from _table_blocks(child, counter["table"], counter)
        elif child.tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent"))
            yield from _body_blocks(content if content is not None else child, counter)


def _table_blocks(tbl, table_id: int, counter):
    for tr in _children(tbl, "w:tr"):
        counter["row"] += 1
        first = True
        for tc in _children(tr, "w:tc"):
            if _is_merge_continuation(tc):
                continue
            paragraphs = [paragraph_text(p) for p in tc.iter(qn("w:p"))]
            yield _Block("\n".join(paragraphs), table_id, counter["row"], first)
            first = False


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
        if (block.table, block.row) != where:
            if block.table != where[0] or (pending and pending.parts):
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


_UNKNOWN_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff（）()/、]{2,10})(?:[:：](?P<value>.*))?$")


def _unknown_label(text: str) -> tuple[str, str] | None:
    """(label, value) of a cell after a filled value that names a column the form does not have.

    `职务`, `邮箱：a@b.cn`: a short run of Chinese words alone or before a colon.
    """
    found = _UNKNOWN_LABEL.fullmatch(re.sub(r"\s+", "", text))
    return (found.group("label"), (found.group("value") or "").strip()) if found else None


def _clean(value: str) -> str:
    lines = [line.strip() for line in value.split("\n")]
    text = "\n".join(line for line in lines if line)
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
    if len(by_name) == 1:
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


# ----------------------------------------------------------------------------
# Paragraph text, with every way of ticking a box turned into ☑ or ☐
# ----------------------------------------------------------------------------

# Symbol-font code points (w:sym or a run in that font) that people use as boxes.
_SYMBOL_GLYPHS = {
    "wingdings": {0x52: "☑", 0x51: "☒", 0x53: "☒", 0x54: "☒", 0xFE: "☑", 0xFD: "☒", 0x78: "☒",
                  0xFC: "√", 0x50: "√", 0xA3: "☐", 0xA8: "☐", 0x6F: "☐", 0x71: "☐"},
    "symbol": {0xD6: "√"},
}
_LOOK_INSIDE = {qn(t) for t in ("w:hyperlink", "w:ins", "w:smartTag", "w:customXml", "w:fldSimple",
                                "w:sdtContent", "w:dir", "w:bdo", "w:moveTo")}


def paragraph_text(p) -> str:
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(element, out: list[str]) -> None:
    for child in element.iterchildren():
        if child.tag == qn("w:r"):
            _run_text(child, out)
        elif child.tag == qn("w:sdt"):
            state = _checkbox_control_state(child)
            if state is not None:
                out.append("☑" if state else "☐")
            else:
                content = child.find(qn("w:sdtContent"))
                _collect(content if content is not None else child, out)
        elif child.tag in _LOOK_INSIDE:
            _collect(child, out)


def _run_text(run, out: list[str]) -> None:
    family = _symbol_family(run)
    for child in run.iterchildren():
        tag = child.tag
        if tag == qn("w:t"):
            out.append(_map_symbols(child.text or "", family) if family else (child.text or ""))
        elif tag == qn("w:tab"):
            out.append("\t")
        elif tag in (qn("w:br"), qn("w:cr")):
            out.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            out.append("-")
        elif tag == qn("w:sym"):
            out.append(_sym_glyph(child))
        elif tag == qn("w:fldChar"):
            out.append(_legacy_checkbox(child))


def _symbol_family(run) -> str | None:
    fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    if fonts is None:
        return None
    names = " ".join(fonts.get(qn(a), "") for a in ("w:ascii", "w:hAnsi", "w:cs")).lower()
    if "wingdings" in names or "webdings" in names:
        return "wingdings"
    return "symbol" if "symbol" in names else None


def _map_symbols(text: str, family: str) -> str:
    table = _SYMBOL_GLYPHS[family]
    return "".join(table.get(ord(ch), "") if ord(ch) < 0x100 else ch for ch in text)


def _sym_glyph(sym) -> str:
    font = (sym.get(qn("w:font")) or "").lower()
    try:
        code = int(sym.get(qn("w:char")) or "", 16)
    except ValueError:
        return ""
    code = code - 0xF000 if code >= 0xF000 else code
    family = "wingdings" if ("wingdings" in font or "webdings" in font) else "symbol" if "symbol" in font else None
    if family:
        return _SYMBOL_GLYPHS[family].get(code, "")
    return chr(code) if code >= 0x20 else ""


def _checkbox_control_state(sdt) -> bool | None:
    """Word 2010 check box content control: its w14:checked value, or None if not a check box."""
    box = sdt.find(f"{qn('w:sdtPr')}/{qn('w14:checkbox')}")
    if box is None:
        return None
    checked = box.find(qn("w14:checked"))
    return checked is not None and checked.get(qn("w14:val"), "0") in ("1", "true", "on")


def _legacy_checkbox(fld) -> str:
    """Old FORMCHECKBOX fields (forms first made in Word 97-2003)."""
    box = fld.find(f"{qn('w:ffData')}/{qn('w:checkBox')}")
    if box is None:
        return ""
    checked = box.find(qn("w:checked"))
    if checked is None:
        checked = box.find(qn("w:default"))
        value = checked.get(qn("w:val"), "0") if checked is not None else "0"
    else:
        value = checked.get(qn("w:val"), "1")
    return "☑" if value in ("1", "true", "on") else "☐"
