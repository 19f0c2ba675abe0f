"""Statistics tables (台州 进展情况统计表, 普陀 统计表) and listings (信息汇总表), read cell by cell.

A workbook (.xlsx/.xls/.et/.csv) or the tables of a Word file become grids
of text, merged cells repeated over their whole area; the header is then
found by its labels, whatever the layout (parsers/stats_header.py), and the
period its heading states (parsers/period.py).
This module knows nothing of what the figures must be: it reports each cell
as written and as a number, and the rules judge.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from parsers.doc_convert import OLE_MAGIC, is_encrypted
from parsers.facts import StatsRow, StatsTable, UnreadableFile
from parsers.period import read_quarter
from parsers.sheet import calc_to_xlsx
from parsers.stats_header import comparable, find_header
from parsers.text import decode_bytes

MAX_ROWS = 2000
_TOTAL = re.compile(r"^(合计|总计|共计|小计|全区合计|全市合计)")
_UNIT = re.compile(r"(?:填报单位|报送单位|单位名称)\s*(?:[（(]\s*盖章\s*[)）])?\s*[:：]\s*([^\s:：]{2,40})")
_END = re.compile(r"^(填表人|填报人|备注|说明|注[:：]|审核人|负责人|联系人|联系电话|填报日期|日期)")
_WORD_NAMES = (".docx", ".docm", ".dotx")
_NAME_LABELS = ("名称", "案例名称", "项目名称", "课程名称", "资源名称", "材料名称", "作品名称")


@dataclass
class Grid:
    """One sheet or document table as text cells, merged areas filled in."""

    name: str
    cells: list[list[str]]
    in_document: bool = False  # a Word table: columns are named 第N列, not letters
    has_images: bool = False  # the sheet carries pictures (a seal image, say)
    row_offset: int = 0  # rows put above the table (a PDF's heading lines): not counted in its row numbers


def read_grids(data: bytes, filename: str) -> list[Grid]:
    """Every sheet or table of a file as grids; [] for a file that holds none.

    The bytes decide the reader, the name only breaks ties: an Excel 97
    workbook named .xlsx is read as one, and an HTML table saved as .xls (as
    web systems export) goes through LibreOffice Calc, as for its text.
    """
    name = filename.lower()
    if data.startswith(OLE_MAGIC):
        return [] if name.endswith(_WORD_NAMES) else _xls_grids(data, filename)
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(decode_bytes(data))))[:MAX_ROWS]
        return [Grid("表1", [[c.strip() for c in r] for r in rows])]
    if name.endswith(_WORD_NAMES) or (data.startswith(b"PK") and b"word/" in data[:4096]):
        return _docx_grids(data)
    if data.startswith(b"PK"):
        return _xlsx_grids(data)
    if name.endswith((".xls", ".et")) and data.lstrip()[:1] == b"<":
        return _xlsx_grids(calc_to_xlsx(data, filename))
    return []


def _xlsx_grids(data: bytes) -> list[Grid]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile("表格文件已损坏或已加密，无法打开，请另存为 .xlsx 后重新发送。") from exc
    grids = []
    for sheet, written in zip(book.worksheets, formulas.worksheets):
        rows = min(sheet.max_row, MAX_ROWS)
        # A formula no office suite has computed yet (a file made by a program) is kept as its text, `=SUM(…)`.
        cells = [[_cell_text(v if v is not None else f) for v, f in zip(row, raw)]
                 for row, raw in zip(sheet.iter_rows(max_row=rows, values_only=True),
                                     written.iter_rows(max_row=rows, values_only=True))]
        for area in sheet.merged_cells.ranges:
            _fill(cells, area.min_row - 1, area.max_row - 1, area.min_col - 1, area.max_col - 1)
        grids.append(Grid(sheet.title, cells, has_images=_has_seal_image(sheet)))
    return grids


def _has_seal_image(sheet) -> bool:
    """A red seal picture placed on the sheet (how an electronic seal is put on a workbook)."""
    from parsers.seal import seal_image

    for image in getattr(sheet, "_images", []):
        try:
            data = image._data()
        except (OSError, ValueError, AttributeError):
            continue
        if seal_image(data):
            return True
    return False


def _xls_grids(data: bytes, filename: str) -> list[Grid]:
    """Excel 97 and WPS .et by xlrd, merged areas filled in; what xlrd cannot read, by LibreOffice Calc."""
    book = _open_xls(data)
    if book is None:
        return _xlsx_grids(calc_to_xlsx(data, filename))
    grids = []
    for sheet in book.sheets():
        cells = [[_cell_text(sheet.cell_value(r, c)) for c in range(sheet.ncols)]
                 for r in range(min(sheet.nrows, MAX_ROWS))]
        for r0, r1, c0, c1 in sheet.merged_cells:  # empty without formatting_info
            _fill(cells, r0, r1 - 1, c0, c1 - 1)
        grids.append(Grid(sheet.name, cells))
    return grids


def _open_xls(data: bytes):
    """The workbook with its merged areas where xlrd can read them, else without; None when xlrd cannot read it."""
    import xlrd

    if is_encrypted(data):
        raise UnreadableFile("表格文件设置了打开密码，系统无法读取，请取消密码后另存为 .xlsx 重新发送。")
    for formatting in (True, False):
        try:
            return xlrd.open_workbook(file_contents=data, formatting_info=formatting)
        except Exception:  # noqa: BLE001 - xlrd raises its own, struct and index errors on odd BIFF
            continue
    return None


def _docx_grids(data: bytes) -> list[Grid]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a damaged package
        raise UnreadableFile("Word 文件已损坏或已加密，无法打开，请另存为 .docx 后重新发送。") from exc
    grids = []
    for index, table in enumerate(document.tables, start=1):
        cells = [["\n".join(p.text for p in cell.paragraphs).strip() for cell in row.cells] for row in table.rows]
        grids.append(Grid(f"表格{index}", cells, in_document=True))
    return grids


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _fill(cells: list[list[str]], r0: int, r1: int, c0: int, c1: int) -> None:
    if r0 >= len(cells):
        return
    value = cells[r0][c0] if c0 < len(cells[r0]) else ""
    for r in range(r0, min(r1, len(cells) - 1) + 1):
        row = cells[r]
        row.extend([""] * (c1 + 1 - len(row)))
        for c in range(c0, c1 + 1):
            row[c] = value


# ---------------------------------------------------------------- tables


def read_stats(grids: list[Grid], columns: dict[str, list[str]], label: tuple[str, list[str]] | None = None,
               min_found: float = 0.6) -> StatsTable | None:
    """The statistics table whose header carries most of `columns` (name -> spellings), or None.

    `label` is the text column that names each row (e.g. 提供服务的单位).
    A table counts when at least `min_found` of the columns are found.
    """
    wanted = dict(columns)
    if label:
        wanted = {label[0]: label[1], **wanted}
    best: tuple[Grid, tuple[int, int, dict[str, int]]] | None = None
    for grid in grids:
        header = find_header(grid.cells, wanted)
        if header and (best is None or len(header[2]) > len(best[1][2])):
            best = (grid, header)
    if best is None:
        return None
    grid, (top, depth, found) = best
    figures = [name for name in columns if name in found]
    if len(figures) < max(1, round(min_found * len(columns))):
        return None
    return _table(grid, top, depth, found, figures, label[0] if label else None, list(columns))


def _table(grid: Grid, top: int, depth: int, found: dict[str, int], figures: list[str],
           label: str | None, names: list[str]) -> StatsTable:
    heading = " ".join(c for row in grid.cells[:top + depth] for c in row if c)
    period = read_quarter(heading)
    unit = _UNIT.search(heading)
    table = StatsTable(
        sheet=grid.name, columns=figures,
        column_letters={n: _column_name(found[n], grid.in_document) for n in figures},
        period=period.name if period and period.year else None,  # a year left to the reader is the rules' to settle
        unit=unit.group(1) if unit else None,
        missing_columns=[n for n in names if n not in found], sealed=grid.has_images,
    )
    first_figure = min(found[n] for n in figures)
    for r in range(top + depth, len(grid.cells)):
        row = grid.cells[r]
        texts = [row[c] if c < len(row) else "" for c in range(len(row))]
        raw = {n: (row[found[n]] if found[n] < len(row) else "") for n in figures}
        name = (row[found[label]] if label in found and found[label] < len(row) else
                next((t for t in texts[:first_figure] if t), ""))
        if _END.match(comparable(" ".join(t for t in texts if t))) or _END.match(name.strip()):
            break
        if not name and not any(raw.values()):
            continue
        is_total = bool(_TOTAL.match(comparable(name))) or any(_TOTAL.match(comparable(t)) for t in texts[:first_figure])
        table.rows.append(StatsRow(row=r + 1 - grid.row_offset, label=name.strip(), raw=raw,
                                   values={n: figure(v) for n, v in raw.items()}, is_total=is_total))
    return table


def is_formula(text: str) -> bool:
    """A formula without its computed value: nothing to judge until an office suite saves the file."""
    return (text or "").lstrip().startswith("=")


def figure(text: str) -> int | None:
    """A cell as a non-negative whole number: `12`, `12.0`, `1,200`, `１２`; None for `约20`, `-3`, `12.5`, ``."""
    text = unicodedata.normalize("NFKC", text or "").strip().replace(",", "")
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.0+", text):
        return int(float(text))
    return None


def _column_name(index: int, in_document: bool) -> str:
    if in_document:
        return f"第{index + 1}列"
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# ---------------------------------------------------------------- listings


def read_listing(grids: list[Grid]) -> list[str] | None:
    """The names a 信息汇总表 lists (its 名称 column), or None when no such column is found."""
    for grid in grids:
        header = find_header(grid.cells, {"名称": list(_NAME_LABELS)})
        if not header or "名称" not in header[2]:
            continue
        top, depth, found = header
        column = found["名称"]
        names = []
        for row in grid.cells[top + depth:]:
            text = row[column].strip() if column < len(row) else ""
            if _END.match(text) or _TOTAL.match(comparable(text)):
                break
            if text and text not in names:
                names.append(text)
        return names
    return None
