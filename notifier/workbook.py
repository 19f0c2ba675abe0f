"""The 信息汇总表: what a coordinator used to type by hand, one row per material, and a sheet per unit.

The columns are a contract (checks and coordinators' own macros read them):
see MATERIAL_HEADERS and UNIT_HEADERS. Times are Beijing (campaign) wall
time, as Excel has no zones.

Every string is written as text, never as a formula: openpyxl stores any
string that starts with `=` as one, and a form's 负责人 written as
`=HYPERLINK(...)` would otherwise become a live link in the coordinator's
workbook (see `append_row`). Numbers are only those we computed.
"""

from __future__ import annotations

import io
from collections import Counter
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from notifier.reply import KIND_NAMES
from rules.vocabulary import defect_title, status_title
from parsers.facts import FORM_KINDS
from rules import clock
from storage.collection import (CONTACT_LABELS, CONTACT_PHONE_LABELS, LEADER_LABELS, LEADER_PHONE_LABELS,
                                MaterialStanding, UnitStanding)

MATERIAL_HEADERS = ("序号", "单位", "材料类别", "名称", "负责人", "负责人电话", "联系人", "联系人电话", "状态", "问题",
                    "批次", "收到时间", "发件人", "网盘链接", "提取码")
MATERIAL_WIDTHS = (6, 28, 14, 36, 10, 16, 10, 16, 10, 60, 10, 20, 26, 44, 10)
UNIT_HEADERS = ("序号", "单位", "是否在名册", *(KIND_NAMES[k] for k in FORM_KINDS), "材料合计", "通过", "需修改",
                "报送邮件数", "最近来信", "待修改问题")
UNIT_WIDTHS = (6, 30, 10, 14, 10, 10, 10, 8, 8, 10, 20, 60)
EXCEL_CN_DATETIME = 'yyyy"年"m"月"d"日" hh:mm'
TEXT = "@"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")  # what Excel or a CSV import would take for a formula


def append_row(sheet, values: list) -> None:
    """Append a row with every string as a text cell: never a formula, whatever the mail wrote.

    A string that looks like a formula also gets Excel's quote prefix, so
    editing the cell in Excel keeps it text. Control characters that the
    file format cannot hold are dropped (they would make the export fail).
    """
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            cell.quotePrefix = cell.value.startswith(FORMULA_LEADS)


def _excel_time(moment, tz: ZoneInfo):
    return clock.local(moment, tz).replace(tzinfo=None) if moment else ""


def material_cells(index: int, m: MaterialStanding, tz: ZoneInfo) -> list:
    title = f"{m.title}（据扫描件识别）" if m.title and m.title_from_scan else (m.title or "、".join(m.files))
    return [
        index, m.unit or "", KIND_NAMES.get(m.kind, m.kind), title,
        m.value(LEADER_LABELS) or "", m.value(LEADER_PHONE_LABELS) or "",
        m.value(CONTACT_LABELS) or "", m.value(CONTACT_PHONE_LABELS) or "",
        status_title(m.status), "\n".join(f"{defect_title(d.code)}：{d.message}" for d in m.problems),
        m.batch or "", _excel_time(m.received_at, tz), m.sender,
        "\n".join(link.url for link in m.links), "\n".join(link.code or "" for link in m.links),
    ]


def unit_cells(index: int, u: UnitStanding, tz: ZoneInfo) -> list:
    kinds = u.kinds()
    statuses = sum(kinds.values(), start=Counter())
    return [
        index, u.name, "是" if u.in_roster else "否", *(sum(kinds.get(k, {}).values()) for k in FORM_KINDS),
        len(u.materials), statuses["accepted"], statuses["defective"], u.mails,
        _excel_time(u.last_mail, tz) if u.last_mail else "尚未报送",
        "\n".join(dict.fromkeys(d.message for d in u.outstanding)),
    ]


def export_workbook(materials: list[MaterialStanding], units: list[UnitStanding], tz: ZoneInfo | None = None,
                    stats: list | None = None) -> bytes:
    """The .xlsx: sheet 信息汇总表 (one row per material), sheet 各单位情况 (one row per unit),
    and 统计汇总 (each profile's statistics per period, unit by unit, with the sums) when there are any."""
    tz = tz or clock.zone()
    book = Workbook()
    sheet = book.active
    sheet.title = "信息汇总表"
    append_row(sheet, MATERIAL_HEADERS)
    for index, m in enumerate(materials, start=1):
        append_row(sheet, material_cells(index, m, tz))
    _style(sheet, MATERIAL_WIDTHS, text_columns=("F", "H", "O"), time_columns=("L",), wrap_columns=("J", "N"))
    per_unit = book.create_sheet("各单位情况")
    append_row(per_unit, UNIT_HEADERS)
    for index, u in enumerate(units, start=1):
        append_row(per_unit, unit_cells(index, u, tz))
    _style(per_unit, UNIT_WIDTHS, text_columns=(), time_columns=("K",), wrap_columns=("L",))
    if stats:
        _stats_sheet(book.create_sheet(STATS_SHEET), stats)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


STATS_SHEET = "统计汇总"


def _stats_sheet(sheet, summaries: list) -> None:
    """One block per profile and period (ingest.coordinator.statistics.StatsSummary): a title, a header, units, 合计."""
    for summary in summaries:
        append_row(sheet, [f"{summary.title}（{summary.period}）", f"征集：{summary.profile}"])
        sheet[sheet.max_row][0].font = Font(bold=True)
        append_row(sheet, ["单位", *summary.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for unit, figures in summary.units.items():
            append_row(sheet, [unit, *(figures.get(c) for c in summary.columns)])
        totals = summary.totals()
        append_row(sheet, ["合计", *(totals[c] for c in summary.columns)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        sheet.append([])
    sheet.column_dimensions["A"].width = 30
    for index in range(2, 2 + max(len(s.columns) for s in summaries)):
        sheet.column_dimensions[get_column_letter(index)].width = 14


def _style(sheet, widths, *, text_columns, time_columns, wrap_columns) -> None:
    """Bold frozen header, filters, readable widths, phones and codes kept as text."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for column in text_columns:
        for cell in sheet[column][1:]:
            cell.number_format = TEXT
    for column in time_columns:
        for cell in sheet[column][1:]:
            cell.number_format = EXCEL_CN_DATETIME
    for column in wrap_columns:
        for cell in sheet[column][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
