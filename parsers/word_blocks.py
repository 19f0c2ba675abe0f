"""A Word document's body as "blocks", in reading order: every paragraph outside tables, every table cell once.

python-docx's row.cells repeats a merged cell across the grid, so cells are
taken from the XML: a horizontally merged cell is one w:tc, the continuation
tcs of a vertical merge are skipped; content controls and text boxes are
looked through. Headers and hyperlink targets are read here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from parsers.word_text import ALTERNATE, CHOICE, FALLBACK, alternative, paragraph_text, showing_placeholder, textboxes


@dataclass
class Block:
    text: str
    table: int | None  # which table (None: body paragraph)
    row: int | None  # which row of that table
    first_cell: bool = False
    continues: bool = False  # the row's first cells continue a label merged down from the row above


def body_blocks(container, counter=None):
    """Paragraphs (then their text boxes) and table cells in reading order; content controls looked through."""
    counter = counter if counter is not None else {"table": 0, "row": 0}
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Block(paragraph_text(child), None, None)
            for box in textboxes(child):
                yield from body_blocks(box, counter)
        elif child.tag == qn("w:tbl"):
            counter["table"] += 1
            yield from _table_blocks(child, counter["table"], counter)
        elif child.tag == qn("w:sdt") and showing_placeholder(child):
            continue
        elif child.tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent"))
            yield from body_blocks(content if content is not None else child, counter)
        elif child.tag == ALTERNATE and alternative(child) is not None:
            yield from body_blocks(alternative(child), counter)


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
            yield Block(text, table_id, counter["row"], first, continues=merged_above and first)
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


def header_texts(document) -> list[str]:
    texts = []
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            for p in rel.target_part.element.iter(qn("w:p")):
                line = paragraph_text(p).strip()
                if line:
                    texts.append(line)
    return texts


def hyperlinks_of(document) -> list[str]:
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
