"""Which value belongs to which label in a form's blocks.

Each block is split into labelled segments; a label's value is what follows
it in the same cell, the next cells of the row, or the next paragraphs. An
instruction in brackets under a label is not its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers import word_labels as L
from parsers.word_blocks import Block
from parsers.word_text import is_placeholder_text

# An instruction under a label, in brackets: （500字以内）, （请勾选）, （请在□内打√）, （可多选）.
_HINT_LINE = re.compile(r"^[（(][^）)]*(?:字|包括|填写|限|不超过|勾选|打\s*[√✓✔]|[单多]选|选择|选填)[^）)]*[）)]\s*")

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


class _Reader:
    """The pairs found so far, the value still open, and who the last 负责人/联系人 was (for a bare 联系电话)."""

    def __init__(self):
        self.pairs: list[tuple[str, str]] = []
        self.title_lines: list[str] = []
        self.pending: _Open | None = None
        self.last_person: str | None = None
        self.where = (None, None)

    def close(self) -> None:
        if self.pending:
            self.pairs.append((self.pending.label, "\n".join(self.pending.parts)))
        self.pending = None

    def block(self, block: Block) -> None:
        next_cell = False
        if (block.table, block.row) != self.where:
            if _ends_value(block, self.where, self.pending):
                self.close()  # a value never runs from one row, table or paragraph into the next
            self.where = (block.table, block.row)
        elif block.table is not None and self.pending and self.pending.parts and not self.pending.long:
            self.close()  # a short value fills one cell: the next cell of the row starts something else
            next_cell = True
        for label, value in _segments(block.text):
            if label is None:
                self.unlabelled(value, next_cell)
            else:
                self.labelled(label, value)
        if block.table is None and self.pending and self.pending.parts and not self.pending.long:
            self.close()

    def unlabelled(self, value: str, next_cell: bool) -> None:
        unknown = _unknown_label(value) if next_cell and not self.pending else None
        if unknown:
            self.pending = _Open(unknown[0], [unknown[1]] if unknown[1] else [], False)  # a column: 职务, 邮箱
        elif self.pending:
            self.pending.parts.append(value)
        elif not self.pairs:
            self.title_lines.append(value)

    def labelled(self, label: str, value: str) -> None:
        self.close()
        if label in L.PEOPLE:
            self.last_person = label
        elif label == "联系电话" and self.last_person:
            label = f"{self.last_person}联系电话"
        long = label in L.LONG_LABELS or label.endswith("意见")
        self.pending = _Open(label, [value] if value.strip() else [], long)


def label_values(blocks: list[Block]) -> tuple[list[tuple[str, str]], list[str]]:
    """All (label, value) pairs in order, and the unlabelled lines before the first label."""
    reader = _Reader()
    for block in blocks:
        if block.table is None and not block.text.strip():
            continue  # an empty line or page break between two parts of a form
        reader.block(block)
    reader.close()
    return reader.pairs, reader.title_lines


def _ends_value(block: Block, where: tuple, pending: _Open | None) -> bool:
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


def merge_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """First non-empty value wins; a label seen only empty is kept as ""."""
    out: dict[str, str] = {}
    for label, value in pairs:
        value = _clean(value)
        if value or label not in out:
            if not out.get(label):
                out[label] = value
    return out
