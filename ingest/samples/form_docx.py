"""Writing a sample form's rows into a .docx: official tables, paragraph copies, every way people tick a box.

`ingest/samples/forms.py` decides what a form says; this module decides how
it looks in Word (merged cells, spaced labels, CJK fonts, tick glyphs in
symbol fonts, check box controls, hyperlinks behind words).
"""

from __future__ import annotations

import io
from typing import Callable, Sequence

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

# A paragraph of a value: plain text, or a function that writes runs into it.
Piece = str | Callable[[Paragraph], None]
TICK_GLYPHS = {
    "☑": ("☑", "☐"),
    "☒": ("☒", "☐"),
    "■": ("■", "□"),
    "√": ("√", "□"),
    "✔": ("✔", "□"),
}


def render(rows: list[tuple], titles: list[str], layout: str, spaced: bool) -> bytes:
    document = docx.Document()
    _set_cjk_font(document)
    for index, text in enumerate(titles):
        p = document.add_paragraph()
        run = p.add_run(text)
        if index == len(titles) - 1:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
            run.font.size = Pt(18)
    if layout == "paragraph":
        _render_paragraphs(document, rows, spaced)
    else:
        _render_table(document, rows, spaced, inline=(layout == "inline"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_cjk_font(document) -> None:
    """Use 仿宋 for Chinese text like the official notices do."""
    style = document.styles["Normal"]
    style.font.size = Pt(12)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), "仿宋_GB2312")


def _spaced(label: str, spaced: bool) -> str:
    """`案 例 名 称` / `负　责　人`: how many forms space their short labels."""
    if not spaced or len(label) > 6:
        return label
    gap = " " if len(label) >= 4 else "\u3000"
    return gap.join(label)


def _fill(cell_or_doc, first: Paragraph, pieces: Sequence[Piece]) -> None:
    """Write value pieces, the first into `first`, the rest as new paragraphs."""
    for index, piece in enumerate(pieces):
        p = first if index == 0 else cell_or_doc.add_paragraph()
        if callable(piece):
            piece(p)
        else:
            p.add_run(piece)


def _render_table(document, rows: list[tuple], spaced: bool, inline: bool) -> None:
    height = sum(len(r[2]) if r[0] == "sections" and not inline else 1 for r in rows)
    table = document.add_table(rows=height, cols=4)
    table.style = "Table Grid"
    r = 0
    for row in rows:
        if row[0] == "sections" and not inline:
            r = _table_sections(table, r, row, spaced)
            continue
        cells = table.rows[r].cells
        if inline:
            _inline_row(cells, row, spaced)
        elif row[0] == "two":
            for cell, text in zip(cells, (_spaced(row[1], spaced), row[2], _spaced(row[3], spaced), row[4])):
                cell.paragraphs[0].add_run(text)
        else:
            cells[0].paragraphs[0].add_run(_spaced(row[1], spaced))
            value = cells[1].merge(cells[3])
            _fill(value, value.paragraphs[0], _pieces(row))
        r += 1


def _table_sections(table, r: int, row: tuple, spaced: bool) -> int:
    """案例内容 label merged down, one sub-row per section (the ministry layout)."""
    sections = row[2]
    if not sections:
        return r
    label = table.cell(r, 0).merge(table.cell(r + len(sections) - 1, 0))
    label.paragraphs[0].add_run(_spaced(row[1], spaced))
    for sublabel, paragraphs in sections:
        cells = table.rows[r].cells
        cells[1].paragraphs[0].add_run(sublabel)
        value = cells[2].merge(cells[3])
        _fill(value, value.paragraphs[0], paragraphs)
        r += 1
    return r


def _inline_row(cells, row: tuple, spaced: bool) -> None:
    """`案例名称：xxx` written into one cell, as some units retype the form."""
    if row[0] == "two":
        left = cells[0].merge(cells[1])
        right = cells[2].merge(cells[3])
        left.paragraphs[0].add_run(f"{_spaced(row[1], spaced)}：{row[2]}")
        right.paragraphs[0].add_run(f"{_spaced(row[3], spaced)}：{row[4]}")
        return
    whole = cells[0].merge(cells[3])
    _fill_labelled(whole, _spaced(row[1], spaced), _pieces(row))


def _render_paragraphs(document, rows: list[tuple], spaced: bool) -> None:
    for row in rows:
        if row[0] == "two":
            document.add_paragraph(f"{_spaced(row[1], spaced)}：{row[2]}　　{_spaced(row[3], spaced)}：{row[4]}")
        else:
            _fill_labelled(document, _spaced(row[1], spaced), _pieces(row))


def _fill_labelled(container, label: str, pieces: list[Piece]) -> None:
    """`label：` then the value; short values stay on the label's line."""
    first = container.paragraphs[0] if hasattr(container, "merge") else container.add_paragraph()
    first.add_run(f"{label}：")
    if len(pieces) == 1:
        piece = pieces[0]
        piece(first) if callable(piece) else first.add_run(piece)
        return
    for piece in pieces:
        p = container.add_paragraph()
        piece(p) if callable(piece) else p.add_run(piece)


def _pieces(row: tuple) -> list[Piece]:
    kind = row[0]
    if kind == "pair":
        return [row[2]] if row[2] else []
    if kind == "rich":
        return [row[2]]
    if kind == "sections":  # inline layout: sections as headed paragraphs
        out: list[Piece] = []
        for number, (sublabel, paragraphs) in zip("一二三", row[2]):
            out += [f"{number}、{sublabel}", *paragraphs]
        return out
    return list(row[2])


# ----------------------------------------------------------------------------
# Tick boxes and hyperlinks
# ----------------------------------------------------------------------------


def tick(p: Paragraph, ticked: bool, style: str) -> None:
    if style in TICK_GLYPHS:
        p.add_run(TICK_GLYPHS[style][0 if ticked else 1])
    elif style == "wingdings":
        _symbol_run(p, "Wingdings 2", "F052" if ticked else "F0A3")
    elif style == "wingdings_fe":
        _symbol_run(p, "Wingdings", "F0FE" if ticked else "F0A8")
    elif style == "wingdings_text":
        _font_run(p, "R" if ticked else "£", "Wingdings 2")
    elif style == "wingdings_pua":
        _font_run(p, "\uf052" if ticked else "\uf0a3", "Wingdings 2")
    elif style == "symbol":
        _symbol_run(p, "Symbol", "F0D6") if ticked else p.add_run("□")
    elif style == "content_control":
        _checkbox_control(p, ticked)
    else:
        raise ValueError(f"unknown tick style {style!r}")


def _font_run(p: Paragraph, text: str, font: str) -> None:
    """Characters in a symbol font, typed as text (not a w:sym): what the font shows is not the character."""
    run = p.add_run(text)
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), font)
    run._r.get_or_add_rPr().append(fonts)


def _symbol_run(p: Paragraph, font: str, char: str) -> None:
    run = p.add_run()
    sym = OxmlElement("w:sym")
    sym.set(qn("w:font"), font)
    sym.set(qn("w:char"), char)
    run._r.append(sym)


def _checkbox_control(p: Paragraph, ticked: bool) -> None:
    """A Word 2010 check box content control, as Word writes it."""
    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    box = OxmlElement("w14:checkbox")
    checked = OxmlElement("w14:checked")
    checked.set(qn("w14:val"), "1" if ticked else "0")
    box.append(checked)
    for tag, char in (("w14:checkedState", "2612"), ("w14:uncheckedState", "2610")):
        state = OxmlElement(tag)
        state.set(qn("w14:val"), char)
        state.set(qn("w14:font"), "MS Gothic")
        box.append(state)
    pr.append(box)
    content = OxmlElement("w:sdtContent")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "☒" if ticked else "☐"
    run.append(text)
    content.append(run)
    sdt.append(pr)
    sdt.append(content)
    p._p.append(sdt)


def add_hyperlink(p: Paragraph, url: str, text: str) -> None:
    """A Word hyperlink as Word writes it: `text` shown, `url` kept in the relationships."""
    rid = p.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), str(RGBColor(0x05, 0x63, 0xC1)))
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.append(color)
    rpr.append(underline)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    p._p.append(link)
