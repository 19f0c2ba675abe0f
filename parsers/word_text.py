"""The text Word shows for one paragraph, with every way of ticking a box turned into ☑ or ☐.

Real documents carry more than runs: tracked changes (the inserted text shows,
the deleted does not), content controls (their grey placeholder means the
control is empty), fields, hyperlinks, symbol-font boxes, and text boxes whose
markup-compatibility wrapper holds the same text twice (mc:Choice and
mc:Fallback: only the first is read). Text boxes are walked by parsers/word.py
as blocks of their own; here a paragraph's text is its runs alone.
"""

from __future__ import annotations

import re

from docx.oxml.ns import qn

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
ALTERNATE, CHOICE, FALLBACK = MC + "AlternateContent", MC + "Choice", MC + "Fallback"
# The grey prompt Word and WPS put in an empty content control (and people leave in cells).
_PROMPT = (r"(?:(?:单击或点击|单击或轻触|单击|点击|轻触)(?:此处|这里)?(?:以)?(?:输入|键入)(?:文字|文本|日期|内容)"
           r"|选择一项|(?:click or tap|click|tap)(?: here)? to enter (?:text|a date)|choose an item)")
# Once, or repeated: LibreOffice 7.4 writes a control it turned into an input field several times.
_PLACEHOLDER = re.compile(rf"(?:{_PROMPT}[\s。.．]*)+", re.IGNORECASE)


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


def is_placeholder_text(text: str) -> bool:
    """`单击或点击此处输入文字。` and its kin: a prompt, not a value."""
    return bool(_PLACEHOLDER.fullmatch(text.strip()))


def showing_placeholder(sdt) -> bool:
    """A content control still showing its prompt (w:showingPlcHdr) holds nothing."""
    return sdt.find(f"{qn('w:sdtPr')}/{qn('w:showingPlcHdr')}") is not None


def alternative(element):
    """The one branch of an mc:AlternateContent to read: the first Choice, else the Fallback."""
    branch = element.find(CHOICE)
    return branch if branch is not None else element.find(FALLBACK)


def textboxes(p) -> list:
    """The text boxes anchored in a paragraph, each once (not the Fallback copy, not nested ones)."""
    found = []
    for box in p.iter(qn("w:txbxContent")):
        parent = box.getparent()
        while parent is not None and parent is not p:
            if parent.tag == FALLBACK or parent.tag == qn("w:txbxContent"):
                break
            if parent.tag == ALTERNATE and box not in _branch_descendants(parent):
                break
            parent = parent.getparent()
        else:
            found.append(box)
    return found


def _branch_descendants(alternate) -> set:
    branch = alternative(alternate)
    return set(branch.iter(qn("w:txbxContent"))) if branch is not None else set()


def _collect(element, out: list[str]) -> None:
    for child in element.iterchildren():
        if child.tag == qn("w:r"):
            _run_text(child, out)
        elif child.tag == qn("w:sdt"):
            state = _checkbox_control_state(child)
            if state is not None:
                out.append("☑" if state else "☐")
            elif not showing_placeholder(child):
                content = child.find(qn("w:sdtContent"))
                _collect(content if content is not None else child, out)
        elif child.tag in _LOOK_INSIDE:
            _collect(child, out)
        elif child.tag == ALTERNATE:
            branch = alternative(child)
            if branch is not None:
                _collect(branch, out)


def _run_text(run, out: list[str]) -> None:
    family = _symbol_family(run)
    for child in run.iterchildren():
        tag = child.tag
        if tag == qn("w:t"):
            out.append(_map_symbols(child.text or "", family))
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
    return _family(" ".join(fonts.get(qn(a), "") for a in ("w:ascii", "w:hAnsi", "w:cs")))


def _family(font_names: str) -> str | None:
    names = font_names.lower()
    if "wingdings" in names or "webdings" in names:
        return "wingdings"
    return "symbol" if "symbol" in names else None


def in_font(text: str, font_names: str) -> str:
    """`text` as a run in these fonts shows it: a symbol font's codes (`R` in Wingdings 2) as their glyphs (☑).

    For readers that know a run's fonts by name rather than as a w:rFonts
    element (the .doc reader, parsers/doc_text.py).
    """
    return _map_symbols(text, _family(font_names))


def _map_symbols(text: str, family: str | None) -> str:
    """Symbol-font characters as the glyphs they show.

    In a symbol-font run every byte is a glyph code; Word and LibreOffice also
    write them as U+F0xx (the font's private-use page), which means the same
    code in any run — a box ticked in a .doc comes back that way, sometimes
    without its font (parsers/doc_text.py).
    """
    if family is None and not any("\uf000" <= ch <= "\uf0ff" for ch in text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if 0xF000 <= code <= 0xF0FF:
            code -= 0xF000
            tables = [_SYMBOL_GLYPHS[family]] if family else list(_SYMBOL_GLYPHS.values())
            out.append(next((t[code] for t in tables if code in t), ""))
        elif family and code < 0x100:
            out.append(_SYMBOL_GLYPHS[family].get(code, ""))
        else:
            out.append(ch)
    return "".join(out)


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
