"""普陀 统计表 in the layout the notice (普教职成〔2024〕1号) prints it, and 台州 tables headed by their period.

The notice's table has two header rows: parents merged over their children
(`配送资源数（个／门）` over `线下课程（门）`, `数字资源（个）`, `读本（折页等）`),
labels broken over lines inside a cell and units in brackets, full-width or
half-width. Units fill it in three ways: keeping the merges, typing the same
label into every cell of a merged area, or typing a parent once and leaving
the cells on its right blank. Each is built here, as .xlsx (openpyxl), as .xls
(LibreOffice) and as the sealed PDF a unit prints from it (reportlab); 台州's table as a PDF too.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment

from ingest.samples.tables import convert_with_libreoffice

# (parent, [children]) as the notice prints them; a column without children is (label, []).
NOTICE_HEADER = [
    ("街镇（单位）", []),
    ("辖区内居村委\n总数（个）", []),
    ("行动覆盖居村\n委数量（个）", []),
    ("行动次数（次）", ["区机构", "街镇机构", "居村委"]),
    ("配送资源数\n（个／门）", ["线下课程\n（门）", "数字资源\n（个）", "读本\n（折页等）"]),
    ("线下行动参与\n人次", []),
    ("线上人次\n(浏览量)", []),
    ("宣传报道\n次数（次）", []),
]
FIGURES = [27, 25, 6, 18, 54, 36, 120, 2000, 4360, 15800, 12]
LAYOUTS = ("merged", "typed", "blank")  # merges kept; label typed in each cell; parent once, blanks on its right


def _header_rows(layout: str, drop: str | None) -> tuple[list, list, list[str]]:
    """The two header rows and the merged areas, without the child or column named `drop`."""
    top, sub, merges = [], [], []
    for parent, children in NOTICE_HEADER:
        kept = [c for c in children if c != drop]
        if parent == drop:
            continue
        start = len(top) + 1
        if not kept:
            top.append(parent)
            sub.append(parent if layout == "typed" else None)
            merges.append(f"{_letter(start)}4:{_letter(start)}5")
            continue
        for index, child in enumerate(kept):
            top.append(parent if index == 0 or layout == "typed" else None)
            sub.append(child)
        if len(kept) > 1:
            merges.append(f"{_letter(start)}4:{_letter(start + len(kept) - 1)}4")
    return top, sub, merges if layout == "merged" else []


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def putuo_notice_table(street: str = "长征镇", figures: list | None = None, *, layout: str = "merged",
                       drop: str | None = None, fmt: str = "xlsx") -> bytes:
    """The notice's 统计表 filled in by one street; `drop` leaves out one column (a label as printed)."""
    figures = list(figures if figures is not None else FIGURES)
    top, sub, merges = _header_rows(layout, drop)
    if drop is not None:
        figures.pop(_column_of(drop) - 1)  # the first column is 街镇
    book = Workbook()
    sheet = book.active
    sheet.title = "统计表"
    sheet.append(["附件1"])
    sheet.append(["普陀区“智慧助老”行动统计表"])
    sheet.merge_cells(f"A2:{_letter(len(top))}2")
    sheet.append([f"填报单位（盖章）：{street}人民政府", *[None] * 7, "填报日期：2024年6月20日"])
    sheet.append(top)
    sheet.append(sub)
    for area in merges:
        sheet.merge_cells(area)
    sheet.append([street, *figures])
    sheet.append(["填表人：王敏", None, None, "联系电话：021-62501234"])
    for row in sheet.iter_rows(min_row=4, max_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue() if fmt == "xlsx" else convert_with_libreoffice(out.getvalue(), "xlsx", fmt)


def putuo_notice_pdf(street: str = "长征镇", figures: list | None = None, *, seal: bytes | None = None,
                     layout: str = "merged", drop: str | None = None) -> bytes:
    """The table as a unit prints it to PDF, the seal picture over 填报单位; merged header cells drawn as spans."""
    figures = [str(v) for v in (figures if figures is not None else FIGURES)]
    top, sub, merges = _header_rows(layout, drop)
    if drop is not None:
        figures.pop(_column_of(drop) - 1)
    return table_pdf("普陀区“智慧助老”行动统计表", [f"填报单位（盖章）：{street}人民政府"],
                     [[t or "" for t in top], [s or "" for s in sub], [street, *figures]],
                     [_span(area) for area in merges], seal)


def _column_of(label: str) -> int:
    """Where a label as printed stands among the table's columns (0 is 街镇)."""
    labels = [c for _, children in NOTICE_HEADER for c in (children or [None])]
    parents = [p for p, children in NOTICE_HEADER for _ in (children or [None])]
    return labels.index(label) if label in labels else parents.index(label)


def _span(area: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """A sheet's merged area of the header (rows 4-5) as a reportlab span (column, row) of the table."""
    from openpyxl.utils.cell import range_boundaries

    c0, r0, c1, r1 = range_boundaries(area)
    return (c0 - 1, r0 - 4), (c1 - 1, r1 - 4)


def taizhou_table_pdf(bureau: str = "黄岩区教育局", quarter: str = "2021年第二季度", *,
                      rows: list[list] | None = None, total: list | None = None, seal: bytes | None = None) -> bytes:
    """台州 进展情况统计表 printed to PDF: the quarter beside 填报单位, a merged two-row header, units, 合计."""
    from ingest.samples.tables import TAIZHOU_ROWS, TAIZHOU_UNITS

    rows = rows if rows is not None else TAIZHOU_ROWS
    total = total if total is not None else [sum(column) for column in zip(*rows)]
    header = [["提供服务的单位", "应用类短期培训", "", "“三入”服务培训", "", "建设智能技术\n应用视频（个）",
                "纸媒教材\n（本）", "优秀工作\n案例（个）"], ["", "（场）", "（人次）", "（场次）", "（人次）", "", "", ""]]
    body = [[unit, *map(str, figures)] for unit, figures in zip(TAIZHOU_UNITS, rows)]
    spans = [((1, 0), (2, 0)), ((3, 0), (4, 0))] + [((c, 0), (c, 1)) for c in (0, 5, 6, 7)]
    return table_pdf("台州市“智慧助老”行动进展情况统计表", [f"填报单位（盖章）：{bureau}        {quarter}"],
                     [*header, *body, ["合  计", *map(str, total)]], spans, seal)


def table_pdf(title: str, lines: list[str], cells: list[list[str]], spans: list, seal: bytes | None) -> bytes:
    """One landscape page as Excel/WPS prints a sheet: title, the lines under it, the ruled table, a seal picture."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    table = Table(cells)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               *[("SPAN", a, b) for a, b in spans]]))
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=landscape(A4))
    width, height = landscape(A4)
    page.setFont("STSong-Light", 18)
    page.drawCentredString(width / 2, height - 60, title)
    page.setFont("STSong-Light", 11)
    for n, line in enumerate(lines):
        page.drawString(40, height - 90 - 16 * n, line)
    _, h = table.wrapOn(page, width - 80, height)
    table.drawOn(page, 40, height - 110 - 16 * (len(lines) - 1) - h)
    if seal is not None:
        page.drawImage(ImageReader(io.BytesIO(seal)), 120, height - 150, 110, 110, mask="auto")
    page.drawString(40, 60, "填表人：王敏        联系电话：021-62501234")
    page.showPage()
    page.save()
    return buf.getvalue()
