"""HTML mail bodies as the text a reader sees.

A link in a table cell must not swallow the next cell, and a 提取码 must stay
on its course's row: blocks become lines, a table row one line with its cells
tab-separated. Every carrier of links (HTML bodies, .html attachments) reads
HTML through `html_text`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class _Table:
    """An open <table>: where its text goes, and the cells of its open row (None: no row open)."""

    parent: list[str]
    row: list[list[str]] | None = None


@dataclass
class _Visible(HTMLParser):
    """The text a reader sees, laid out as text: blocks on their own lines, a table row per line.

    Cells of one row are separated by tabs (an empty cell stays, so columns
    line up under their header); what a cell holds on several lines (<br>,
    Word's <p> in every cell) is one line with spaces. A one-cell row (a
    layout table around the whole body) keeps its lines. Each link's href is
    written after its words when the words do not show it.
    """

    root: list[str] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    anchors: list[tuple[str, list[str], int]] = field(default_factory=list)
    hidden: int = 0
    pre: int = 0
    nested_deeper: int = 0  # tables opened inside the deepest one kept

    BLOCKS = frozenset({"br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
                        "blockquote", "pre", "hr", "section", "article", "header", "footer", "caption", "address",
                        "center", "form", "fieldset", "figure", "figcaption", "main", "nav", "aside", "details"})
    HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def target(self) -> list[str]:
        """Where text goes now: the open cell, else around the innermost table, else the body."""
        if self.tables:
            table = self.tables[-1]
            return table.row[-1] if table.row else table.parent
        return self.root

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "table" and len(self.tables) >= _TABLE_DEPTH:
            self.nested_deeper += 1  # read as the cells of the deepest table kept
        elif tag == "br":
            self.target().append("\n")
        elif tag == "table" and len(self.tables) < _TABLE_DEPTH:
            _line_break(self.target())
            self.tables.append(_Table(self.target()))
        elif tag == "tr" and self.tables:
            self._close_row(self.tables[-1])
            self.tables[-1].row = []
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            if table.row is None:
                table.row = []
            table.row.append([])
        elif tag in self.BLOCKS or tag in ("tr", "td", "th"):
            _line_break(self.target())
            self.pre += tag == "pre"
        elif tag == "a":
            buffer = self.target()
            self.anchors.append((dict(attrs).get("href") or "", buffer, len(buffer)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img", "input", "meta", "link", "wbr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "table" and self.tables and self.nested_deeper:
            self.nested_deeper -= 1
        elif tag == "table" and self.tables:
            table = self.tables.pop()
            self._close_row(table)
            _line_break(table.parent)
        elif tag == "tr" and self.tables:
            self._close_row(self.tables[-1])
        elif tag in self.BLOCKS and tag != "br":
            _line_break(self.target())
            self.pre = max(0, self.pre - (tag == "pre"))
        elif tag == "a" and self.anchors:
            href, buffer, first = self.anchors.pop()
            words = unicodedata.normalize("NFKC", "".join(buffer[first:first + _ANCHOR_PIECES]))
            if href.lower().startswith(("http://", "https://")) and unicodedata.normalize("NFKC", href) not in words:
                buffer.append(f" {href} ")

    def handle_data(self, data):
        if self.hidden or (self.tables and not self.tables[-1].row and not data.strip()):
            return  # hidden, or the layout whitespace between a table's rows and cells
        buffer = self.target()
        if not self.pre and not data.strip() and (not buffer or not buffer[-1].strip(" ") or buffer[-1][-1] == "\n"):
            return  # one space is enough, and none at the start of a line
        buffer.append(data if self.pre else _SPACES.sub(" ", data))

    def finish(self) -> str:
        while self.tables:
            self.handle_endtag("table")
        return _tidy("".join(self.root))

    @staticmethod
    def _close_row(table: _Table) -> None:
        if table.row is None:
            return
        cells = [_tidy("".join(cell)) for cell in table.row]
        if len(cells) > 1:
            cells = [" ".join(cell.split("\n")) for cell in cells]
        if any(cells):
            _line_break(table.parent)
            table.parent.append("\t".join(cells) + "\n")
        table.row = None


def _line_break(buffer: list[str]) -> None:
    """End the current line, unless the text so far already ends one (blocks do not stack empty lines)."""
    for piece in reversed(buffer[-4:]):  # spaces never come twice in a row (handle_data)
        if piece.strip(" "):
            if not piece.endswith("\n"):
                buffer.append("\n")
            return


_TABLE_DEPTH = 16  # tables nested deeper are read as part of the 16th: each level re-reads what it holds
_ANCHOR_PIECES = 64  # an anchor's words are read this far: thousands of nested <a> must not cost n² joins
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def _tidy(text: str) -> str:
    """Lines without spaces at their ends (tabs between cells kept), at most one empty line in a row."""
    lines = [line.strip(" \u00a0\u3000") for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def html_text(html: str) -> str:
    """The visible text of an HTML body, laid out as a reader sees it (see `_Visible`)."""
    parser = _Visible()
    try:
        parser.feed(html or "")
        parser.close()
    except Exception:  # html.parser is lenient; a broken body still yields its text so far
        pass
    return parser.finish()
