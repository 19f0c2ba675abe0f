"""Share codes in pasted text, and which link each one belongs to.

Every labelled code is read (提取码, 密码, pwd … in the text, or a table
column headed so); a code for unpacking an archive or logging in is not a
share code. Pairing works on the order of links and codes: in the usual
layout a code follows its link, in some a code precedes it; both readings
are tried and the one that pairs more codes wins (ties go to "code follows
link"). In a table, pairing follows its rows.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable

from parsers.facts import ShareLink

CN_LABEL = r"提取码|提取密码|访问码|访问密码|分享码|分享密码|密码"
EN_LABEL = r"pwd|passcode|password|code"
CODE_RE = re.compile(
    # every \s* follows a required token, so runs of spaces cannot backtrack polynomially
    rf"(?:(?P<cn>{CN_LABEL})\s*(?:(?P<many>分别)\s*)?(?:(?:是|为)\s*)?(?:[:=]\s*)?"
    rf"|(?<![A-Za-z])(?P<en>{EN_LABEL})\s*[:=]\s*)"
    r"(?P<code>[A-Za-z0-9]{2,12})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
HEADER_CELL = re.compile(rf"(?:{CN_LABEL}|{EN_LABEL})(?:\s*[/、]\s*(?:{CN_LABEL}|{EN_LABEL}))*", re.IGNORECASE)
MORE_CODES = re.compile(r"\s*[、,;/]\s*(?P<code>[A-Za-z0-9]{2,12})(?![A-Za-z0-9])")
# A 密码 label preceded by one of these is some other password (解压密码 is the archive's).
NOT_SHARE_CODE = ("解压", "压缩", "压缩包", "文件", "文档", "打开", "邮箱", "登录", "登陆", "账号", "开机", "WiFi", "wifi")


@dataclass
class Hit:
    """One link occurrence in the scanned text, with the span of the code it got."""

    link: ShareLink
    span: tuple[int, int]
    code_span: tuple[int, int] | None = None


@dataclass
class Code:
    value: str
    span: tuple[int, int]


def find_codes(text: str) -> list[Code]:
    """Every labelled share code; a `分别为` label may list several; table columns too."""
    codes = _labelled_codes(text)
    taken = {c.span for c in codes}
    codes += [c for c in _table_codes(text) if c.span not in taken]
    return sorted(codes, key=lambda c: c.span)


def _table_codes(text: str) -> list[Code]:
    """Codes in a 提取码 column of a spreadsheet (rows as lines, cells separated by tabs).

    Cells are matched to the header by position, so only rows with as many
    cells as the header count; empty cells are dropped by the sheet reader and
    a shorter row cannot be lined up safely.
    """
    codes, column, offset = [], None, 0
    for line in text.split("\n"):
        cells = line.split("\t")
        labels = [i for i, cell in enumerate(cells) if HEADER_CELL.fullmatch(cell.strip())]
        if len(cells) > 1 and labels:
            column, width = labels[0], len(cells)
        elif column is not None and len(cells) == width:
            start = offset + sum(len(c) + 1 for c in cells[:column])
            m = re.fullmatch(r"\s*([A-Za-z0-9]{2,12})\s*", cells[column])
            if m:
                codes.append(Code(m.group(1), (start + m.start(1), start + m.end(1))))
        offset += len(line) + 1
    return codes


def _labelled_codes(text: str) -> list[Code]:
    codes = []
    for m in CODE_RE.finditer(text):
        if m.group("cn") and text[max(0, m.start() - 4):m.start()].endswith(NOT_SHARE_CODE):
            continue
        codes.append(Code(m.group("code"), m.span("code")))
        if m.group("many"):
            pos = m.end()
            while (more := MORE_CODES.match(text, pos)) is not None:
                codes.append(Code(more.group("code"), more.span("code")))
                pos = more.end()
    return codes


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Blank out link spans so `?code=` inside a URL is not read as a share code."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


# --------------------------------------------------------------------------- pairing


def _runs(hits: list[Hit], codes: list[Code]) -> list[list]:
    """Maximal runs of consecutive links or consecutive codes, in text order."""
    tokens = sorted([*hits, *codes], key=lambda t: t.span[0])
    runs: list[list] = []
    for token in tokens:
        if runs and type(runs[-1][0]) is type(token):
            runs[-1].append(token)
        else:
            runs.append([token])
    return runs


def _pair_run(links: list[Hit], codes: list[Code], codes_follow: bool) -> list[tuple[Hit, Code]]:
    """Pairs within one run of links next to one run of codes.

    A link whose URL already carries its code takes an equal code (the same
    code repeated as 提取码). The rest pair in order when the counts match,
    otherwise the links and codes nearest each other pair.
    """
    pairs, codes = [], list(codes)
    for hit in links:
        if hit.link.code:
            same = next((c for c in codes if c.value.lower() == hit.link.code.lower()), None)
            if same:
                pairs.append((hit, same))
                codes.remove(same)
    free = [h for h in links if not h.link.code]
    k = min(len(free), len(codes))
    if k == 0:
        return pairs
    if len(free) == len(codes):
        return pairs + list(zip(free, codes))
    if codes_follow:
        return pairs + list(zip(free[-k:], codes[:k]))
    return pairs + list(zip(free[:k], codes[-k:]))


def _pairing(runs: list[list], codes_follow: bool) -> list[tuple[Hit, Code]]:
    pairs = []
    for first, second in zip(runs, runs[1:]):
        if codes_follow and isinstance(first[0], Hit):
            pairs += _pair_run(first, second, True)
        elif not codes_follow and isinstance(first[0], Code):
            pairs += _pair_run(second, first, False)
    return pairs


def _new_codes(pairs: list[tuple[Hit, Code]]) -> int:
    """How many links a pairing gives a code they did not already carry."""
    return sum(1 for hit, _ in pairs if hit.link.code is None)


def _row_pairs(text: str, hits: list[Hit], codes: list[Code]) -> list[tuple[Hit, Code]]:
    """Links and codes in one table row (a line of tab-separated cells) belong together.

    A row with a link and no code pairs later, with the rest of the text: a
    two-column table (`网盘链接 | …` above `提取码 | …`) has its code on the next row.
    """
    breaks = [m.start() for m in re.finditer("\n", text)]
    rows: dict[int, tuple[list[Hit], list[Code]]] = {}
    for token in sorted([*hits, *codes], key=lambda t: t.span[0]):
        line = bisect.bisect(breaks, token.span[0])
        start = breaks[line - 1] + 1 if line else 0
        end = breaks[line] if line < len(breaks) else len(text)
        if text.find("\t", start, end) >= 0:
            row = rows.setdefault(line, ([], []))
            row[0 if isinstance(token, Hit) else 1].append(token)
    pairs: list[tuple[Hit, Code]] = []
    for row_hits, row_codes in rows.values():
        if row_hits and row_codes:
            pairs += _pair_run(row_hits, row_codes, row_codes[0].span[0] > row_hits[0].span[0])
    return pairs


def pair_codes(text: str, hits: list[Hit], codes: list[Code]) -> None:
    """Give links their codes: within table rows first, then reading the layout the way that pairs the most."""
    in_rows = _row_pairs(text, hits, codes)
    paired = {id(token) for pair in in_rows for token in pair}
    runs = _runs([h for h in hits if id(h) not in paired], [c for c in codes if id(c) not in paired])
    after, before = _pairing(runs, True), _pairing(runs, False)
    for hit, code in in_rows + (after if _new_codes(after) >= _new_codes(before) else before):
        hit.code_span = code.span
        if hit.link.code is None:
            hit.link.code = code.value
