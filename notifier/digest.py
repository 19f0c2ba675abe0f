"""The coordinators' daily digest and the summary spreadsheet.

Coordinators used to keep a hand-made summary spreadsheet and read every mail
to know where things stood. The digest gives them one mail a day: how many
submissions came in and how they were judged, unit by unit, which problems
were most common (to improve the notice), and which share links died after
acceptance; the attached workbook has the same columns as their old sheet.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from notifier.reply import KIND_NAMES, ReplyIdentity, material_title, new_message, render_pair, template_env
from parsers.facts import Defect, Material, Submission
from rules import clock

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

DEFECT_TITLES: dict[str, str] = {
    "SUBJECT_FORMAT": "邮件主题格式不符",
    "SUBJECT_COUNT_MISSING": "主题缺少数量",
    "COUNT_MISMATCH": "数量与材料不符",
    "NO_ATTACHMENTS": "没有附件",
    "WORD_MISSING": "缺少Word申报表",
    "SCAN_MISSING": "缺少盖章扫描件",
    "STAMP_MISSING": "扫描件未见公章",
    "FIELD_MISSING": "必填项未填写",
    "PHONE_INVALID": "联系电话有误",
    "TEXT_TOO_LONG": "字数超出限制",
    "SHARE_CONSENT_MISSING": "未勾选是否同意共享",
    "LINK_MISSING": "缺少网盘链接",
    "LINK_MALFORMED": "网盘链接不完整",
    "LINK_CODE_MISSING": "缺少提取码",
    "LINK_DEAD": "网盘链接已失效",
    "ATTACHMENT_UNREADABLE": "附件无法打开",
    "LATE": "超过截止时间",
    "ATTACHMENT_NAME": "附件命名不规范",
    "LATE_BATCH": "顺延至下一批次",
    "UNIT_MISMATCH": "单位名称不一致",
    "LINK_PROVIDER": "非指定网盘",
    "LINK_REUSED": "链接与他人重复",
    "LINK_CODE_WRONG": "提取码错误",
    "LINK_EXPIRES": "链接会自动过期",
    "STAMP_UNCERTAIN": "公章识别存疑",
    "SCAN_NAME_MISMATCH": "扫描件与申报表名称不一致",
}
STATUS_TITLES = {
    "accepted": "通过",
    "defective": "需修改",
    "ignored": "忽略",
    "error": "需人工处理",
}
LINK_CHECK_TITLES = {"dead": "已失效", "wrong_code": "提取码错误", "unknown": "无法确认"}
SUMMARY_HEADERS = ("单位", "批次", "材料类别", "名称", "申报单位", "负责人", "联系人", "联系电话", "状态", "问题", "收到时间")
# Excel has no time zones: the cell holds Beijing (campaign) wall time, shown the Chinese way.
EXCEL_CN_DATETIME = 'yyyy"年"m"月"d"日" hh:mm'

# Labels as the form parser normalises them; the first one filled wins.
LEADER_LABELS = ("负责人", "项目负责人", "案例负责人", "课程负责人")
CONTACT_LABELS = ("联系人",)
PHONE_LABELS = ("联系人联系电话", "联系电话", "负责人联系电话", "手机", "联系方式")
NO_UNIT = "（未识别单位）"
TOP_DEFECTS = 10


def defect_title(code: str) -> str:
    return DEFECT_TITLES.get(code, code)


def status_title(status: str) -> str:
    return STATUS_TITLES.get(status, status)


@dataclass
class DigestRow:
    """One message handled during the day, as the digest lists it."""

    unit: str | None
    status: str  # accepted / defective / ignored / error
    received_at: datetime | None
    subject: str
    sender: str
    batch: str | None
    materials: dict[str, int] = field(default_factory=dict)  # kind -> count
    defect_codes: list[str] = field(default_factory=list)
    superseded: bool = False  # a later resend from the same unit replaced it
    note: str | None = None  # for the coordinator (e.g. a wrong PC clock on the sender's side)


@dataclass
class DeadLink:
    """A share link of an accepted submission that failed a later re-check."""

    unit: str | None
    url: str
    code: str | None  # check result: "dead", "wrong_code", ...
    checked_at: datetime | None
    detail: str | None


@dataclass
class BatchTotal:
    """A batch's standing collection: the latest version of each unit's materials."""

    kinds: dict[str, int] = field(default_factory=dict)  # material kind -> count
    units: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # accepted/defective -> materials


@dataclass
class SummaryRow:
    """One material, one line of the coordinators' summary spreadsheet."""

    unit: str | None
    batch: str | None
    kind: str
    name: str | None
    applicant_unit: str | None = None  # 申报单位 as written in the form
    leader: str | None = None  # 负责人
    contact: str | None = None  # 联系人
    phone: str | None = None  # 联系电话
    status: str = ""
    problems: list[str] = field(default_factory=list)
    received_at: datetime | None = None  # when the mail counts as sent (aware)


def _first(fields: dict[str, str], labels: tuple[str, ...]) -> str | None:
    return next((fields[label] for label in labels if fields.get(label)), None)


def _material_problems(material: Material, defects: list[Defect], filenames: list[str]) -> list[str]:
    """Defects located in this material first, then those of the whole submission.

    A defect whose `where` names another file of the submission belongs to
    that file's line only.
    """
    keys = [k for k in (material.filename, material.title) if k]
    others = [f for f in filenames if f != material.filename]
    own = [d for d in defects if d.where and any(k in d.where for k in keys)]
    general = [d for d in defects
               if d not in own and not any(f in d.where for f in others)]
    return [f"{defect_title(d.code)}：{d.message}" for d in own + general]


def summary_rows(sub: Submission, status: str, defects: list[Defect],
                 materials: list[Material] | None = None) -> list[SummaryRow]:
    """The spreadsheet lines of one submission: one per material (of `materials`, default all)."""
    unit = sub.unit or sub.subject.unit
    filenames = [m.filename for m in sub.materials]
    rows = []
    for material in sub.materials if materials is None else materials:
        fields = material.fields
        rows.append(SummaryRow(
            unit=unit, batch=sub.batch, kind=material.kind,
            name=material_title(material, sub) or material.filename,
            applicant_unit=material.form.unit if material.form else None,
            leader=_first(fields, LEADER_LABELS), contact=_first(fields, CONTACT_LABELS),
            phone=_first(fields, PHONE_LABELS), status=status,
            problems=_material_problems(material, defects, filenames), received_at=sub.sent_at,
        ))
    return rows


def summary_workbook(rows: list[SummaryRow], tz: ZoneInfo | None = None) -> bytes:
    """An .xlsx of every material, in the columns of the coordinators' own sheet; times in `tz`."""
    tz = tz or clock.zone()
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总表"
    sheet.append(SUMMARY_HEADERS)
    for row in rows:
        sheet.append([
            row.unit or "", row.batch or "", KIND_NAMES.get(row.kind, row.kind), row.name or "",
            row.applicant_unit or "", row.leader or "", row.contact or "", row.phone or "",
            status_title(row.status), "\n".join(row.problems),
            clock.local(row.received_at, tz).replace(tzinfo=None) if row.received_at else "",
        ])
    _style_sheet(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _style_sheet(sheet) -> None:
    """Bold frozen header, filters, readable widths, phones kept as text."""
    widths = (28, 10, 14, 36, 28, 10, 10, 16, 10, 60, 20)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet["H"][1:]:
        cell.number_format = "@"
    for cell in sheet["J"][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet["K"][1:]:
        cell.number_format = EXCEL_CN_DATETIME
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _counts(rows: list[DigestRow]) -> dict[str, int]:
    statuses = Counter(r.status for r in rows)
    return {
        "received": len(rows),
        "accepted": statuses["accepted"],
        "defective": statuses["defective"],
        "ignored": statuses["ignored"],
        "other": len(rows) - statuses["accepted"] - statuses["defective"] - statuses["ignored"],
        "superseded": sum(r.superseded for r in rows),
    }


def _kind_rank(kind: str) -> int:
    return list(KIND_NAMES).index(kind) if kind in KIND_NAMES else len(KIND_NAMES)


def _materials_text(materials: dict[str, int]) -> str:
    ordered = sorted(materials.items(), key=lambda item: _kind_rank(item[0]))
    parts = [f"{KIND_NAMES.get(k, k)}×{n}" for k, n in ordered if n]
    return "、".join(parts) or "无"


def _row_view(row: DigestRow, tz: ZoneInfo) -> dict:
    return {
        "unit": row.unit or NO_UNIT,
        "status": status_title(row.status),
        "status_code": row.status,
        "time": clock.cn_datetime(row.received_at, tz),
        "subject": row.subject,
        "sender": row.sender,
        "batch": row.batch or "",
        "materials": _materials_text(row.materials),
        "problems": "、".join(defect_title(c) for c in dict.fromkeys(row.defect_codes)),
        "superseded": row.superseded,
        "note": row.note or "",
    }


def _sort_key(row: DigestRow) -> tuple:
    return (row.unit or "\uffff", row.received_at.timestamp() if row.received_at else 0.0)


def _top_defects(rows: list[DigestRow]) -> list[dict]:
    """Codes by how many messages had them (a code counts once per message)."""
    counter = Counter(code for r in rows for code in set(r.defect_codes))
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_DEFECTS]
    return [{"code": c, "title": defect_title(c), "count": n} for c, n in ranked]


def _dead_view(link: DeadLink, tz: ZoneInfo) -> dict:
    return {
        "unit": link.unit or NO_UNIT,
        "url": link.url,
        "state": LINK_CHECK_TITLES.get(link.code or "", link.code or ""),
        "time": clock.cn_datetime(link.checked_at, tz),
        "detail": link.detail or "",
    }


def _batch_view(totals: dict[str, BatchTotal]) -> tuple[list[str], list[dict]]:
    """Kinds as columns, one row per batch; statuses in the fixed order of STATUS_TITLES."""
    kinds = sorted({k for t in totals.values() for k in t.kinds}, key=_kind_rank)
    rows = [{"batch": batch, "counts": [t.kinds.get(k, 0) for k in kinds], "total": sum(t.kinds.values()),
             "units": t.units,
             "statuses": [(title, t.statuses[s]) for s, title in STATUS_TITLES.items() if t.statuses.get(s)]}
            for batch, t in totals.items()]
    return [KIND_NAMES.get(k, k) for k in kinds], rows


def digest_context(day: date, rows: list[DigestRow], dead_links: list[DeadLink],
                   identity: ReplyIdentity, totals_by_batch: dict[str, BatchTotal] | None,
                   tz: ZoneInfo | None = None, now: datetime | None = None) -> dict:
    """Everything the digest templates may use.

    `day_word` names the day as a reader would on the day the digest is
    made: 今天, 昨天, or the date (a digest of another day).
    """
    tz = tz or clock.zone()
    batch_kinds, batch_rows = _batch_view(totals_by_batch or {})
    return {
        "day": clock.cn_date(day),
        "day_word": clock.day_word(day, tz, now),
        "timezone": tz,
        "counts": _counts(rows),
        "rows": [_row_view(r, tz) for r in sorted(rows, key=_sort_key)],
        "top_defects": _top_defects(rows),
        "dead_links": [_dead_view(link, tz) for link in dead_links],
        "batch_kinds": batch_kinds,
        "batch_rows": batch_rows,
        "identity": identity,
        "signature_lines": identity.signature_lines(),
    }


def digest_subject(day: date, rows: list[DigestRow], dead_links: list[DeadLink]) -> str:
    counts = _counts(rows)
    subject = (f"[智慧助老] {day:%Y-%m-%d} 每日汇总：收到 {counts['received']} 封，"
               f"通过 {counts['accepted']}，需修改 {counts['defective']}")
    if dead_links:
        subject += f"，失效链接 {len(dead_links)}"
    return subject


def compose_digest(day: date, rows: list[DigestRow], dead_links: list[DeadLink], identity: ReplyIdentity,
                   to: list[str], totals_by_batch: dict[str, BatchTotal] | None = None,
                   attachment_xlsx: bytes | None = None, templates_dir: Path | None = None,
                   now: datetime | None = None, tz: ZoneInfo | None = None) -> EmailMessage:
    """The daily digest mail to coordinators, optionally with the summary workbook attached.

    `day` is a calendar day of the campaign's zone `tz` (Beijing by default).
    """
    context = digest_context(day, rows, dead_links, identity, totals_by_batch, tz, now)
    text, html = render_pair(template_env(templates_dir), "digest", context)
    msg = new_message(identity, to, digest_subject(day, rows, dead_links), now, "auto-generated", tz)
    msg.set_content(text, cte="base64")  # Chinese text: skip trying quoted-printable first
    msg.add_alternative(html, subtype="html", cte="base64")
    if attachment_xlsx is not None:
        msg.add_attachment(attachment_xlsx, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                           filename=f"汇总表-{day:%Y%m%d}.xlsx")
    return msg
