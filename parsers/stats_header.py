"""The header of a statistics table, found by its labels the way a person reads them.

A label may be split over lines or by spaces (`居 村 委\\n总 数`), broken
mid-word (`行动覆盖居村\\n委数量`), carry a merged parent over its children
(`配送资源数（个／门）` over `读本（折页等）`), be typed again in each cell a
merge would span, or stand once with blank cells on its right over its
children. Bracketed qualifiers (units, examples) may be left out on either
side — unless two names differ only by them (`应用类短期培训（场）`/`（人次）`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

HEADER_SEARCH = 15  # rows from the top in which a header may start


def comparable(text: str) -> str:
    """A label without spaces, line breaks, brackets, quotes or width differences."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


_QUALIFIER = re.compile(r"[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]")  # after NFKC: （个／门） is (个/门)


def without_qualifiers(text: str) -> str:
    """A label with its bracketed qualifiers dropped: `读本（折页等）` is `读本`, `配送资源数(个/门)` is `配送资源数`."""
    return comparable(_QUALIFIER.sub("", unicodedata.normalize("NFKC", text or "")))


@dataclass(frozen=True)
class _Piece:
    full: str  # the cell's text as comparable
    bare: str  # the same without bracketed qualifiers ("" when the cell is only a qualifier, `（场）`)


def _header_text(cells: list[list[str]], r: int, col: int, last: int) -> str:
    """A header cell's text; a blank parent cell continues the parent on its left.

    A person typing a two-row header without merging writes `配送资源数`
    once over three children and leaves the next two cells blank. A blank
    cell in an upper header row (not the last) over a labelled child takes the
    text of the nearest labelled cell on its left, when that one is itself a
    parent (it has a child under it) and every cell between is blank over a child.
    """
    text = cells[r][col] if col < len(cells[r]) else ""
    if text.strip() or r >= last or not _below(cells, r, col):
        return text
    for left in range(col - 1, -1, -1):
        if not _below(cells, r, left):
            return ""
        parent = cells[r][left] if left < len(cells[r]) else ""
        if parent.strip():
            return parent
    return ""


def _below(cells: list[list[str]], r: int, col: int) -> bool:
    row = cells[r + 1] if r + 1 < len(cells) else []
    return col < len(row) and bool(row[col].strip())


def _pieces(cells: list[list[str]], top: int, depth: int, col: int) -> list[_Piece]:
    """The distinct header texts stacked over one column (a merged parent once)."""
    out: list[_Piece] = []
    for r in range(top, top + depth):
        text = _header_text(cells, r, col, top + depth - 1)
        piece = _Piece(comparable(text), without_qualifiers(text))
        if piece.full and piece.full not in [p.full for p in out]:
            out.append(piece)
    return out


def _joined(parts: list[list[str]]) -> set[str]:
    """Every reading of stacked header texts: alone, or joined in any order (parent+child, child+parent)."""
    found: set[str] = set()
    for n in range(1, len(parts) + 1):
        for combo in itertools.permutations(parts, n):
            for spelling in itertools.product(*combo):
                if all(spelling):
                    found.add("".join(spelling))
    return found


def _readings(pieces: list[_Piece]) -> tuple[set[str], set[str]]:
    """(as written, with any bracketed qualifier optional) readings of one column's header."""
    exact = _joined([[p.full] for p in pieces])
    loose = _joined([[p.full, p.bare] if p.bare and p.bare != p.full else [p.full] for p in pieces])
    return exact, loose | {p.bare for p in pieces if p.bare}


def _match_header(cells, top: int, depth: int, wanted: dict[str, list[str]]) -> dict[str, int]:
    """Column index of each wanted name whose spellings the header at (top, depth) carries.

    Headers are matched as written first; then, for the names still
    missing, with bracketed qualifiers optional on both sides (`读本（折页等）`
    is `读本`), unless two names differ only by their qualifier
    (`应用类短期培训（场）` and `（人次）`): their qualifier must be there.
    """
    width = max((len(r) for r in cells[top:top + depth]), default=0)
    readings = [_readings(_pieces(cells, top, depth, c)) for c in range(width)]
    found: dict[str, int] = {}
    for name, spellings in wanted.items():
        targets = {comparable(s) for s in spellings}
        hits = [c for c, (exact, _) in enumerate(readings) if exact & targets and c not in found.values()]
        if hits:
            found[name] = hits[0]
    bare = {name: {without_qualifiers(s) for s in spellings} - {""} for name, spellings in wanted.items()}
    for name, spellings in wanted.items():
        if name in found or any(bare[name] & bare[other] for other in wanted if other != name):
            continue
        targets = {comparable(s) for s in spellings} | bare[name]
        hits = [c for c, (_, loose) in enumerate(readings) if loose & targets and c not in found.values()]
        if hits:
            found[name] = hits[0]
    return found


def find_header(cells: list[list[str]], wanted: dict[str, list[str]]) -> tuple[int, int, dict[str, int]] | None:
    """(first header row, header depth, column of each name found): the reading that finds most names."""
    best: tuple[int, int, dict[str, int]] | None = None
    for top in range(min(HEADER_SEARCH, len(cells))):
        for depth in (1, 2, 3):
            if top + depth > len(cells):
                break
            found = _match_header(cells, top, depth, wanted)
            if best is None or len(found) > len(best[2]):
                best = (top, depth, found)
    return best
