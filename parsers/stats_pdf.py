"""Statistics tables printed to PDF (with a text layer) and sealed, read as the workbook they came from.

A unit fills the notice's table in Excel or WPS, prints it to PDF and puts
its electronic seal on it; often that PDF is all it sends. Its text layer
still holds every cell: pdfplumber finds the table's ruled grid, and each
table becomes a `Grid` as a workbook sheet would, so the same header finder
(`parsers.stats_header`) and `parsers.stats.read_stats` read it. A cell a
span covers (pdfplumber gives None) takes the spanning cell's text, as a
merged area does in a workbook; a cell left blank stays blank, for the
header finder to read as a parent typed once. Lines broken inside a cell are
joined. The lines printed above the table (title, 填报单位, period) come
first, as the rows above the header do in a sheet.

Only a reading we trust becomes a table: every column of the notice found,
no undecodable glyphs, some figure written. Anything less is left unread
(the PDF stays a copy of the table, as before) — an extraction artefact
must never become a defect notice. Seal text (red or turned glyphs) is
dropped before the grid is read, so a seal over a cell does not spoil it.

PDFs are opened in a worker process (`parsers.workers`), as the scan reader
opens them: a hostile file costs a worker, not the service; only the first
`[limits] max_pages` pages are read.
"""

from __future__ import annotations

import os
import re

from parsers import limits
from parsers.facts import StatsTable, UnreadableFile
from parsers.limits import ReadingLimits
from parsers.stats import Grid, read_stats

HEADING_LINES = 6  # printed lines above a table kept as its heading (title, 填报单位, period)
MAX_PAGE_CHARS = 20000  # a statistics table page holds a few hundred; past this the page is not a table to read
_NUMBER = re.compile(r"[\d０-９,，.]+")
_TOLERANCE = 1.0  # points: a spanning cell's edge and its neighbours' may differ by rounding


def read_pdf_stats(filename: str, data: bytes, columns: dict[str, list[str]],
                   label: tuple[str, list[str]] | None = None) -> StatsTable | None:
    """The statistics table a text-layer PDF prints, when it can be read with confidence; else None."""
    table = read_stats(pdf_grids(filename, data), columns, label, min_found=1.0)
    if table is None or table.missing_columns or not _trusted(table):
        return None
    table.read_from = "pdf"
    return table


def _trusted(table: StatsTable) -> bool:
    """Figures read from real text: no `(cid:N)` glyphs without a character, and some figure written."""
    raw = [v for row in table.rows for v in row.raw.values()]
    return bool(table.rows) and not any("(cid:" in v for v in raw) and any(v.strip() for v in raw)


def pdf_grids(filename: str, data: bytes) -> list[Grid]:
    """Every ruled table of the PDF's first pages as a grid, read in a worker; [] when none can be read."""
    from parsers.scan_source import scan_extension
    from parsers.workers import alone, spool

    if scan_extension(filename, data) != ".pdf":
        return []
    path = spool(data, ".pdf")
    try:
        grids = alone(_grids_in_worker, (filename, path, limits.current()))
    finally:
        os.unlink(path)
    return grids if isinstance(grids, list) else []  # a worker that died twice: a copy we cannot read


def _grids_in_worker(task: tuple[str, str, ReadingLimits]) -> list[Grid]:
    filename, path, reading_limits = task
    limits.use(reading_limits)
    from parsers.scan_source import _open_pdf

    try:
        pdf = _open_pdf(filename, path)
    except (UnreadableFile, MemoryError):
        return []
    try:
        grids: list[Grid] = []
        for number, page in enumerate(pdf.pages[:reading_limits.max_pages], start=1):
            grids += _page_grids(page, number)
        return grids
    except MemoryError:
        return []
    finally:
        pdf.close()


def _page_grids(page, number: int) -> list[Grid]:
    """The page's tables; a page without text (a scan) or with far too much has none."""
    if not page.chars or len(page.chars) > MAX_PAGE_CHARS:
        return []
    page = page.filter(_printed)
    grids = []
    for index, table in enumerate(page.find_tables(), start=1):
        heading = _heading(page, table.bbox[1])
        cells = [[line] for line in heading] + _cells(table)
        grids.append(Grid(f"第{number}页表格{index}", cells, in_document=True, row_offset=len(heading)))
    return grids


def _printed(obj: dict) -> bool:
    """Everything but a seal's own glyphs: characters in red, or set along the seal's ring (not upright)."""
    if obj.get("object_type") != "char":
        return True
    return bool(obj.get("upright", True)) and not _red(obj.get("non_stroking_color"))


def _red(color) -> bool:
    if not isinstance(color, (tuple, list)) or not all(isinstance(v, (int, float)) for v in color):
        return False
    if len(color) == 3:
        r, g, b = color
        return r > 0.6 and g < 0.4 and b < 0.4
    if len(color) == 4:
        c, m, y, _ = color
        return c < 0.3 and m > 0.6 and y > 0.6
    return False


def _heading(page, top: float) -> list[str]:
    """The last lines printed above the table: where its title, 填报单位 and period stand."""
    if top <= 1:
        return []
    text = page.crop((0, 0, page.width, top)).extract_text() or ""
    return [line.strip() for line in text.splitlines() if line.strip()][-HEADING_LINES:]


def _cells(table) -> list[list[str]]:
    """The table's text, each span's text over every cell it covers, as a workbook's merged area."""
    texts = table.extract()
    rows = table.rows
    tops = [row.bbox[1] for row in rows]
    lefts = [column.bbox[0] for column in table.columns]
    for r, row in enumerate(rows):
        for c, box in enumerate(row.cells):
            if box is None or texts[r][c] is None:
                continue
            x0, top, x1, bottom = box
            for r2 in range(r, len(rows)):
                if tops[r2] >= bottom - _TOLERANCE:
                    break
                for c2 in range(c, len(lefts)):
                    if lefts[c2] >= x1 - _TOLERANCE:
                        break
                    if texts[r2][c2] is None and lefts[c2] >= x0 - _TOLERANCE:
                        texts[r2][c2] = texts[r][c]
    return [[_cell_text(t) for t in row] for row in texts]


def _cell_text(text: str | None) -> str:
    """A cell's text, its line breaks joined: `辖区内居村委\\n总数（个）`, `院桥镇成人文化\\n技术学校`.

    A number the printer broke or spaced (`15 800`) is one number again.
    """
    text = "".join(line.strip() for line in (text or "").splitlines())
    bare = "".join(text.split())
    return bare if _NUMBER.fullmatch(bare) else text
