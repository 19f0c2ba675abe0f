"""Statistics tables and listings as units really fill them in: merged titles, two-row headers, labels
split over lines and by spaces, a 合计 row, notes under the table; .xlsx by openpyxl, .xls/.docx by LibreOffice."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

TAIZHOU_UNITS = ["黄岩区社区学院", "北城街道社区学校", "东城街道社区学校", "院桥镇成人文化技术学校"]
# One row per unit: 短期培训 场, 人次; 三入 场次, 人次; 视频; 教材; 案例
TAIZHOU_ROWS = [[12, 460, 8, 240, 3, 2, 1], [6, 180, 5, 150, 1, 0, 1], [4, 120, 3, 96, 0, 1, 0], [5, 210, 2, 64, 2, 0, 1]]


def _column_sums(rows: list[list[int]]) -> list[int]:
    return [sum(col) for col in zip(*rows)]


def taizhou_table(bureau: str = "黄岩区教育局", quarter: str = "2021年第二季度", *,
                  rows: list[list] | None = None, total: list | None = None, fmt: str = "xlsx") -> bytes:
    """台州 进展情况统计表: title, 填报单位 and quarter, a two-row merged header, units, 合计, 填表人."""
    rows = rows if rows is not None else TAIZHOU_ROWS
    book = Workbook()
    sheet = book.active
    sheet.title = "进展情况统计表"
    sheet.append(["台州市“智慧助老”行动进展情况统计表"])
    sheet.merge_cells("A1:H1")
    sheet.append([f"填报单位（盖章）：{bureau}", None, None, None, None, f"{quarter}"])
    sheet.append(["提供服务的单位", "应用类短期培训", None, "“三入”服务培训", None, "建设智能技术\n应用视频（个）",
                  "纸媒教材\n（本）", "优秀工作\n案例（个）"])
    sheet.append([None, "（场）", "（人次）", "（场次）", "（人次）"])
    for area in ("A3:A4", "B3:C3", "D3:E3", "F3:F4", "G3:G4", "H3:H4"):
        sheet.merge_cells(area)
    for unit, figures in zip(TAIZHOU_UNITS, rows):
        sheet.append([unit, *figures])
    sheet.append(["合  计", *(total if total is not None else _column_sums([r for r in rows if _numeric(r)]))])
    sheet.append([])
    sheet.append(["填表人：陈丽", None, None, "联系电话：0576-84112233"])
    for row in sheet.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    return _save(book, fmt)


def _numeric(row: list) -> bool:
    return all(isinstance(v, int) for v in row)


PUTUO_HEADER_TOP = ["街镇", "辖区内\n居 村 委\n总 数", "行动覆盖\n居村委数量", "行动次数", None, None,
                    "配送资源数", None, None, "线下行动\n参与人次", "线上人次", "宣传报道\n次数"]
PUTUO_HEADER_SUB = [None, None, None, "区机构", "街镇机构", "居村委", "线下课程", "数字资源", "读本"]


def putuo_table(street: str = "长征镇", figures: list | None = None, *, seal_png: bytes | None = None,
                fmt: str = "xlsx") -> bytes:
    """普陀 统计表 of one street: spaced and multi-line labels, two merged parents, optionally a seal picture."""
    figures = figures if figures is not None else [27, 27, 6, 18, 54, 36, 120, 2000, 4360, 15800, 12]
    book = Workbook()
    sheet = book.active
    sheet.title = "统计表"
    sheet.append(["普陀区“智慧助老”行动统计表"])
    sheet.merge_cells("A1:L1")
    sheet.append([f"填报单位：{street}人民政府", None, None, None, None, None, None, None, "填报日期：2024年6月20日"])
    sheet.append(PUTUO_HEADER_TOP)
    sheet.append(PUTUO_HEADER_SUB)
    for area in ("A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:I3", "J3:J4", "K3:K4", "L3:L4"):
        sheet.merge_cells(area)
    sheet.append([street, *figures])
    sheet.append(["备注：行动次数按开展活动场次统计。"])
    if seal_png is not None:
        from openpyxl.drawing.image import Image as XlImage

        picture = XlImage(io.BytesIO(seal_png))
        picture.anchor = "J7"
        sheet.add_image(picture)
    return _save(book, fmt)


def summary_listing(unit: str, items: list[tuple[str, str]]) -> bytes:
    """附件5 “智慧助老”信息汇总表 as .xlsx: 序号, 名称, 类型, 申报单位, 负责人."""
    book = Workbook()
    sheet = book.active
    sheet.title = "信息汇总表"
    sheet.append(["“智慧助老”信息汇总表"])
    sheet.merge_cells("A1:E1")
    sheet.append([f"填报单位（盖章）：{unit}"])
    sheet.append(["序号", "名  称", "类型", "申报单位", "负责人"])
    for index, (name, kind) in enumerate(items, start=1):
        sheet.append([index, name, kind, unit, "张华"])
    return _save(book, "xlsx")


def _save(book: Workbook, fmt: str) -> bytes:
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    return data if fmt == "xlsx" else convert_with_libreoffice(data, "xlsx", fmt)


def convert_with_libreoffice(data: bytes, source_ext: str, target: str) -> bytes:
    """The file as LibreOffice writes it in another format (xls, docx, pdf), as a real office suite would."""
    filters = {"xls": "xls:MS Excel 97", "docx": "docx:MS Word 2007 XML", "pdf": "pdf", "csv": "csv"}
    with tempfile.TemporaryDirectory(prefix="intake-lo-") as tmp:
        source = Path(tmp) / f"table.{source_ext}"
        source.write_bytes(data)
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        filters.get(target, target), "--outdir", tmp, str(source)],
                       check=True, capture_output=True, timeout=180)
        return (Path(tmp) / f"table.{target}").read_bytes()
