"""The text of a Word 97–2003 binary document, with its table cells, read from the file itself.

LibreOffice 7.4 writes a .doc whose last element is a table (every python-docx
form, and whatever another tool converts from one) without the paragraph Word
always puts after a table; its own .doc reader then runs the whole table into
one paragraph, labels and values glued together. The characters are all in the
file: the piece table (the CLX in the table stream) says where they are, Word
ends each cell with U+0007, and each paragraph's properties (the PAPX pages)
say whether it is inside a table and whether its mark ends a row. This module
reads them, so the converter can rebuild the table LibreOffice lost.
"""

from __future__ import annotations

import bisect
import io
import re
import struct
from dataclasses import dataclass

import olefile

from parsers.word_text import in_font

CELL = "\x07"
_FIELD = re.compile(r"\x13[^\x13\x14\x15]*(?:\x14([^\x13\x14\x15]*))?\x15")
_CONTROL = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x1e": "-", "\x1f": None, "\xa0": " ",
                          "\x01": None, "\x02": None, "\x05": None, "\x08": None})
_SPRM_SIZES = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}
_IN_TABLE, _ROW_END, _TABLE_DEPTH, _DEF_TABLE = 0x2416, 0x2417, 0x6649, 0xD608
_FONT_SPRMS = (0x4A4F, 0x4A51)  # sprmCRgFtc0 (ASCII font), sprmCRgFtc2 (other Latin font): where symbol fonts go
_FIB_CHPX, _FIB_PAPX, _FIB_FONTS = 0x00FA, 0x0102, 0x0112  # FibRgFcLcb97: PlcfBteChpx, PlcBtePapx, SttbfFfn


@dataclass
class DocBlock:
    """A paragraph outside tables (`cells` None) or one table row (its cells' texts)."""

    text: str = ""
    cells: list[str] | None = None


@dataclass
class _Doc:
    text: str
    fcs: list[int]  # file offset of each character
    runs: list[tuple[int, int, bool, bool]]  # (fc start, fc end, in table, row end) per paragraph run
    fonts: list[tuple[int, int, str]]  # (fc start, fc end, font names) per character run set in a named font


def _read(data: bytes) -> _Doc:
    """Text, character offsets and paragraph table flags of a Word 97+ file; ValueError if not one."""
    ole = olefile.OleFileIO(io.BytesIO(data))
    word = ole.openstream("WordDocument").read()
    ident, flags = struct.unpack_from("<H", word, 0)[0], struct.unpack_from("<H", word, 0x0A)[0]
    if ident != 0xA5EC:
        raise ValueError("not a Word 97+ document")
    table = ole.openstream("1Table" if flags & 0x0200 else "0Table").read()
    ccp_text = struct.unpack_from("<i", word, 0x4C)[0]
    text, fcs = [], []
    for cp_start, cp_end, fc in _pieces(table, *struct.unpack_from("<II", word, 0x01A2)):
        length = min(cp_end, ccp_text) - cp_start
        if length <= 0:
            continue
        if fc & 0x40000000:  # "compressed": one cp1252 byte per character
            start = (fc & ~0x40000000) // 2
            text.append(word[start:start + length].decode("cp1252", errors="replace"))
            fcs += range(start, start + length)
        else:
            text.append(word[fc:fc + 2 * length].decode("utf-16-le", errors="replace"))
            fcs += range(fc, fc + 2 * length, 2)
    try:
        runs = _paragraph_runs(word, table)
    except (struct.error, IndexError, KeyError):
        runs = []
    try:
        fonts = _font_runs(word, table)
    except (struct.error, IndexError, KeyError, UnicodeDecodeError):
        fonts = []
    return _Doc("".join(text), fcs, runs, fonts)


def _pieces(table: bytes, fc_clx: int, lcb_clx: int):
    """(first CP, end CP, FC) of each piece of text, from the CLX's piece table."""
    clx = table[fc_clx:fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc entries (formatting), skipped
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ValueError("no piece table")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + lcb]
    count = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}i", plc, 0)
    for i in range(count):
        yield cps[i], cps[i + 1], struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)[0]


def _fkp_entries(word: bytes, table: bytes, fib_at: int, entry_size: int):
    """Each run of a formatted-disk-page table (PlcBtePapx or PlcBteChpx): FC range, page, property offset.

    The FIB at `fib_at` locates the table of page numbers; each 512-byte page
    lists its runs' FCs and, per run, a word offset to its properties
    (`entry_size` bytes per entry: 13 for paragraphs, 1 for characters).
    """
    fc_plc, lcb_plc = struct.unpack_from("<II", word, fib_at)
    count = (lcb_plc - 4) // 8
    for pn in struct.unpack_from(f"<{count}I", table, fc_plc + 4 * (count + 1)):
        page = word[(pn & 0x3FFFFF) * 512:][:512]
        crun = page[511]
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for i in range(crun):
            yield fcs[i], fcs[i + 1], page, 2 * page[4 * (crun + 1) + entry_size * i]


def _paragraph_runs(word: bytes, table: bytes) -> list[tuple[int, int, bool, bool]]:
    """Each paragraph-property run of the PAPX pages: its FC range, in-table and row-end flags."""
    runs = []
    for start, end, page, offset in _fkp_entries(word, table, _FIB_PAPX, 13):
        in_table, row_end = _table_flags(_grpprl(page, offset)) if offset else (False, False)
        runs.append((start, end, in_table, row_end))
    return sorted(runs)


def _font_runs(word: bytes, table: bytes) -> list[tuple[int, int, str]]:
    """Each character-property run (the CHPX pages) set in a font by name, with its FC range.

    Tick boxes are often a letter in a symbol font (`R` in Wingdings 2 is ☑):
    without the font the letter is just a letter.
    """
    names = _font_names(table, *struct.unpack_from("<II", word, _FIB_FONTS))
    runs = []
    for start, end, page, offset in _fkp_entries(word, table, _FIB_CHPX, 1):
        fonts = _sprm_operands(page[offset + 1:offset + 1 + page[offset]], _FONT_SPRMS) if offset else []
        used = " ".join(names[f] for f in fonts if f < len(names))
        if used:
            runs.append((start, end, used))
    return sorted(runs)


def _font_names(table: bytes, fc: int, lcb: int) -> list[str]:
    """The font table (SttbfFfn): each FFN's name, after its 39 bytes of metrics."""
    names: list[str] = []
    if lcb < 4:
        return names
    count, pos, end = struct.unpack_from("<H", table, fc)[0], fc + 4, fc + lcb
    for _ in range(count):
        size = table[pos]
        raw = table[pos + 1 + 39:pos + 1 + size]
        names.append(raw.decode("utf-16-le", errors="replace").split("\x00", 1)[0])
        pos += 1 + size
        if pos > end:
            break
    return names


def _sprm_operands(grpprl: bytes, wanted: tuple[int, ...]) -> list[int]:
    """The two-byte operands of the `wanted` sprms in a property list."""
    found, pos = [], 0
    while pos + 2 <= len(grpprl):
        op = struct.unpack_from("<H", grpprl, pos)[0]
        pos += 2
        spra = op >> 13
        size = grpprl[pos] + 1 if spra == 6 else _SPRM_SIZES[spra]
        if op in wanted and size == 2:
            found.append(struct.unpack_from("<H", grpprl, pos)[0])
        pos += size
    return found


def _grpprl(page: bytes, at: int) -> bytes:
    cb = page[at]
    start, size = (at + 2, 2 * page[at + 1]) if cb == 0 else (at + 1, 2 * cb - 1)
    return page[start + 2:start + size]  # after the style index


def _table_flags(grpprl: bytes) -> tuple[bool, bool]:
    in_table = row_end = False
    pos = 0
    while pos + 2 <= len(grpprl):
        op = struct.unpack_from("<H", grpprl, pos)[0]
        pos += 2
        spra = op >> 13
        if spra == 6:
            size = struct.unpack_from("<H", grpprl, pos)[0] + 1 if op == _DEF_TABLE else grpprl[pos] + 1
        else:
            size = _SPRM_SIZES[spra]
        operand = grpprl[pos:pos + size]
        if op == _IN_TABLE:
            in_table = operand[:1] == b"\x01"
        elif op == _ROW_END:
            row_end = operand[:1] == b"\x01"
        elif op == _TABLE_DEPTH and len(operand) == 4:
            in_table = in_table or struct.unpack("<i", operand)[0] > 0
        pos += size
    return in_table, row_end


def doc_text(data: bytes) -> str:
    """The main document text (CP order) of a Word 97+ file; ValueError when it is not one."""
    return _read(data).text


class _Marks:
    """Where a character of the document stands: its paragraph's table flags and the font it is set in."""

    def __init__(self, doc):
        self.doc = doc
        self.starts = [run[0] for run in doc.runs]
        self.font_starts = [run[0] for run in doc.fonts]

    def shown(self, index: int) -> str:
        """The character as its font shows it (a symbol font's tick as ☑)."""
        doc = self.doc
        at = bisect.bisect_right(self.font_starts, doc.fcs[index]) - 1 if doc.fonts else -1
        if at >= 0 and doc.fcs[index] < doc.fonts[at][1]:
            return in_font(doc.text[index], doc.fonts[at][2])
        return doc.text[index]

    def flags(self, index: int) -> tuple[bool, bool] | None:
        """(in a table, ends a row) of the paragraph holding the character; None when unknown."""
        doc = self.doc
        if not doc.runs:
            return None
        at = bisect.bisect_right(self.starts, doc.fcs[index]) - 1
        return doc.runs[at][2:] if at >= 0 and doc.fcs[index] < doc.runs[at][1] else None


def doc_blocks(data: bytes) -> list[DocBlock]:
    """Paragraphs and table rows in reading order.

    Paragraph marks inside a table separate the paragraphs of one cell; a cell
    mark ends a cell, and the row-end mark its row. Without readable paragraph
    properties, a cell mark right after another counts as the row's end.
    """
    doc = _read(data)
    marks = _Marks(doc)
    blocks: list[DocBlock] = []
    row: list[str] | None = None
    current = ""
    for index, ch in enumerate(doc.text):
        if ch == CELL:
            known = marks.flags(index)
            if known[1] if known else (row is not None and current == "" and bool(row)):
                blocks.append(DocBlock(cells=[_clean(c) for c in row or []]))
                row = None
            else:
                row = (row or []) + [current]
            current = ""
        elif ch == "\r":
            known = marks.flags(index)
            if known[0] if known else row is not None:
                current += "\n"  # a paragraph inside a cell
            else:
                blocks.append(DocBlock(text=_clean(current)))
                current = ""
        else:
            current += marks.shown(index)
    if row:
        blocks.append(DocBlock(cells=[_clean(c) for c in row]))
    if current.strip():
        blocks.append(DocBlock(text=_clean(current)))
    return blocks


def _clean(text: str) -> str:
    """Field results instead of field codes; Word's control characters as text."""
    return _FIELD.sub(lambda m: m.group(1) or "", text).translate(_CONTROL)


def cell_marks(data: bytes) -> int:
    """How many cell ends the document has (0 when it cannot be read)."""
    try:
        return doc_text(data).count(CELL)
    except (OSError, ValueError, struct.error):
        return 0
