"""The text of a Word 97–2003 binary document, with its table cells, read from the file itself.

LibreOffice 7.4 writes a .doc whose last element is a table (every python-docx
form, and whatever another tool converts from one) without the paragraph Word
always puts after a table; its own .doc reader then runs the whole table into
one paragraph, labels and values glued together. The characters are all in the
file: the piece table (the CLX in the table stream) says where, and Word marks
the end of each cell with U+0007 and the end of a row with a second one. This
module reads them, so the converter can rebuild the table LibreOffice lost.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

import olefile

CELL = "\x07"
_FIELD = re.compile(r"\x13[^\x13\x14\x15]*(?:\x14([^\x13\x14\x15]*))?\x15")
_CONTROL = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x1e": "-", "\x1f": None, "\xa0": " ",
                          "\x01": None, "\x02": None, "\x05": None, "\x08": None})


@dataclass
class DocBlock:
    """A paragraph outside tables (`cells` None) or one table row (its cells' texts)."""

    text: str = ""
    cells: list[str] | None = None


def doc_text(data: bytes) -> str:
    """The main document text (CP order) of a Word 97+ file; ValueError when it is not one."""
    ole = olefile.OleFileIO(io.BytesIO(data))
    word = ole.openstream("WordDocument").read()
    ident, flags = struct.unpack_from("<H", word, 0)[0], struct.unpack_from("<H", word, 0x0A)[0]
    if ident != 0xA5EC:
        raise ValueError("not a Word 97+ document")
    table = ole.openstream("1Table" if flags & 0x0200 else "0Table").read()
    ccp_text = struct.unpack_from("<i", word, 0x4C)[0]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
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
    out: list[str] = []
    for i in range(count):
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)[0]
        length = min(cps[i + 1], ccp_text) - cps[i]
        if length <= 0:
            continue
        if fc & 0x40000000:  # "compressed": one cp1252 byte per character
            start = (fc & ~0x40000000) // 2
            out.append(word[start:start + length].decode("cp1252", errors="replace"))
        else:
            out.append(word[fc:fc + 2 * length].decode("utf-16-le", errors="replace"))
    return "".join(out)


def doc_blocks(data: bytes) -> list[DocBlock]:
    """Paragraphs and table rows in reading order.

    A cell ends with U+0007; the row's end mark is one more U+0007 right after
    the last cell's. (An empty last cell looks the same as a row end, which only
    moves a row boundary in front of an empty value.)
    """
    text = _FIELD.sub(lambda m: m.group(1) or "", doc_text(data)).translate(_CONTROL)
    blocks: list[DocBlock] = []
    row: list[str] | None = None
    current = ""
    for ch in text:
        if ch == CELL:
            if row is not None and current == "" and row:
                blocks.append(DocBlock(cells=row))
                row = None
            else:
                row = (row or []) + [current]
            current = ""
        elif ch == "\r" and row is None:
            blocks.append(DocBlock(text=current))
            current = ""
        elif ch == "\r":
            current += "\n"  # a paragraph inside a cell
        else:
            current += ch
    if row:
        blocks.append(DocBlock(cells=row))
    if current.strip():
        blocks.append(DocBlock(text=current))
    return blocks


def cell_marks(data: bytes) -> int:
    """How many cell ends the document has (0 when it cannot be read)."""
    try:
        return doc_text(data).count(CELL)
    except (OSError, ValueError, struct.error):
        return 0
